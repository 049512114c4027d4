"""How a run's votes went (``pot report --samples``): every sample's answer judged.

A run of ``auto`` or of ``--samples k`` keeps each sample's answer in its traces. Judged
against the gold one by one, they say where accuracy is lost: a problem that no sample
got right needs better reasoning, one that some sample got right and the vote did not
needs a better choice. Per run: the problems with several samples, how many of them
some sample got right (coverage) and how many the final answer did, and each sample
number's own accuracy (``auto`` names its samples: pot's program, the minimal prompt's,
the chain of thought...). Answers are judged with today's judges, the final one too.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any, Literal

from pydantic import BaseModel, Field

from pot.tasks.base import Problem
from pot.tasks.loaders import DataDir
from pot.tasks.registry import judge
from pot.tasks.rejudge import answer_given, judged_text, run_problems
from pot.tasks.results import PathLike, ResultRecord, group_label, scan_results


class SampleCount(BaseModel):
    """One sample number's answers across a run's problems."""

    sample: int
    name: str = Field(description="What the sample is (``auto`` names its own).")
    problems: int = Field(description="Problems where this sample ran.")
    answered: int = Field(description="Problems where it gave an answer.")
    correct: int = Field(description="Problems where that answer was right.")


class SampleSummary(BaseModel):
    """How one run's votes went."""

    run: str
    problems: int = Field(description="Problems with two or more samples.")
    escalated: int = Field(description="Of them, problems with more than two samples.")
    covered: int = Field(description="Of them, problems some sample got right.")
    correct: int = Field(description="Of them, problems the final answer got right.")
    samples: list[SampleCount]


def sample_name(mode: str | None, sample: int) -> str:
    """What sample number ``sample`` of a ``mode`` solve is."""
    if mode == "auto":
        from pot.auto import auto_sample_name

        return auto_sample_name(sample)
    return f"sample {sample}"


def _sample_answers(trace: dict[str, Any] | None) -> dict[int, str | None]:
    """Each sample's answer as its vote counted it (None: it gave none)."""
    found: dict[int, str | None] = {}
    for step in (trace or {}).get("steps", []):
        if isinstance(step, dict) and step.get("kind") == "sample_answer":
            found[int(step["sample"])] = judged_text(step.get("answer"))
    return found


def summarize_samples(
    paths: Iterable[PathLike],
    *,
    by: Literal["run", "file"] = "run",
    data_dir: DataDir = None,
) -> list[SampleSummary]:
    """Judge every sample's answer in the results files ``paths``, grouped like
    :func:`~pot.tasks.report.report` groups runs; runs without several samples a
    problem are left out.

    Raises:
        RejudgeError: A file with no run record beside it, or its problem file changed.
        pot.tasks.TaskError: The task's problems could not be loaded.
    """
    seen: dict[str, set[str]] = defaultdict(set)
    tallies: dict[str, _Tally] = {}
    for path in paths:
        records = [
            record
            for record in scan_results(path).records
            if len(_sample_answers(record.trace)) >= 2
        ]
        if not records:
            continue
        problems = run_problems(path, [record.id for record in records], data_dir)
        for record in records:
            label = group_label(record, path, by)
            if record.id in seen[label]:
                continue
            seen[label].add(record.id)
            tallies.setdefault(label, _Tally()).add(record, problems[record.id])
    return [tally.summary(label) for label, tally in tallies.items()]


class _Tally:
    """Counts of one run, problem by problem."""

    def __init__(self) -> None:
        self.problems = self.escalated = self.covered = self.correct = 0
        self.ran: dict[int, int] = defaultdict(int)
        self.answered: dict[int, int] = defaultdict(int)
        self.right: dict[int, int] = defaultdict(int)
        self.mode: str | None = None

    def add(self, record: ResultRecord, problem: Problem) -> None:
        answers = _sample_answers(record.trace)
        self.mode = self.mode or (record.trace or {}).get("mode")
        self.problems += 1
        self.escalated += len(answers) > 2
        right = {
            sample: given is not None and judge(given, problem).correct
            for sample, given in answers.items()
        }
        for sample, given in answers.items():
            self.ran[sample] += 1
            self.answered[sample] += given is not None
            self.right[sample] += right[sample]
        self.covered += any(right.values())
        final = answer_given(record)
        self.correct += final is not None and judge(final, problem).correct

    def summary(self, run: str) -> SampleSummary:
        return SampleSummary(
            run=run,
            problems=self.problems,
            escalated=self.escalated,
            covered=self.covered,
            correct=self.correct,
            samples=[
                SampleCount(
                    sample=sample,
                    name=sample_name(self.mode, sample),
                    problems=self.ran[sample],
                    answered=self.answered[sample],
                    correct=self.right[sample],
                )
                for sample in sorted(self.ran)
            ],
        )


def samples_line(summary: SampleSummary) -> str:
    """The vote against its coverage, in one line."""
    return (
        f"{summary.problems} problems with several samples ({summary.escalated} with more "
        f"than two): some sample right on {summary.covered}, the final answer on "
        f"{summary.correct}"
    )
