"""Benchmark tasks and their judges (imported as ``pot.tasks``).

Loading a task::

    from pot.tasks import TaskOptions, load_problems, judge
    problems = load_problems("bbh:navigate,word_sorting", data_dir="data", shard="0/4")
    verdict = judge("(B)", problems[0])
    generated = load_problems("rg:gcd,lcm", options=TaskOptions(size=20, seed=0))
    mine = load_problems("problems.jsonl", options=TaskOptions(judge="number"))

Results files and the report::

    from pot.tasks import ResultWriter, finished_ids, report, render_report
"""

from __future__ import annotations

from pot.tasks.base import (
    ChecksumError,
    DataUnavailableError,
    Judgement,
    MissingDependencyError,
    Problem,
    ResultsFileError,
    ShardSpecError,
    TaskError,
    UnknownProblemError,
    UnknownTaskError,
)
from pot.tasks.data import cache_dir, data_file
from pot.tasks.files import JUDGES, ProblemFileError, guess_judge, load_file
from pot.tasks.gym import SUITE, GymError, generator_names, gym_version, load_gym
from pot.tasks.judge_literal import judge_literal
from pot.tasks.judge_math import MathJudge, verify_math
from pot.tasks.judge_numeric import judge_number, parse_number
from pot.tasks.judge_text import (
    extract_choice,
    judge_choice,
    judge_dyck,
    judge_label,
    judge_words,
)
from pot.tasks.loaders import (
    BBH_TASKS,
    load_bbh,
    load_cruxeval,
    load_gsm8k,
    load_math500,
    load_svamp,
)
from pot.tasks.registry import (
    TASKS,
    Task,
    TaskOptionError,
    TaskOptions,
    get_task,
    judge,
    load_problems,
)
from pot.tasks.report import Comparison, Report, RunSummary, compare, report
from pot.tasks.report_render import render_report
from pot.tasks.results import (
    REPLACED_ERRORS,
    RETRIED_ERRORS,
    ResultRecord,
    ResultWriter,
    finished_ids,
    read_results,
    scan_results,
)
from pot.tasks.selection import interleave, parse_ids, parse_shard, select_shard
from pot.tasks.stats import mcnemar_exact, paired_difference, wilson_interval

__all__ = [
    "BBH_TASKS",
    "JUDGES",
    "REPLACED_ERRORS",
    "RETRIED_ERRORS",
    "SUITE",
    "TASKS",
    "ChecksumError",
    "Comparison",
    "DataUnavailableError",
    "GymError",
    "Judgement",
    "MathJudge",
    "MissingDependencyError",
    "Problem",
    "ProblemFileError",
    "Report",
    "ResultRecord",
    "ResultWriter",
    "ResultsFileError",
    "RunSummary",
    "ShardSpecError",
    "Task",
    "TaskError",
    "TaskOptionError",
    "TaskOptions",
    "UnknownProblemError",
    "UnknownTaskError",
    "cache_dir",
    "compare",
    "data_file",
    "extract_choice",
    "finished_ids",
    "generator_names",
    "get_task",
    "guess_judge",
    "gym_version",
    "interleave",
    "judge",
    "judge_choice",
    "judge_dyck",
    "judge_label",
    "judge_literal",
    "judge_number",
    "judge_words",
    "load_bbh",
    "load_cruxeval",
    "load_file",
    "load_gsm8k",
    "load_gym",
    "load_math500",
    "load_problems",
    "load_svamp",
    "mcnemar_exact",
    "paired_difference",
    "parse_ids",
    "parse_number",
    "parse_shard",
    "read_results",
    "render_report",
    "report",
    "scan_results",
    "select_shard",
    "verify_math",
    "wilson_interval",
]
