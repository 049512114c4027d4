"""The task registry: task names -> loader and judge; task specs.

A task spec is a name (``gsm8k``), a name with a subset (``bbh:navigate,word_sorting``,
``rg:gcd,lcm``, ``rg:suite``), or a problem file (``my.jsonl``, ``my.csv``, ``file:PATH``).
"""

from __future__ import annotations

import functools
import hashlib
import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, fields
from pathlib import Path

from pot.tasks.base import Judgement, Problem, TaskError, UnknownTaskError
from pot.tasks.files import file_stem, is_problem_file, judge_file_problem, load_file
from pot.tasks.gym import (
    DEFAULT_SEED,
    DEFAULT_SIZE,
    generator_names,
    gym_version,
    judge_gym_problem,
    load_gym,
)
from pot.tasks.judge_literal import judge_literal
from pot.tasks.judge_math import MathJudge
from pot.tasks.judge_numeric import judge_number
from pot.tasks.judge_text import judge_choice, judge_dyck, judge_label, judge_words
from pot.tasks.loaders import (
    BBH_TASKS,
    DataDir,
    load_bbh,
    load_cruxeval,
    load_gsm8k,
    load_math500,
    load_svamp,
)
from pot.tasks.record import TaskSpec
from pot.tasks.selection import select_ids, select_shard

Judge = Callable[[object, Problem], Judgement]


class TaskOptionError(TaskError, ValueError):
    """An option given to a task that does not take it (``--size`` for ``gsm8k``)."""


@dataclass(frozen=True)
class TaskOptions:
    """Options some tasks take; None means the task's default.

    Attributes:
        size: reasoning-gym: problems per generator.
        seed: reasoning-gym: the generators' seed.
        judge: Problem files: the judge of rows that name none.
    """

    size: int | None = None
    seed: int | None = None
    judge: str | None = None

    @classmethod
    def names(cls) -> list[str]:
        """The options, in their order."""
        return [option.name for option in fields(cls)]

    def given(self) -> set[str]:
        """The names of the options that are set."""
        return {option.name for option in fields(self) if getattr(self, option.name) is not None}


Loader = Callable[[DataDir, str | None, TaskOptions], list[Problem]]


@functools.cache
def default_math_judge() -> MathJudge:
    """The process-wide ``MathJudge`` used by the MATH-500 task (its worker starts lazily)."""
    return MathJudge()


def judge_numeric_problem(prediction: object, problem: Problem) -> Judgement:
    """Judge a numeric problem (GSM8K, SVAMP) with ``judge_number``."""
    return judge_number(prediction, problem.answer)


def judge_math_problem(prediction: object, problem: Problem) -> Judgement:
    """Judge a MATH-500 problem with the shared ``MathJudge``."""
    return default_math_judge()(prediction, problem.answer)


def judge_literal_problem(prediction: object, problem: Problem) -> Judgement:
    """Judge a CRUXEval problem with ``judge_literal``."""
    return judge_literal(prediction, problem.answer)


_BBH_FREE_FORM: dict[str, Callable[[object, str], Judgement]] = {
    "dyck_languages": judge_dyck,
    "word_sorting": judge_words,
    "object_counting": judge_number,
    "multistep_arithmetic_two": judge_number,
}
_LABELS = {"true", "false", "yes", "no", "valid", "invalid"}


def judge_bbh_problem(prediction: object, problem: Problem) -> Judgement:
    """Judge a BIG-Bench Hard problem: by its subtask for free-form answers, else by its gold.

    Word sorting, dyck languages, object counting and multistep arithmetic have
    their own judges; a gold in True/False, yes/no, valid/invalid is a label; the
    rest are multiple choice (letters, or the option's text).
    """
    subtask = problem.task.removeprefix("bbh/")
    if subtask in _BBH_FREE_FORM:
        return _BBH_FREE_FORM[subtask](prediction, problem.answer)
    if problem.answer.strip().casefold() in _LABELS:
        return judge_label(prediction, problem.answer)
    return judge_choice(prediction, problem.answer, problem.meta.get("options"))


def _ignore_subset(loader: Callable[[DataDir], list[Problem]], name: str) -> Loader:
    def load(data_dir: DataDir, subset: str | None, options: TaskOptions) -> list[Problem]:
        if subset:
            raise UnknownTaskError(f"Task {name!r} has no subtasks (got {name}:{subset}).")
        return loader(data_dir)

    return load


def _load_bbh(data_dir: DataDir, subset: str | None, options: TaskOptions) -> list[Problem]:
    return load_bbh(data_dir, subset)


