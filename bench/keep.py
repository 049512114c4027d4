"""A results file small enough to keep in git: what ``pot report`` pairs and
``bench/revote.py`` votes again, without the problems' text or the model's.

Evaluation runs here take hours to days, longer than a machine lives; their files are
the evidence for the README's tables. This writes a copy with each record's outcome
(id, task, run, prediction, correctness, error, tokens, seconds), each sample's answer
and the vote (``trace`` without its question, programs, outputs and replies), and no
gold: ``pot report`` pairs on the records' correctness, ``pot report --samples`` and
``bench/revote.py`` take the questions and golds from the task again. The copy is a
results file itself: ``pot eval ... --out COPY --resume`` goes on appending to it, and
keeping it again compacts the new records too. The run record beside the results file
is copied beside the copy.

    python bench/keep.py runs/rg-auto-1.5b.jsonl bench/results/rg-auto-1.5b.jsonl
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
from pathlib import Path
from typing import Any

from pot.tasks.record import record_path

KEPT_STEPS = {"sample_answer"}
"""Trace steps kept: each sample's answer (programs and replies are left out)."""


def compact(record: dict[str, Any]) -> dict[str, Any]:
    """``record`` without the problem's text, its gold or the model's texts."""
    kept = {key: value for key, value in record.items() if key != "trace"}
    kept["gold"] = ""
    trace = record.get("trace")
    if trace:
        kept["trace"] = {
            **{key: value for key, value in trace.items() if key not in ("steps", "setup")},
            "question": "",
            "steps": [step for step in trace.get("steps", []) if step.get("kind") in KEPT_STEPS],
        }
    return kept


def keep(source: Path, target: Path) -> int:
    """Write the compact copy of ``source`` to ``target`` (they may be one file) and the
    run record beside it; return the records written. A partly written last line (a
    run killed mid-write) is left out."""
    lines = []
    for line in source.read_bytes().splitlines():
        try:
            lines.append(json.dumps(compact(json.loads(line)), ensure_ascii=False))
        except json.JSONDecodeError:
            continue
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    partial.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    os.replace(partial, target)
    if record_path(source).is_file() and record_path(source) != record_path(target):
        shutil.copyfile(record_path(source), record_path(target))
    return len(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="a pot eval results file")
    parser.add_argument("target", type=Path, help="where the compact copy goes")
    args = parser.parse_args()
    count = keep(args.source, args.target)
    size = args.target.stat().st_size
    print(f"{args.target}: {count} records, {size / 1024:.0f} KiB")


if __name__ == "__main__":
    main()
