"""What a WebAssembly file's bytes are, per crate: reads `twiggy top -f csv` (of a build
that kept its function names) on stdin and prints each crate's share of the code, the
data segment and the rest, largest first.

    twiggy top -n 1000000 -f csv page_bg.wasm | python3 scripts/lib/wasm_breakdown.py [rows]

With `--over FLOOR.csv` (the same listing of the Leptos floor, `bare_forms`) it prints
instead what the page adds to the floor, by what the code does.

    twiggy top -n 1000000 -f csv page_bg.wasm | python3 scripts/lib/wasm_breakdown.py --over floor.csv
"""

import collections
import csv
import re
import sys


def crate_of(item: str) -> str:
    """The crate an item belongs to: the first path segment of its name (the type's, for
    `<Type as Trait>::method`)."""
    if item.startswith("data segment") or item == "data":
        return "(data: strings and tables)"
    if item.startswith("custom section") or "subsection" in item:
        return "(names and custom sections)"
    if item.startswith("<"):
        match = re.match(r"<&?(?:mut )?(?:dyn )?([a-z_][a-z0-9_]*)", item)
        return match.group(1) if match else "(other)"
    match = re.match(r"([a-z_][a-z0-9_]*)(?:\[[0-9a-f]+\])?::", item)
    if match:
        return match.group(1)
    if item.startswith(("__wbg", "__wbindgen", "js", "elem", "table", "export", "import", "type", "global")):
        return "(wasm-bindgen glue and wasm tables)"
    return "(other)"


# What Keyward's code is, by name (the first rule that matches): the JSON machinery before
# the crate that instantiates it, since a `Deserialize` impl of the client is serde's code.
KINDS = [
    ("JSON: parsing, typed decoding, request bodies (serde, serde_json)",
     r"serde|Deserializ|Serializ|Members|from_members|::decode|btree|BTreeMap|zmij|itoa"),
    ("the client: request path, session store, credentials", r"keyward_client|futures_signals"),
    ("the components (keyward_leptos)", r"keyward_leptos"),
    ("Leptos: what the components use of it, and the page's views",
     r"tachys|reactive_graph|leptos|any_spawner|slotmap|send_wrapper|^minimal::|^bare_forms::|^main$"),
]


def kind_of(item: str) -> str | None:
    """What an item is, for `--over` (None for names and custom sections, not served)."""
    crate = crate_of(item)
    if crate == "(names and custom sections)":
        return None
    if crate == "(data: strings and tables)":
        return "data: strings, tables, panic locations"
    for kind, pattern in KINDS:
        if re.search(pattern, item):
            return kind
    return "Rust's runtime: core, alloc, std, the allocator, wasm-bindgen, js-sys"


def kinds(rows) -> collections.Counter[str]:
    totals: collections.Counter[str] = collections.Counter()
    for row in rows:
        kind = kind_of(row["Name"])
        if kind:
            totals[kind] += int(row["ShallowSize"])
    return totals


def over(floor_csv: str) -> None:
    page = kinds(csv.DictReader(sys.stdin))
    with open(floor_csv, newline="") as floor_file:
        floor = kinds(csv.DictReader(floor_file))
    added = {kind: page[kind] - floor[kind] for kind in page | floor}
    whole = sum(added.values())
    print(f"{'page':>9}  {'floor':>9}  {'added':>9}  {'share':>6}  what")
    for kind, size in sorted(added.items(), key=lambda item: -item[1]):
        print(f"{page[kind]:>9}  {floor[kind]:>9}  {size:>9}  {100 * size / whole:5.1f}%  {kind}")
    print(f"{sum(page.values()):>9}  {sum(floor.values()):>9}  {whole:>9}  100.0%  in all (served, before gzip)")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--over":
        over(sys.argv[2])
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 25
    totals: collections.Counter[str] = collections.Counter()
    for row in csv.DictReader(sys.stdin):
        totals[crate_of(row["Name"])] += int(row["ShallowSize"])
    whole = sum(totals.values())
    print(f"{'bytes':>9}  {'share':>6}  crate")
    for crate, size in totals.most_common(rows):
        print(f"{size:>9}  {100 * size / whole:5.1f}%  {crate}")
    rest = sum(size for _, size in totals.most_common()[rows:])
    if rest:
        print(f"{rest:>9}  {100 * rest / whole:5.1f}%  ({len(totals) - rows} more)")
    print(f"{whole:>9}  100.0%  in all")


if __name__ == "__main__":
    main()
