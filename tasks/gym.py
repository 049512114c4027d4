"""reasoning-gym: problems made by its procedural generators, judged by their own scorers.

``pot eval rg:basic_arithmetic,gcd --size 20 --seed 0`` asks
``reasoning_gym.create_dataset(name, size=20, seed=0)`` for each generator. Nothing
is stored: a problem's id, ``rg/NAME/SEED/INDEX``, is enough to make it again, so a
run resumes and two runs on the same ids saw the same questions. Each answer is
scored by the generator's own ``score_answer`` (a float in [0, 1]; partial credit
is kept as the judgement's ``score``, and only 1.0 counts as correct).

``rg`` alone, or ``rg:suite``, is :data:`SUITE`: 20 generators across arithmetic,
algebra, word problems, dates and times, counting, logic, graphs, algorithms and
strings, each asking a self-contained question with one short answer.
"""

from __future__ import annotations

import difflib
import functools
import importlib
import importlib.metadata
from types import ModuleType
from typing import Any

from pot.tasks.base import Judgement, MissingDependencyError, Problem, TaskError, UnknownTaskError
from pot.tasks.files import exact_match

INSTALL_HINT = "pip install 'pot-reasoning[rg]' (or pip install reasoning-gym)"
"""How to get the optional package."""

SUITE_NAME = "suite"
"""``rg:suite`` (and plain ``rg``) selects :data:`SUITE`."""

SUITE: tuple[str, ...] = (
    # arithmetic
    "basic_arithmetic",
    "fraction_simplification",
    "prime_factorization",
    # algebra
    "simple_equations",
    "polynomial_equations",
    # word problems
    "gsm_symbolic",
    "leg_counting",
    # dates and times
    "calendar_arithmetic",
    "time_intervals",
    # counting
    "letter_counting",
    "count_primes",
    # logic puzzles
    "knights_knaves",
    "zebra_puzzles",
    "syllogism",
    # graphs
    "course_schedule",
    "shortest_path",
    # algorithms
    "base_conversion",
    "binary_alternation",
    # strings
    "spell_backward",
    "caesar_cipher",
)
"""The default reasoning-gym set: self-contained text questions, one short answer each."""

DEFAULT_SIZE = 20
"""Problems per generator when ``size`` is not given."""
DEFAULT_SEED = 0
"""The generators' seed when ``seed`` is not given."""

_NOT_STANDALONE = frozenset({"composite"})  # needs a list of other datasets as its config


class GymError(TaskError):
    """reasoning-gym refused a configuration or made a different problem for an id."""


def import_gym() -> ModuleType:
    """Import ``reasoning_gym``.

    Raises:
        MissingDependencyError: The package is not installed (the message says how to).
    """
    try:
        return importlib.import_module("reasoning_gym")
    except ImportError as error:
        raise MissingDependencyError(
            f"rg: tasks need reasoning-gym, which is not installed: {INSTALL_HINT}"
        ) from error


def gym_version() -> str | None:
    """The installed reasoning-gym version, or None when it is not installed."""
    try:
        return importlib.metadata.version("reasoning-gym")
    except importlib.metadata.PackageNotFoundError:
        return None


def generator_names() -> list[str]:
    """Every generator reasoning-gym registers (``composite``, which needs a config, left out).

    Raises:
        MissingDependencyError: reasoning-gym is not installed.
    """
    import_gym()
    factory = importlib.import_module("reasoning_gym.factory")
    return sorted(set(factory.DATASETS) - _NOT_STANDALONE)


def generator_kinds() -> dict[str, str]:
    """Each generator's kind, as reasoning-gym files it (``gcd`` -> ``arithmetic``).

    Raises:
        MissingDependencyError: reasoning-gym is not installed.
    """
    import_gym()
    factory = importlib.import_module("reasoning_gym.factory")
    kinds = {}
    for name in generator_names():
        module = str(factory.DATASETS[name][0].__module__).split(".")
        kinds[name] = module[1] if len(module) > 1 else "other"
    return kinds


def generator_names_from(selection: str | None) -> list[str]:
    """Resolve ``"suite"``, ``""``/None (the suite) or ``"name1,name2"`` into generator names.

    ``suite`` may be mixed with names: ``"suite,gcd"``. Duplicates are dropped.

    Raises:
        UnknownTaskError: A name reasoning-gym does not have (close names suggested).
        MissingDependencyError: reasoning-gym is not installed.
    """
    known = generator_names()
    names: list[str] = []
    for part in (selection or SUITE_NAME).split(","):
        name = part.strip()
        if not name:
            continue
        if name.casefold() == SUITE_NAME:
            names.extend(SUITE)
        elif name in known:
            names.append(name)
        else:
            close = difflib.get_close_matches(name, known, n=3)
            hint = f" Did you mean {', '.join(close)}?" if close else ""
            raise UnknownTaskError(
                f"reasoning-gym has no generator {name!r}.{hint} `pot tasks` lists them all."
            )
    return list(dict.fromkeys(names)) or list(SUITE)