def _load_gym(data_dir: DataDir, subset: str | None, options: TaskOptions) -> list[Problem]:
    return load_gym(subset, size=options.size, seed=options.seed)


def _load_file(data_dir: DataDir, subset: str | None, options: TaskOptions) -> list[Problem]:
    if not subset:
        raise UnknownTaskError("file: needs a path, e.g. file:problems.jsonl (or just the path).")
    return load_file(subset, judge=options.judge)


@dataclass(frozen=True)
class Task:
    """A benchmark: how to load its problems and how to judge an answer.

    Attributes:
        name: Registry name, e.g. ``"gsm8k"``.
        description: One line for listings.
        load: ``load(data_dir, subset)`` -> problems; ``subset`` is the part after
            ``:`` in a task spec (BIG-Bench Hard task names), or None.
        judge: ``judge(prediction, problem)`` -> ``Judgement``.
        options: The :class:`TaskOptions` fields the task takes.
        subtasks: Lists the names a subset may pick (BBH's tasks, reasoning-gym's
            generators); None when the task has none.
        listed: Whether ``pot tasks`` lists it by name (problem files are not).
    """

    name: str
    description: str
    load: Loader
    judge: Judge
    options: frozenset[str] = field(default_factory=frozenset)
    subtasks: Callable[[], Sequence[str]] | None = None
    listed: bool = True


TASKS: dict[str, Task] = {
    "gsm8k": Task(
        "gsm8k",
        "GSM8K test, 1319 grade-school word problems (numeric answers)",
        _ignore_subset(load_gsm8k, "gsm8k"),
        judge_numeric_problem,
    ),
    "svamp": Task(
        "svamp",
        "SVAMP, 1000 arithmetic word problems (numeric answers)",
        _ignore_subset(load_svamp, "svamp"),
        judge_numeric_problem,
    ),
    "math500": Task(
        "math500",
        "MATH-500, 500 competition problems (LaTeX answers, math-verify)",
        _ignore_subset(load_math500, "math500"),
        judge_math_problem,
    ),
    "bbh": Task(
        "bbh",
        "BIG-Bench Hard, 27 tasks, 6511 problems (select with bbh:task1,task2)",
        _load_bbh,
        judge_bbh_problem,
        subtasks=lambda: BBH_TASKS,
    ),
    "cruxeval": Task(
        "cruxeval",
        "CRUXEval output prediction, 800 Python functions (literal answers)",
        _ignore_subset(load_cruxeval, "cruxeval"),
        judge_literal_problem,
    ),
    "rg": Task(
        "rg",
        "reasoning-gym's generators, each with its own scorer (rg:suite, rg:NAME1,NAME2; "
        "--size N per generator, --seed S)",
        _load_gym,
        judge_gym_problem,
        options=frozenset({"size", "seed"}),
        subtasks=generator_names,
    ),
    "file": Task(
        "file",
        "your own problems: PATH.jsonl or PATH.csv with question and answer "
        "(--judge number|math|exact|choice)",
        _load_file,
        judge_file_problem,
        options=frozenset({"judge"}),
        listed=False,
    ),
}
"""Built-in tasks by name."""


def get_task(spec: str) -> tuple[Task, str | None]:
    """Look up a task spec such as ``"gsm8k"``, ``"bbh:date_understanding,navigate"``,
    ``"rg:suite"`` or ``"problems.jsonl"``.

    Returns:
        The task and the subset (the part after ``:``, the file's path, or None).

    Raises:
        UnknownTaskError: The name is not in ``TASKS``.
    """
    if is_problem_file(spec):
        text = spec.strip()
        path = text[len("file:") :] if text.casefold().startswith("file:") else text
        return TASKS["file"], path.strip() or None
    name, _, subset = spec.strip().partition(":")
    name = name.strip().casefold()
    if name not in TASKS:
        known = ", ".join(task for task in TASKS if TASKS[task].listed)
        raise UnknownTaskError(
            f"Unknown task {name!r}. Known tasks: {known}, or a problem file "
            "(.jsonl or .csv); `pot tasks` lists them."
        )
    return TASKS[name], subset.strip() or None


