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
    // Differential steps: (answered alike, passed) each, by step.
    let mut steps: BTreeMap<String, (bool, bool)> = BTreeMap::new();
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(entry) = serde_json::from_str::<Value>(line) else {
            eprintln!("compat-report: not JSON: {line}");
            return ExitCode::FAILURE;
        };
        let flow = entry["flow"].as_str().unwrap_or_default().to_owned();
        let direction = entry["direction"].as_str().unwrap_or_default().to_owned();
        let passed = entry["passed"].as_bool().unwrap_or(false);
        if direction == "diff" {
            let Some(alike) = entry["alike"].as_bool() else {
                eprintln!("compat-report: a differential step without \"alike\": {line}");
                return ExitCode::FAILURE;
            };
            let step = steps.entry(flow).or_insert((true, true));
            step.0 &= alike;
            step.1 &= passed;
            continue;
        }
        let cell = cells.entry((flow, direction)).or_insert(true);
        *cell &= passed;
    }
    let unknown: BTreeSet<&String> = cells
        .keys()
        .filter(|(flow, _)| !flows::ALL.contains(&flow.as_str()))
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
    let alike = steps.values().filter(|(alike, _)| *alike).count();
    let listed = steps.values().filter(|(alike, passed)| !alike && *passed).count();
    let unexpected = steps.values().filter(|(_, passed)| !passed).count();
    let section = format!(
        "{START}\n{table}\nDifferential check: {} request steps sent to both servers; {alike} answered alike \
         (status, whole JSON bodies with generated ids, tokens, secrets and times masked, codes and \
         messages, cookies, headers), {listed} differ as listed with reasons in \
         [`tests/interop/differences.json`](tests/interop/differences.json){}.\n{END}",
        steps.len(),
        if unexpected == 0 {
            String::new()
        } else {
            format!(", and {unexpected} differ unexpectedly")
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
