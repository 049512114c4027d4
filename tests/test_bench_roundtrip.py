"""bench/roundtrip.py: a right answer printed by a program comes back judged right."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from roundtrip import programs  # noqa: E402


def test_the_forms_a_program_prints_an_answer_in() -> None:
    assert set(programs("3 × 41")) == {"text", "labelled", "list", "sentence"}
    assert set(programs("Yes")) == {"text", "labelled", "sentence", "bool"}
    assert "print([3, 41])" in programs("3 × 41")["list"]
    assert "print([13])" in programs("13")["bracketed"]
    assert "print(float(13))" in programs("13")["float"]
    assert "list" not in programs("x*asin(3*x) + C")  # an expression is no list of items
    assert "list" not in programs("1 0\n0 1")  # nor are rows


def test_real_generators_answers_come_back_judged_right(tmp_path: Path) -> None:
    pytest.importorskip("reasoning_gym")
    misses = tmp_path / "misses.json"
    names = "prime_factorization,simple_equations,mini_sudoku,tower_of_hanoi"
    arguments = ["--size", "1", "--seed", "3", "--json", str(misses), "--generators", names]
    done = subprocess.run(
        [sys.executable, "bench/roundtrip.py", *arguments],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    summary = done.stdout.splitlines()[-2]
    assert re.fullmatch(r"\d+ printed answers \(.*'labelled': 4.*\), 0 judged wrong", summary)
    assert json.loads(misses.read_text()) == []


def test_built_in_tasks_answers_come_back_judged_right(shared_data: Path) -> None:
    import os

    done = subprocess.run(
        [sys.executable, "bench/roundtrip.py", "--task", "gsm8k,math500", "--size", "2"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "POT_DATA": str(shared_data)},
    )
    assert done.returncode == 0, done.stderr
    summary = done.stdout.splitlines()[-2]
    assert re.fullmatch(r"16 printed answers \(.*'bracketed': 2.*\), 0 judged wrong", summary)