def load_problems(
    spec: str,
    *,
    data_dir: DataDir = None,
    limit: int | None = None,
    per_task: int | None = None,
    shard: str | tuple[int, int] | None = None,
    options: TaskOptions | None = None,
    ids: Sequence[str] | None = None,
) -> list[Problem]:
    """Load a task's problems, optionally the first ``limit`` of them and one shard.

    ``per_task`` keeps the first N of each subtask (BBH's 27 tasks; a task
    without subtasks is one), then ``limit`` the first N of what is left, then
    the shard: ``limit=200, shard="1/4"`` is the second quarter of the first
    200 problems, and ``"bbh:navigate,word_sorting"`` with ``per_task=20`` is
    40 problems, 20 of each.

    Args:
        spec: Task spec, e.g. ``"gsm8k"``, ``"bbh"``, ``"bbh:navigate,word_sorting"``.
        data_dir: Data folder (default ``POT_DATA``, then the cache, then a download).
        limit: Keep only the first ``limit`` problems.
        per_task: Keep only the first ``per_task`` problems of each subtask.
        shard: ``"I/N"`` or ``(I, N)``: keep the problems whose index ``% N == I``.
        options: Task options (reasoning-gym's size and seed, a file's judge).
        ids: Keep only the problems with these ids (in the task's order), before
            ``per_task``, ``limit`` and the shard.

    Raises:
        UnknownTaskError: Unknown task or subtask.
        UnknownProblemError: An id in ``ids`` that the task does not have.
        TaskOptionError: An option the task does not take.
        ShardSpecError: A malformed shard.
        DataUnavailableError: The data could not be found or downloaded.
        MissingDependencyError: The task needs a package that is not installed.
        pot.tasks.files.ProblemFileError: A problem file that cannot be read.
    """
    task, subset = get_task(spec)
    options = options or TaskOptions()
    refused = [name for name in options.names() if name in options.given() - task.options]
    if refused:
        flags = " and ".join(f"--{name}" for name in refused)
        takers = {"size": "rg: tasks", "seed": "rg: tasks", "judge": "problem files"}
        where = " and ".join(sorted({takers[name] for name in refused}))
        raise TaskOptionError(f"{flags} apply to {where} only, not to {spec}")
    problems = task.load(data_dir, subset, options)
    if ids is not None:
        problems = select_ids(problems, ids, spec)
    if per_task is not None:
        seen: Counter[str] = Counter()
        kept = []
        for problem in problems:
            seen[problem.task] += 1
            if seen[problem.task] <= per_task:
                kept.append(problem)
        problems = kept
    if limit is not None:
        problems = problems[: max(0, limit)]
    return select_shard(problems, shard) if shard is not None else problems


def judge(prediction: object, problem: Problem) -> Judgement:
    """Judge a prediction for any registered task's problem (by ``problem.task``).

    Raises:
        UnknownTaskError: The problem's task is not in ``TASKS``.
    """
    name = problem.task.split("/", 1)[0]
    if name not in TASKS:
        raise UnknownTaskError(f"No judge for task {problem.task!r}.")
    return TASKS[name].judge(prediction, problem)


def describe_task(
    spec: str, options: TaskOptions | None = None, shard: str | None = None
) -> TaskSpec:
    """What a run record keeps about a task: the spec and all that decides its problems.

    reasoning-gym's size and seed are resolved to their defaults and the package
    version is kept; a problem file's sha256 is kept, so an edited file is another task.

    Raises:
        UnknownTaskError: Unknown task.
    """
    task, subset = get_task(spec)
    options = options or TaskOptions()
    described = TaskSpec(spec=spec.strip(), shard=shard, judge=options.judge)
    if task.name == "rg":
        size = DEFAULT_SIZE if options.size is None else options.size
        seed = DEFAULT_SEED if options.seed is None else options.seed
        return described.model_copy(update={"size": size, "seed": seed, "package": gym_version()})
    if task.name == "file" and subset:
        try:
            digest = hashlib.sha256(Path(subset).expanduser().read_bytes()).hexdigest()
        except OSError:
            digest = None
        return described.model_copy(update={"file_sha256": digest})
    return described


def task_file_name(spec: str, options: TaskOptions | None = None) -> str:
    """A short name for a task spec in default results file names.

    ``path/to/my.jsonl`` -> ``my``; ``rg:suite`` -> ``rg_suite-seed0-n20``; others as given.
    """
    task, subset = get_task(spec)
    options = options or TaskOptions()
    if task.name == "file" and subset:
        return file_stem(subset)
    if task.name == "rg":
        size = DEFAULT_SIZE if options.size is None else options.size
        seed = DEFAULT_SEED if options.seed is None else options.seed
        return f"{re.sub(r'[^A-Za-z0-9]+', '_', spec.strip()).strip('_')}-seed{seed}-n{size}"
    return spec.strip()
