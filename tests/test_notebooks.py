"""Every notebook in notebooks/ runs top to bottom (nbclient), with a scripted model.

Each notebook reads its model from ``$POT_MODEL``; the replies below are what a
model would write, in the order the notebook asks.
"""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from pot.tasks import load_problems

REPO = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((REPO / "notebooks").glob("*.ipynb"))


def code(text: str) -> str:
    return f"```python\n{text}\n```"


def quickstart_replies(shared_data: Path) -> list[str]:
    return [
        code("print(17 * 23)"),
        code("from fractions import Fraction\nprint(Fraction(2, 3) * 27)"),
        code("total = sum(prices)\nprint(total)"),
    ]


def chain_of_code_replies(shared_data: Path) -> list[str]:
    return [
        code(
            "words = ['apple', 'chair', 'banana', 'cloud', 'cherry']\n"
            "fruits = [word for word in words if is_fruit(word)]\nprint(len(fruits))"
        ),
        code("fruits = ['apple', 'banana', 'cherry']"),
        code(
            "cat_and_mouse = weight_kg('cat') + weight_kg('mouse')\ndog = weight_kg('dog')\n"
            "print('a dog' if dog > cat_and_mouse else 'a cat and a mouse')"
        ),
        code("cat_and_mouse = 4.52"),
        code("dog = 30.0"),
    ]


def evaluation_replies(shared_data: Path) -> list[str]:
    problems = load_problems("svamp", limit=4, data_dir=shared_data)
    pot = [code(f"print({problem.meta['equation']})") for problem in problems]
    pot[-1] = code("print(0)")  # one wrong answer, so the modes differ
    tir = []
    for problem in problems:
        tir += [
            code(f"print({problem.meta['equation']})"),
            f"The answer is \\boxed{{{problem.answer}}}.",
        ]
    return pot + tir


REPLIES = {
    "quickstart": quickstart_replies,
    "chain_of_code": chain_of_code_replies,
    "evaluation": evaluation_replies,
}


def outputs(cell: nbformat.NotebookNode) -> str:
    """The text of a code cell's outputs."""
    texts = []
    for output in cell.get("outputs", []):
        if "text" in output:
            texts.append(output["text"])
        texts.extend(str(value) for value in output.get("data", {}).values())
    return "\n".join(texts)


def test_every_notebook_is_tested() -> None:
    assert {path.stem for path in NOTEBOOKS} == set(REPLIES)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda path: path.stem)
def test_notebook_runs(
    path: Path, tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    notebook = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        f"{path.name}: clear the outputs before committing"
    )
    replies = tmp_path / "replies.json"
    replies.write_text(json.dumps(REPLIES[path.stem](shared_data)))
    monkeypatch.setenv("POT_MODEL", f"scripted:{replies}")
    monkeypatch.setenv("POT_DATA", str(shared_data))
    monkeypatch.setenv("MPLBACKEND", "module://matplotlib_inline.backend_inline")
    client = NotebookClient(
        notebook,
        timeout=180,
        kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()
    text = "\n".join(outputs(cell) for cell in notebook.cells if cell.cell_type == "code")
    expected = {
        "quickstart": ["'391'", "'18'", "'15'", "Answer: 15"],
        "chain_of_code": ["'3'", "simulated", "fruits = ['apple', 'banana', 'cherry']", "a dog"],
        "evaluation": ["{'pot': 0.75, 'tir': 1.0}", "iVBORw0KGgo"],  # a PNG
    }[path.stem]
    for piece in expected:
        assert piece in text, f"{path.name}: {piece!r} not in the outputs"
