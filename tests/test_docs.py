"""The documentation's examples run: docs are code.

Every fenced block opened with ```python in README.md and in docs/**/*.md is executed. A
page's blocks run in the order they appear, in one namespace (a later block may use the
names an earlier one made), in a fresh temporary working directory, one test per page, so
that a renamed argument or function fails the page that shows it. Blocks fenced as
```text, ```bash or anything other than ```python never run: use them for shell commands,
outputs and code that needs what a test machine lacks (a TF Serving server, a download).

Excluding a ```python block: put an HTML comment ``<!-- skip: the reason -->`` on the line
right before its opening fence (the reason is required, and shows beside the block in the
Markdown source only). Use it sparingly; a skipped block is not checked at all.

The examples must stay fast on one CPU core (tiny networks, a few steps): this file should
take well under two minutes.

The README's relative links are checked here as well: MkDocs (``make docs``, ``--strict``)
checks the links between the pages of docs/, but the README is not one of them.
"""

import os
import pathlib
import re

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
FENCE = re.compile(r"^(?P<indent>\s*)(?P<fence>`{3,}|~{3,})\s*(?P<info>[^`\s]*)")
SKIP = re.compile(r"^\s*<!--\s*skip:\s*(?P<reason>\S.*?)\s*-->\s*$")
SKIP_WITHOUT_REASON = re.compile(r"^\s*<!--\s*skip\b(?!:\s*\S).*-->\s*$")


def pages():
    """README.md and every Markdown page under docs/, as paths relative to the root."""
    found = [ROOT / "README.md"] + sorted((ROOT / "docs").rglob("*.md"))
    return [path.relative_to(ROOT).as_posix() for path in found]


def blocks(text):
    """The fenced blocks of a Markdown text: dicts of ``info``, ``line`` (1-based, of the
    first line of code), ``code`` (dedented by the fence's indent) and ``skip`` (the
    reason, or None)."""
    lines = text.splitlines()
    found = []
    i = 0
    while i < len(lines):
        match = FENCE.match(lines[i])
        if not match:
            i += 1
            continue
        indent, fence, info = match["indent"], match["fence"], match["info"].lower()
        previous = lines[i - 1] if i else ""
        if SKIP_WITHOUT_REASON.match(previous):
            raise ValueError(f"line {i}: a skip marker needs a reason: <!-- skip: why -->")
        skip = SKIP.match(previous)
        body = []
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and not stripped.strip(fence[0]):
                break
            line = lines[j]
            body.append(line[len(indent) :] if line.startswith(indent) else line.lstrip())
            j += 1
        else:
            raise ValueError(f"line {i + 1}: the fence opened here is never closed")
        found.append(
            {
                "info": info,
                "line": i + 2,
                "code": "\n".join(body) + "\n",
                "skip": skip["reason"] if skip else None,
            }
        )
        i = j + 1
    return found


def python_blocks(page):
    return [b for b in blocks((ROOT / page).read_text()) if b["info"] in ("python", "py")]


PAGES_WITH_CODE = [page for page in pages() if python_blocks(page)]


def test_pages_are_found():
    assert "README.md" in PAGES_WITH_CODE
    assert len(pages()) > 5


@pytest.mark.parametrize("page", PAGES_WITH_CODE)
def test_examples_run(page, tmp_path, monkeypatch):
    import keras
    import matplotlib

    matplotlib.use("Agg")
    monkeypatch.chdir(tmp_path)
    keras.backend.clear_session()
    namespace = {"__name__": "__docs__"}
    for block in python_blocks(page):
        if block["skip"]:
            continue
        code = compile(block["code"], f"{page}, block at line {block['line']}", "exec")
        exec(code, namespace)  # noqa: S102 - the point of the test
    import matplotlib.pyplot as plt

    plt.close("all")


LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")


def test_readme_links_exist():
    text = (ROOT / "README.md").read_text()
    broken = []
    for match in LINK.finditer(text):
        target = match["target"].split("#")[0]
        if not target or re.match(r"^[a-z]+://", target):
            continue
        if not os.path.exists(ROOT / target):
            broken.append(target)
    assert not broken, f"README.md links to files that do not exist: {broken}"


def test_skip_markers_need_a_reason():
    with pytest.raises(ValueError, match="reason"):
        blocks("<!-- skip -->\n```python\nx = 1\n```\n")
    found = blocks("<!-- skip: needs a server -->\n```python\nx = 1\n```\n```text\ny\n```\n")
    assert [(b["info"], b["skip"]) for b in found] == [
        ("python", "needs a server"),
        ("text", None),
    ]
