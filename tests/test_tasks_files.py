"""Your own problem files: JSON lines and CSV, judges named or guessed, bad files refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pot.tasks import (
    ProblemFileError,
    TaskOptionError,
    TaskOptions,
    guess_judge,
    judge,
    load_file,
    load_problems,
)
from pot.tasks.registry import describe_task, task_file_name


def write_jsonl(path: Path, rows: list[object]) -> Path:
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    return path


def test_jsonl_problems_with_ids_extra_fields_and_a_guessed_judge(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "my problems.jsonl",
        [
            {"question": "How many legs do 3 spiders have?", "answer": 24, "level": "easy"},
            {"id": "q7", "question": "What is 1/4 of 100 dollars?", "answer": "$25"},
        ],
    )
    first, second = load_problems(str(path))
    assert (first.id, second.id) == ("file/my_problems/0", "file/my_problems/q7")
    assert first.task == "file/my_problems" and first.answer == "24"
    assert first.meta["level"] == "easy" and first.meta["line"] == 1
    assert first.meta["judge"] == "number" and first.meta["judge_guessed"]
    assert judge("24.0", first).correct and not judge("23", first).correct
    assert judge("The answer is 25", second).correct


def test_csv_with_a_judge_column_and_the_option_for_the_rest(tmp_path: Path) -> None:
    path = tmp_path / "words.csv"
    path.write_text(
        "id,question,answer,judge\n"
        "a,Capital of France?,Paris,\n"
        'b,"Which is larger?\n(A) 2\n(B) 3",B,choice\n'
        "c,Spell 'cat' backwards,tac,\n",
        encoding="utf-8",
    )
    problems = load_problems(f"file:{path}", options=TaskOptions(judge="exact"))
    assert [p.id for p in problems] == ["file/words/a", "file/words/b", "file/words/c"]
    assert [p.meta["judge"] for p in problems] == ["exact", "choice", "exact"]
    assert [p.meta["line"] for p in problems] == [2, 3, 6]  # a quoted cell spans lines
    capital, larger, backwards = problems
    assert judge("  paris ", capital).correct and not judge("Lyon", capital).correct
    assert larger.question == "Which is larger?\n(A) 2\n(B) 3"
    assert judge("(B)", larger).correct and judge("3", larger).correct
    assert not judge("(A)", larger).correct
    assert judge("TAC", backwards).correct and not judge("tack", backwards).correct


@pytest.mark.parametrize(
    ("golds", "expected"),
    [
        (["18", "-3", "1,234", "2.5", "$40", "3/4", "15%"], "number"),
        (["A", "(C)", "B"], "choice"),
        (["\\frac{1}{2}", "7"], "math"),
        (["x^2 + 1", "3"], "math"),
        (["[1, 3)", "2"], "math"),
        (["Paris", "blue whale", "12"], "exact"),
        (["well-known", "up-to-date", "12"], "exact"),  # hyphenated words are no expression
        (["x = 5", "3"], "math"),
        (["2x + 1", "3"], "math"),
    ],
)
def test_the_judge_is_guessed_from_the_golds(golds: list[str], expected: str) -> None:
    assert guess_judge(golds) == expected


def test_mixed_golds_judge_a_number_as_a_number_and_text_as_text(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "mixed.jsonl",
        [
            {"question": "How many?", "answer": "1,000"},
            {"question": "Who is the sage?", "answer": "Owen is a sage"},
            {"question": "When?", "answer": "03:10:44"},
            {"question": "Sort them, comma-separated.", "answer": "apple, fig, pear"},
            {"question": "Which is larger?\n(A) 2\n(B) 3", "answer": "B"},
        ],
    )
    count, sage, time, fruit, larger = load_file(path)
    assert larger.meta["judge"] == "choice" and judge("(B) 3", larger).correct
    assert [p.meta["judge"] for p in (count, sage, time)] == ["number", "exact", "exact"]
    assert judge("apple,fig,pear", fruit).correct and judge("Apple ,  fig, pear", fruit).correct
    assert not judge("apple fig pear", fruit).correct
    assert judge("1000.0", count).correct and not judge("1001", count).correct
    assert judge("Owen is a sage.", sage).correct and judge("owen is  a sage", sage).correct
    assert not judge("Owen is a fool.", sage).correct
    assert judge("03:10:44", time).correct and not judge("3:10:44", time).correct
    path = write_jsonl(
        tmp_path / "algebra and words.jsonl",
        [
            {"question": "Solve for x.", "answer": "\\frac{1}{2}"},
            {"question": "Who is the sage?", "answer": "Daniel"},
        ],
    )
    half, name = load_file(path)
    assert [p.meta["judge"] for p in (half, name)] == ["math", "exact"]
    assert judge("0.5", half).correct and judge("daniel", name).correct
    (given,) = load_file(
        write_jsonl(tmp_path / "one.jsonl", [{"question": "?", "answer": "7"}]), "exact"
    )
    assert given.meta["judge"] == "exact" and not judge("7.0", given).correct  # as asked


def test_the_math_judge_compares_expressions(tmp_path: Path) -> None:
    path = write_jsonl(
        tmp_path / "algebra.jsonl", [{"question": "Half of one?", "answer": "\\frac{1}{2}"}]
    )
    (problem,) = load_file(path)
    assert problem.meta["judge"] == "math"
    assert judge("0.5", problem).correct and not judge("1/3", problem).correct


GOOD = '{"question": "Q?", "answer": 1}\n'


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ('{"question": "Q?"}\n', r"line 1: 'answer' is missing"),
        (GOOD + '{"question": " ", "answer": 2}\n', r"line 2: 'question' is empty"),
        (
            GOOD + '\n{"question": "Q?", "answer": [1]}\n',
            r"line 3: 'answer' must be text or a number",
        ),
        (GOOD + '{"question": "Q?" "answer": 1}\n', r"line 2: not JSON"),
        ('["Q?", 1]\n', r"line 1: a JSON object"),
        (
            '{"question": "Q?", "answer": 1, "judge": "fuzzy"}\n',
            r"line 1: 'judge' is 'fuzzy'; use one of number, math, exact, choice",
        ),
        (
            '{"id": "a", "question": "Q?", "answer": 1}\n'
            '{"id": "a", "question": "R?", "answer": 2}\n',
            r"line 2: 'id' 'a' repeats the id of line 1",
        ),
        ("\n\n", r"holds no problems"),
    ],
)
def test_bad_jsonl_names_the_file_line_and_field(
    tmp_path: Path, content: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProblemFileError, match=message) as caught:
        load_problems(str(path))
    assert str(caught.value).startswith(str(path))
    assert "\n" not in str(caught.value)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("q,answer\nWhat?,1\n", r"line 1: the header has no 'question' column"),
        ("question,answer\nWhat?,1,extra\n", r"line 2: more cells than the header"),
        ("question,answer\nWhat?,1\nWho?,\n", r"line 3: 'answer' is empty"),
    ],
)
def test_bad_csv_names_the_file_line_and_field(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ProblemFileError, match=message):
        load_problems(str(path))


def test_missing_files_other_kinds_and_misplaced_options(tmp_path: Path) -> None:
    with pytest.raises(ProblemFileError, match="no such file"):
        load_problems(str(tmp_path / "nowhere.jsonl"))
    other = tmp_path / "problems.txt"
    other.write_text("What?\n", encoding="utf-8")
    with pytest.raises(ProblemFileError, match=r"must end in \.jsonl or \.csv"):
        load_problems(f"file:{other}")
    good = write_jsonl(tmp_path / "good.jsonl", [{"question": "Q?", "answer": "1"}])
    with pytest.raises(TaskOptionError, match="--size apply to rg: tasks only"):
        load_problems(str(good), options=TaskOptions(size=3))
    with pytest.raises(TaskOptionError, match="--judge apply to problem files only"):
        load_problems("gsm8k", options=TaskOptions(judge="number"))


def test_the_record_keeps_the_files_hash(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "mine.jsonl", [{"question": "Q?", "answer": "1"}])
    before = describe_task(str(path), TaskOptions(judge="number"))
    assert before.judge == "number" and before.file_sha256 is not None
    write_jsonl(path, [{"question": "Q?", "answer": "2"}])
    assert describe_task(str(path), TaskOptions(judge="number")).file_sha256 != before.file_sha256
    assert task_file_name(str(path)) == "mine"
