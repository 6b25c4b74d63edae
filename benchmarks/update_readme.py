"""Copies each benchmark's Markdown table into docs/benchmarks.md between its markers.

    python benchmarks/update_readme.py

A block in docs/benchmarks.md of the form

    <!-- results: toy_objectives -->
    ...
    <!-- end results -->

is replaced by benchmarks/results/toy_objectives.md, so the benchmarks page shows what the
last real run wrote and nothing else. (The script kept its name from when the tables lived
in the README; the README now quotes a few headline numbers and links to that page.)
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PAGE = os.path.join("docs", "benchmarks.md")
BLOCK = re.compile(r"(<!-- results: (\w+) -->\n).*?(<!-- end results -->)", re.S)


def main():
    path = os.path.join(ROOT, PAGE)
    with open(path) as f:
        page = f.read()
    missing = []

    def fill(match):
        table = os.path.join(ROOT, "benchmarks", "results", f"{match.group(2)}.md")
        if not os.path.exists(table):
            missing.append(table)
            return match.group(0)
        with open(table) as f:
            return match.group(1) + f.read() + match.group(3)

    page, count = BLOCK.subn(fill, page)
    if count == 0:
        sys.exit(f"{PAGE} has no <!-- results: NAME --> blocks to fill")
    with open(path, "w") as f:
        f.write(page)
    if missing:
        sys.exit(f"no results yet for: {', '.join(missing)}")


if __name__ == "__main__":
    main()