@functools.lru_cache(maxsize=256)
def _dataset(name: str, size: int, seed: int) -> Any:
    gym = import_gym()
    try:
        return gym.create_dataset(name, size=size, seed=seed)
    except (ValueError, TypeError, AssertionError) as error:
        raise GymError(
            f"reasoning-gym could not make {name} (size {size}, seed {seed}): {error}"
        ) from error


def problem_id(name: str, seed: int, index: int) -> str:
    """The id of problem ``index`` of generator ``name`` with ``seed``: ``rg/NAME/SEED/INDEX``."""
    return f"rg/{name}/{seed}/{index}"


def load_gym(
    selection: str | None = None, *, size: int | None = None, seed: int | None = None
) -> list[Problem]:
    """Generate ``size`` problems with ``seed`` from each selected generator, in order.

    Args:
        selection: ``"suite"`` (default), or generator names separated by commas.
        size: Problems per generator (default :data:`DEFAULT_SIZE`).
        seed: The generators' seed (default :data:`DEFAULT_SEED`).

    Raises:
        UnknownTaskError: An unknown generator.
        MissingDependencyError: reasoning-gym is not installed.
        GymError: A generator refused the size or seed.
    """
    size = DEFAULT_SIZE if size is None else size
    seed = DEFAULT_SEED if seed is None else seed
    if size < 1:
        raise GymError(f"rg: size must be at least 1, got {size}")
    problems = []
    for name in generator_names_from(selection):
        dataset = _dataset(name, size, seed)
        for index in range(size):
            entry = dataset[index]
            gold = entry.get("answer")
            problems.append(
                Problem(
                    id=problem_id(name, seed, index),
                    question=str(entry["question"]),
                    # a few generators accept many answers and keep no single gold
                    answer="" if gold is None else str(gold),
                    meta={
                        "task": f"rg/{name}",
                        "index": index,
                        "generator": name,
                        "seed": seed,
                        "size": size,
                    },
                )
            )
    return problems


def judge_gym_problem(prediction: object, problem: Problem) -> Judgement:
    """Score a prediction with the problem's generator's own ``score_answer``.

    The entry is made again from the problem's generator, size, seed and index
    (cheap: generators are deterministic per index) and must ask the same question.

    Raises:
        GymError: The regenerated entry asks another question (reasoning-gym changed).
        MissingDependencyError: reasoning-gym is not installed.
    """
    meta = problem.meta
    dataset = _dataset(meta["generator"], meta["size"], meta["seed"])
    entry = dataset[meta["index"]]
    if str(entry["question"]) != problem.question:
        raise GymError(
            f"reasoning-gym {gym_version()} makes another question for {problem.id}; "
            "was the run made with another version?"
        )
    answer = None if prediction is None else str(prediction).strip()
    try:
        score = float(dataset.score_answer(answer=answer, entry=entry))
    except Exception as error:  # the generator's scorer choked on a malformed answer
        return Judgement(
            correct=False, normalized=answer, score=0.0, reason=f"scorer raised {error!r}"
        )
    # exactly 1: spell_backward scores a wrong answer that starts with the right one
    # 1.0000000000000002
    if score == 1.0 and _accepts_anything(dataset, entry):
        right = exact_match(answer, str(entry["answer"])).correct
        return Judgement(
            correct=right,
            normalized=answer,
            score=float(right),
            reason=f"{meta['generator']}'s scorer accepts any answer: judged by exact match",
        )
    return Judgement(correct=score == 1.0, normalized=answer, score=score)


DECOY = "(pot's probe: no answer at all)"
"""An answer no question has: a scorer that gives it full credit accepts anything
(reasoning-gym 0.1's ``game_of_life_halting`` compares ``bool(answer)``, so ``"True"``
scored 1 against a gold ``"False"``)."""


def _accepts_anything(dataset: Any, entry: dict[str, Any]) -> bool:
    try:
        return float(dataset.score_answer(answer=DECOY, entry=entry)) >= 1.0
    except Exception:  # a scorer that chokes on the decoy does not accept it
        return False
