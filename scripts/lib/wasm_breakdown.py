"""What a WebAssembly file's bytes are, per crate: reads `twiggy top -f csv` (of a build
that kept its function names) on stdin and prints each crate's share of the code, the
data segment and the rest, largest first.

    twiggy top -n 1000000 -f csv page_bg.wasm | python3 scripts/lib/wasm_breakdown.py [rows]
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


def main() -> None:
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
