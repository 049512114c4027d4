"""``pot report --plot``: a real PNG from matplotlib, and one line when it is missing."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from PIL import Image
from typer.testing import CliRunner

from pot.cli import app
from pot.tasks import ResultWriter, report
from pot.tasks.plot import PlotError, plot_report

runner = CliRunner()

TASKS = ("bbh/navigate", "bbh/snarks", "rg/gcd")


def _runs(folder: Path) -> list[str]:
    """plain, cot and pot on two models, three tasks of six problems each."""
    files = []
    for model_index, model in enumerate(("small", "large")):
        for mode_index, mode in enumerate(("plain", "cot", "pot")):
            path = folder / f"{mode}-{model}.jsonl"
            with ResultWriter(path) as writer:
                for task_index, task in enumerate(TASKS):
                    for index in range(6):
                        spread = (index * 7 + task_index * 3 + model_index) % 6
                        right = spread < 2 + mode_index + model_index - (task_index == 1)
                        writer.write(
                            {
                                "id": f"{task}/{index}",
                                "task": task,
                                "run": f"{mode}/{model}",
                                "mode": mode,
                                "model": model,
                                "gold": "1",
                                "correct": right,
                                "seconds": 1.0 + mode_index + index / 10,
                                "completion_tokens": 50 * (mode_index + 1) + index,
                            }
                        )
            files.append(str(path))
    return files


def _check_png(path: Path) -> tuple[int, int]:
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        width, height = image.size
        colours = image.convert("RGB").getcolors(maxcolors=1 << 20)
    assert colours is not None and len(colours) > 50  # drawn, not blank
    return width, height


def test_cli_writes_a_png(tmp_path: Path) -> None:
    files = _runs(tmp_path)
    target = tmp_path / "figures" / "report.png"
    target.parent.mkdir()
    result = runner.invoke(app, ["report", *files, "--plot", str(target)])
    assert result.exit_code == 0, result.output
    assert "Runs" in result.stdout and str(target) in result.stderr
    width, height = _check_png(target)
    assert 1000 <= width <= 3000 and 500 <= height <= 3000
    single = tmp_path / "single.png"  # one run, one task: no per-task panel
    with ResultWriter(tmp_path / "one.jsonl") as writer:
        writer.write({"id": "gsm8k/0", "task": "gsm8k", "gold": "1", "correct": True})
    assert runner.invoke(app, ["report", str(tmp_path / "one.jsonl"), "--plot", str(single)])
    one_width, one_height = _check_png(single)
    assert one_width == width and 300 <= one_height < height


def test_other_formats_and_bad_targets(tmp_path: Path) -> None:
    result = report(_runs(tmp_path))
    svg = plot_report(result, tmp_path / "report.svg")
    assert svg.read_text().lstrip().startswith("<?xml")
    with pytest.raises(PlotError, match=r"\.png"):
        plot_report(result, tmp_path / "report.doc")
    with pytest.raises(PlotError, match="cannot write"):
        plot_report(result, tmp_path / "missing" / "report.png")
    bad = runner.invoke(app, ["report", *_runs(tmp_path), "--plot", str(tmp_path / "r.doc")])
    assert bad.exit_code == 2 and "use one of" in bad.stderr
    assert bad.stdout == ""  # checked before any table is printed


def test_missing_matplotlib_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = _runs(tmp_path)
    for name in [name for name in sys.modules if name.split(".")[0] == "matplotlib"]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    target = tmp_path / "report.png"
    result = runner.invoke(app, ["report", *files, "--plot", str(target)])
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [
        "error: --plot needs matplotlib: pip install 'pot-reasoning[plot]' "
        "(or pip install matplotlib)"
    ]
    assert not target.exists()
