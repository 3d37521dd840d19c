//! Writes the README's compatibility table from the results the test suites recorded.
//!
//! `compat-report <results.jsonl> <README.md>`: the table goes between the
//! `<!-- compat-table:start -->` and `<!-- compat-table:end -->` markers.

use std::collections::{BTreeMap, BTreeSet};
use std::process::ExitCode;

use keyward_tests::compat::flows;
use serde_json::Value;

const START: &str = "<!-- compat-table:start -->";
const END: &str = "<!-- compat-table:end -->";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(results), Some(readme)) = (args.get(1), args.get(2)) else {
        eprintln!("usage: compat-report <results.jsonl> <README.md>");
        return ExitCode::FAILURE;
    };
    let text = match std::fs::read_to_string(results) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("compat-report: {results}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let mut cells: BTreeMap<(String, String), bool> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(entry) = serde_json::from_str::<Value>(line) else {
            eprintln!("compat-report: not JSON: {line}");
            return ExitCode::FAILURE;
        };
        let flow = entry["flow"].as_str().unwrap_or_default().to_owned();
        let direction = entry["direction"].as_str().unwrap_or_default().to_owned();
        let passed = entry["passed"].as_bool().unwrap_or(false);
        let cell = cells.entry((flow, direction)).or_insert(true);
        *cell &= passed;
    }
    let unknown: BTreeSet<&String> = cells
        .keys()
        .filter(|(flow, direction)| direction != "diff" && !flows::ALL.contains(&flow.as_str()))
        .map(|(flow, _)| flow)
        .collect();
    if !unknown.is_empty() {
        eprintln!("compat-report: results name rows that compat::flows does not define: {unknown:?}");
        return ExitCode::FAILURE;
    }
    let mark = |flow: &str, direction: &str| match cells.get(&(flow.to_owned(), direction.to_owned())) {
        Some(true) => "✅",
        Some(false) => "❌",
        None => "—",
    };
    let mut table = String::new();
    table.push_str("| Flow | Rust client → better-auth | better-auth JS client → Keyward | Same database |\n");
    table.push_str("|---|:-:|:-:|:-:|\n");
    for flow in flows::ALL {
        table.push_str(&format!(
            "| {flow} | {} | {} | {} |\n",
            mark(flow, "A"),
            mark(flow, "B"),
            mark(flow, "same-db")
        ));
    }
    let differential: Vec<bool> = cells
        .iter()
        .filter(|((_, direction), _)| direction == "diff")
        .map(|(_, passed)| *passed)
        .collect();
    let allowed = std::fs::read_to_string(keyward_tests::interop_dir().join("differences.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .map(|doc| {
            doc["differences"]
                .as_array()
                .map(|entries| {
                    entries
                        .iter()
                        .filter_map(|e| e["step"].as_str().map(str::to_owned))
                        .collect::<BTreeSet<_>>()
                })
                .unwrap_or_default()
        })
        .unwrap_or_default();
    let section = format!(
        "{START}\n{table}\nDifferential check: {} request steps sent to both servers; {} answered alike \
         (status, JSON keys and types, codes and messages, cookies, headers), {} differ on purpose \
         ([`tests/interop/differences.json`](tests/interop/differences.json)){}.\n{END}",
        differential.len(),
        differential.len().saturating_sub(allowed.len()),
        allowed.len(),
        if differential.iter().all(|passed| *passed) {
            ""
        } else {
            ", and some differ unexpectedly"
        },
    );
    let readme_text = match std::fs::read_to_string(readme) {
        Ok(text) => text,
        Err(error) => {
            eprintln!("compat-report: {readme}: {error}");
            return ExitCode::FAILURE;
        }
    };
    let (Some(start), Some(end)) = (readme_text.find(START), readme_text.find(END)) else {
        eprintln!("compat-report: {readme} has no {START} … {END} markers");
        return ExitCode::FAILURE;
    };
    let updated = format!("{}{section}{}", &readme_text[..start], &readme_text[end + END.len()..]);
    if updated != readme_text {
        if let Err(error) = std::fs::write(readme, updated) {
            eprintln!("compat-report: {readme}: {error}");
            return ExitCode::FAILURE;
        }
        println!("compat-report: updated the compatibility table in {readme}");
    } else {
        println!("compat-report: the compatibility table in {readme} is current");
    }
    ExitCode::SUCCESS
}
