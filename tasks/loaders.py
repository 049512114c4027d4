"""Loaders: read each benchmark's file into a list of ``Problem`` records."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pot.tasks.base import Problem, TaskError, UnknownTaskError
from pot.tasks.data import data_file

DataDir = str | os.PathLike[str] | None

BBH_TASKS: tuple[str, ...] = (
    "boolean_expressions",
    "causal_judgement",
    "date_understanding",
    "disambiguation_qa",
    "dyck_languages",
    "formal_fallacies",
    "geometric_shapes",
    "hyperbaton",
    "logical_deduction_five_objects",
    "logical_deduction_seven_objects",
    "logical_deduction_three_objects",
    "movie_recommendation",
    "multistep_arithmetic_two",
    "navigate",
    "object_counting",
    "penguins_in_a_table",
    "reasoning_about_colored_objects",
    "ruin_names",
    "salient_translation_error_detection",
    "snarks",
    "sports_understanding",
    "temporal_sequences",
    "tracking_shuffled_objects_five_objects",
    "tracking_shuffled_objects_seven_objects",
    "tracking_shuffled_objects_three_objects",
    "web_of_lies",
    "word_sorting",
)
"""The 27 BIG-Bench Hard tasks, in alphabetical order."""

_OPTION = re.compile(r"^\(([A-Z])\)\s*(.*?)\s*$")

CRUXEVAL_TEMPLATE = (
    "What does the following Python function return for the given input?\n\n"
    "```python\n{code}\n```\n\n"
    "Give the exact value of `f({input})` as a Python literal."
)
"""How a CRUXEval output-prediction problem is put to the model."""


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise TaskError(f"Could not read {path}: {error}") from error


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]
    except (OSError, ValueError) as error:
        raise TaskError(f"Could not read {path}: {error}") from error


def gsm8k_answer(solution: str) -> str:
    """The final answer of a GSM8K worked solution: the text after ``####``, commas removed."""
    return solution.rsplit("####", 1)[-1].strip().replace(",", "")


def load_gsm8k(data_dir: DataDir = None) -> list[Problem]:
    """GSM8K test split: 1319 grade-school word problems with integer answers.

    Args:
        data_dir: Data folder (default ``POT_DATA``, then the cache, then a download).
    """
    rows = _read_jsonl(data_file("gsm8k/test.jsonl", data_dir))
    return [
        Problem(
            id=f"gsm8k/{index}",
            question=row["question"],
            answer=gsm8k_answer(row["answer"]),
            meta={"task": "gsm8k", "index": index},
        )
        for index, row in enumerate(rows)
    ]


def _format_number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def load_svamp(data_dir: DataDir = None) -> list[Problem]:
    """SVAMP: 1000 one-step and two-step arithmetic word problems (question = Body + Question).

    Args:
        data_dir: Data folder (default ``POT_DATA``, then the cache, then a download).
    """
    rows = _read_json(data_file("svamp/SVAMP.json", data_dir))
    return [
        Problem(
            id=f"svamp/{row['ID']}",
            question=f"{row['Body'].strip()} {row['Question'].strip()}",
            answer=_format_number(row["Answer"]),
            meta={
                "task": "svamp",
                "index": index,
                "type": row.get("Type"),
                "equation": row.get("Equation"),
            },
        )
        for index, row in enumerate(rows)
    ]


def load_math500(data_dir: DataDir = None) -> list[Problem]:
    """MATH-500: 500 competition problems with LaTeX answers, levels 1-5, seven subjects.

    Args:
        data_dir: Data folder (default ``POT_DATA``, then the cache, then a download).
    """
    rows = _read_jsonl(data_file("math500/test.jsonl", data_dir))
    problems = []
    for index, row in enumerate(rows):
        unique = str(row.get("unique_id") or index).removesuffix(".json")
        problems.append(
            Problem(
                id=f"math500/{unique}",
                question=row["problem"],
                answer=str(row["answer"]),
                meta={
                    "task": "math500",
                    "index": index,
                    "level": row.get("level"),
                    "subject": row.get("subject"),
                },
            )
        )
    return problems


def parse_options(question: str) -> dict[str, str]:
    """The lettered options of a BIG-Bench Hard question: ``{"A": "12/11/1937", ...}``."""
    options: dict[str, str] = {}
    for line in question.splitlines():
        match = _OPTION.match(line.strip())
        if match:
            options[match.group(1)] = match.group(2)
    return options


def bbh_task_names(selection: str | Iterable[str] | None = None) -> list[str]:
    """Resolve a BIG-Bench Hard selection into task names.

    Args:
        selection: None or ``""`` for all 27 tasks, or names separated by commas
            (``"date_understanding,navigate"``), or an iterable of names.

    Raises:
        UnknownTaskError: A name is not a BIG-Bench Hard task.
    """
    if selection is None:
        return list(BBH_TASKS)
    names = selection.split(",") if isinstance(selection, str) else list(selection)
    names = [name.strip() for name in names if name.strip()]
    unknown = [name for name in names if name not in BBH_TASKS]
    if unknown:
        raise UnknownTaskError(
            f"Unknown BIG-Bench Hard task(s): {', '.join(unknown)}. Known: {', '.join(BBH_TASKS)}."
        )
    return list(dict.fromkeys(names)) or list(BBH_TASKS)


def load_bbh(data_dir: DataDir = None, tasks: str | Iterable[str] | None = None) -> list[Problem]:
    """BIG-Bench Hard: 27 tasks, 6511 problems; ids look like ``bbh/date_understanding/17``.

    Args:
        data_dir: Data folder (default ``POT_DATA``, then the cache, then a download).
        tasks: Which tasks (see ``bbh_task_names``); all by default.
    """
    problems = []
    for name in bbh_task_names(tasks):
        examples = _read_json(data_file(f"bbh/{name}.json", data_dir))["examples"]
        for index, example in enumerate(examples):
            meta: dict[str, Any] = {"task": f"bbh/{name}", "index": index}
            options = parse_options(example["input"])
            if options:
                meta["options"] = options
            problems.append(
                Problem(
                    id=f"bbh/{name}/{index}",
                    question=example["input"],
                    answer=str(example["target"]),
                    meta=meta,
                )
            )
    return problems


def load_cruxeval(data_dir: DataDir = None) -> list[Problem]:
    """CRUXEval output prediction: 800 short Python functions; predict ``f(input)``.

    Args:
        data_dir: Data folder (default ``POT_DATA``, then the cache, then a download).
    """
    rows = _read_jsonl(data_file("cruxeval/cruxeval.jsonl", data_dir))
    return [
        Problem(
            id=f"cruxeval/{row['id']}",
            question=CRUXEVAL_TEMPLATE.format(code=row["code"], input=row["input"]),
            answer=row["output"],
            meta={
                "task": "cruxeval",
                "index": index,
                "code": row["code"],
                "input": row["input"],
            },
        )
        for index, row in enumerate(rows)
    ]
