"""Loaders on the shared benchmark files, the registry, and sharding."""

from __future__ import annotations

from pathlib import Path

import pytest

from pot.tasks import (
    BBH_TASKS,
    TASKS,
    Problem,
    ShardSpecError,
    UnknownTaskError,
    get_task,
    judge,
    load_problems,
    parse_shard,
    select_shard,
)


@pytest.fixture(autouse=True)
def _isolated_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Never read or fill the user's cache, never pick up the user's POT_DATA.
    monkeypatch.setenv("POT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("POT_DATA", raising=False)


COUNTS = {"gsm8k": 1319, "svamp": 1000, "math500": 500, "bbh": 6511, "cruxeval": 800}


@pytest.mark.parametrize(("name", "count"), COUNTS.items())
def test_counts_unique_ids_and_fields(shared_data: Path, name: str, count: int) -> None:
    problems = load_problems(name, data_dir=shared_data)
    assert len(problems) == count
    assert len({problem.id for problem in problems}) == count
    for index, problem in enumerate(problems):
        assert problem.id.startswith(f"{name}/")
        assert problem.question.strip() and problem.answer.strip()
        assert problem.task.split("/")[0] == name
        assert problem.meta["index"] == index or name == "bbh"


@pytest.mark.parametrize("name", ["gsm8k", "svamp", "bbh", "cruxeval"])
def test_every_gold_answer_judges_itself_correct(shared_data: Path, name: str) -> None:
    # (MATH-500: test_judges_math judges every reference solution against its gold.)
    problems = load_problems(name, data_dir=shared_data)
    assert [p.id for p in problems if not judge(p.answer, p).correct] == []


def test_gsm8k_fields(shared_data: Path) -> None:
    first = load_problems("gsm8k", data_dir=shared_data)[0]
    assert first.id == "gsm8k/0"
    assert first.answer == "18"
    assert first.question.startswith("Janet")
    answers = [p.answer for p in load_problems("gsm8k", data_dir=shared_data)]
    assert not any("," in answer for answer in answers)


def test_svamp_question_is_body_then_question(shared_data: Path) -> None:
    first = load_problems("svamp", data_dir=shared_data)[0]
    assert first.id == "svamp/chal-1"
    assert first.question == (
        "Each pack of dvds costs 76 dollars. If there is a discount of 25 dollars on each "
        "pack How much do you have to pay to buy each pack?"
    )
    assert first.answer == "51"
    assert first.meta["type"] == "Subtraction"


def test_math500_fields(shared_data: Path) -> None:
    problems = load_problems("math500", data_dir=shared_data)
    assert problems[0].id == "math500/test/precalculus/807"
    assert problems[0].answer == "\\left( 3, \\frac{\\pi}{2} \\right)"
    assert {p.meta["level"] for p in problems} == {1, 2, 3, 4, 5}
    assert len({p.meta["subject"] for p in problems}) == 7


def test_bbh_selection_and_options(shared_data: Path) -> None:
    problems = load_problems("bbh:date_understanding,navigate", data_dir=shared_data)
    assert len(problems) == 500
    assert problems[17].id == "bbh/date_understanding/17"
    assert problems[0].task == "bbh/date_understanding"
    assert problems[0].meta["options"]["A"]
    assert problems[-1].id == "bbh/navigate/249"
    assert "options" not in problems[-1].meta
    assert len(BBH_TASKS) == 27
    tasks = {p.task for p in load_problems("bbh", data_dir=shared_data)}
    assert tasks == {f"bbh/{name}" for name in BBH_TASKS}


def test_bbh_judge_dispatch(shared_data: Path) -> None:
    by_task = {p.task: p for p in load_problems("bbh", data_dir=shared_data)}
    assert judge("b", by_task["bbh/date_understanding"]).correct is (
        by_task["bbh/date_understanding"].answer == "(B)"
    )
    dyck = by_task["bbh/dyck_languages"]
    assert judge(dyck.answer.replace(" ", ""), dyck).correct
    sorting = by_task["bbh/word_sorting"]
    assert judge(", ".join(sorting.answer.split()), sorting).correct
    counting = by_task["bbh/object_counting"]
    assert judge(f"There are {counting.answer} objects.", counting).correct
    label = by_task["bbh/sports_understanding"]
    assert judge(label.answer.upper(), label).correct


def test_cruxeval_question_shows_code_and_call(shared_data: Path) -> None:
    first = load_problems("cruxeval", data_dir=shared_data)[0]
    assert first.id == "cruxeval/sample_0"
    assert "def f(nums):" in first.question
    assert "f([1, 1, 3, 1, 3, 1])" in first.question
    assert first.answer == "[(4, 1), (4, 1), (4, 1), (4, 1), (2, 3), (2, 3)]"
    assert judge("[(4,1),(4,1),(4,1),(4,1),(2,3),(2,3)]", first).correct


def test_unknown_names_are_typed_errors() -> None:
    with pytest.raises(UnknownTaskError, match="Known tasks"):
        get_task("gsm9k")
    with pytest.raises(UnknownTaskError, match="navigat"):
        load_problems("bbh:navigat")
    with pytest.raises(UnknownTaskError):
        load_problems("gsm8k:subset")
    with pytest.raises(UnknownTaskError):
        judge("1", Problem(id="x/1", question="?", answer="1", meta={"task": "x"}))


def test_registry_is_a_plain_dict() -> None:
    assert set(TASKS) == set(COUNTS) | {"rg", "file"}  # generated and your own: no fixed count
    assert all(task.name == name for name, task in TASKS.items())


def test_limit_then_shard(shared_data: Path) -> None:
    problems = load_problems("gsm8k", data_dir=shared_data, limit=10, shard="1/4")
    assert [p.id for p in problems] == ["gsm8k/1", "gsm8k/5", "gsm8k/9"]


def test_per_task_takes_the_first_of_each_subtask(shared_data: Path) -> None:
    problems = load_problems("bbh:navigate,word_sorting", data_dir=shared_data, per_task=2)
    assert [p.id for p in problems] == [
        "bbh/navigate/0",
        "bbh/navigate/1",
        "bbh/word_sorting/0",
        "bbh/word_sorting/1",
    ]
    # then the limit, then the shard
    limited = load_problems(
        "bbh:navigate,word_sorting", data_dir=shared_data, per_task=2, limit=3, shard="1/2"
    )
    assert [p.id for p in limited] == ["bbh/navigate/1"]
    # a task without subtasks is one subtask
    assert len(load_problems("gsm8k", data_dir=shared_data, per_task=5)) == 5


@pytest.mark.parametrize("count", [1, 2, 3, 7])
def test_shards_cover_everything_exactly_once(shared_data: Path, count: int) -> None:
    problems = load_problems("bbh:navigate,word_sorting,snarks", data_dir=shared_data)
    shards = [select_shard(problems, f"{index}/{count}") for index in range(count)]
    ids = [problem.id for shard in shards for problem in shard]
    assert sorted(ids) == sorted(problem.id for problem in problems)
    assert len(ids) == len(set(ids))
    assert max(map(len, shards)) - min(map(len, shards)) <= 1
    # Stable: the same selection on a fresh load.
    again = load_problems("bbh:navigate,word_sorting,snarks", data_dir=shared_data)
    assert [p.id for p in select_shard(again, (0, count))] == [p.id for p in shards[0]]


@pytest.mark.parametrize("spec", ["4/4", "-1/4", "1", "a/b", "1/0", "0/-2"])
def test_bad_shards(spec: str) -> None:
    with pytest.raises(ShardSpecError):
        parse_shard(spec)
    assert parse_shard("3/4") == (3, 4)
