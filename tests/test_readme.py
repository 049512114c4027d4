"""Every Python snippet in the README runs (with canned replies instead of the real model,
whose end-to-end runs live in the *_real tests)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```python(?P<info>[^\n]*)\n(?P<code>.*?)^```", re.DOTALL | re.MULTILINE)
REPLIES = ["```python\nprint(5)\n```", "The answer is \\boxed{5}."] * 10
SCRIPTED = "scripted:" + json.dumps(REPLIES)


def snippets() -> list[str]:
    return [
        match["code"]
        for match in BLOCK.finditer(README.read_text())
        if "no-run" not in match["info"]
    ]


@pytest.mark.parametrize("code", snippets(), ids=lambda code: code.splitlines()[0][:40])
def test_readme_snippet_runs(code: str, tmp_path: Path) -> None:
    code = code.replace('"qwen2.5-coder-0.5b"', repr(SCRIPTED))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr[-3000:]


def test_readme_opens_with_the_two_commands() -> None:
    first_block = README.read_text().split("```bash\n", 1)[1].split("```", 1)[0]
    assert first_block.splitlines() == [
        line for line in first_block.splitlines() if line.startswith("bash scripts/setup.sh")
    ]
    assert len(first_block.splitlines()) == 2
    ci = (README.parent / ".ci" / "run").read_text()
    assert first_block.splitlines()[1] in ci


LINK = re.compile(r"\]\((?P<target>[^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (?P<title>.+)$", re.MULTILINE)


def anchor(title: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation gone, spaces as hyphens."""
    title = re.sub(r"[^\w\- ]", "", title.strip().lower())
    return title.replace(" ", "-")


def documents() -> list[Path]:
    return [README, *sorted((README.parent / "docs").glob("*.md"))]


@pytest.mark.parametrize("document", documents(), ids=lambda path: path.name)
def test_relative_links_resolve(document: Path) -> None:
    """Every link to a file of the repository or to a heading names one that exists (the
    README's results moved to docs/ once, and links must survive such moves)."""
    text = document.read_text()
    broken = []
    for match in LINK.finditer(text):
        target = match["target"]
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, fragment = target.partition("#")
        linked = (document.parent / path).resolve() if path else document
        if not linked.exists():
            broken.append(target)
        elif fragment and linked.suffix == ".md":
            anchors = {anchor(m["title"]) for m in HEADING.finditer(linked.read_text())}
            if fragment not in anchors:
                broken.append(target)
    assert not broken, f"{document.name}: links to nothing: {broken}"
