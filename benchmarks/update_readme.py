"""Copies each benchmark's Markdown table into README.md between its markers.

    python benchmarks/update_readme.py

A block in the README of the form

    <!-- results: toy_objectives -->
    ...
    <!-- end results -->

is replaced by benchmarks/results/toy_objectives.md, so the README shows what the last
real run wrote and nothing else.
"""

import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BLOCK = re.compile(r"(<!-- results: (\w+) -->\n).*?(<!-- end results -->)", re.S)


def main():
    path = os.path.join(ROOT, "README.md")
    with open(path) as f:
        readme = f.read()
    missing = []

    def fill(match):
        table = os.path.join(ROOT, "benchmarks", "results", f"{match.group(2)}.md")
        if not os.path.exists(table):
            missing.append(table)
            return match.group(0)
        with open(table) as f:
            return match.group(1) + f.read() + match.group(3)

    readme = BLOCK.sub(fill, readme)
    with open(path, "w") as f:
        f.write(readme)
    if missing:
        sys.exit(f"no results yet for: {', '.join(missing)}")


if __name__ == "__main__":
    main()
