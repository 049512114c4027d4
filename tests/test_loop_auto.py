"""The adaptive mode: two programs from two prompts; agreement ends it, disagreement escalates."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from pot.answers import AnswerSource
from pot.auto import AUTO_ESCALATION, AUTO_WORDS_ESCALATION
from pot.executors import JupyterExecutor
from pot.jupyter.chat import step_markdown
from pot.notation import asked_separator, in_question_notation
from pot.notebook import write_notebook
from pot.prompts import (
    ANSWER_START,
    CUT_OFF_NOTE,
    RESTATE_SYSTEM,
    SECOND_OPINION_SYSTEM,
    SYSTEMS,
)
from pot.render import step_renderable
from pot.restate import (
    RESTATE_TOKENS,
    another_line,
    changes_value,
    into_latex,
    whole_as_asked,
)
from pot.solver import Solver
from pot.step_html import step_html
from pot.testing import ScriptedModel
from pot.trace import Mode, SampleAnswer, TextStep


def program(value: str) -> str:
    return f"```python\nprint({value})\n```"


def test_two_agreeing_programs_end_the_solve(kernel: JupyterExecutor) -> None:
    model = ScriptedModel([program("6 * 7"), program("42")])
    trace = Solver(model, kernel, mode="auto").solve("What is 6 times 7?")
    assert trace.answer.normalized == "42"
    assert trace.answer.source is AnswerSource.VOTE
    assert trace.samples == 2
    assert len(model.calls) == 1  # two programs in one batch; a whole number is not restated
    first, second = model.calls[0].conversations
    assert first[0].content == SYSTEMS[Mode.POT]
    assert len(first) > 2  # pot's prompt has worked examples
    assert [message.content for message in second] == [
        SECOND_OPINION_SYSTEM,
        "What is 6 times 7?",
    ]
    assert all(call.config.temperature == 0 for call in model.calls)


async def test_the_two_programs_are_one_batch_on_asyncio_too(kernel: JupyterExecutor) -> None:
    model = ScriptedModel([program("6 * 7"), program("42"), "{42}"])
    trace = await Solver(model, kernel, mode="auto").asolve("What is 6 times 7? In words.")
    assert trace.answer.normalized == "42" and trace.samples == 2
    pair = model.calls[0]
    assert [conversation[0].content for conversation in pair.conversations] == [
        SYSTEMS[Mode.POT],
        SECOND_OPINION_SYSTEM,
    ]
    # both rows' prompts are counted (the scripted model counts a prompt's words)
    words_of = [sum(len(m.content.split()) for m in c) for c in pair.conversations]
    restating = sum(len(m.content.split()) for m in model.calls[1].conversations[0])
    assert trace.prompt_tokens == sum(words_of) + restating
    assert [step.sample for step in trace.code_steps] == [0, 1]


def words(value: str) -> str:
    return f"Six sevens make \\boxed{{{value}}}."


def chains(*values: str) -> list[str]:
    """The sampled chains of thought an escalation asks for, one a value."""
    assert len(values) == AUTO_WORDS_ESCALATION
    return [words(value) for value in values]


def test_disagreement_asks_for_words_and_more_programs_and_votes(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        [
            program("41"),
            program("42"),
            words("42"),
            program("42"),
            program("40"),
            program("42"),
            *chains("42", "40", "39"),
            "{42}",
        ]
    )
    trace = Solver(model, kernel, mode="auto", seed=3).solve("What is 6 times 7?")
    assert trace.answer.normalized == "42"
    assert trace.vote is not None
    assert trace.vote.counts[0].votes == 5 and trace.vote.counts[0].samples == [1, 2, 3, 5, 6]
    assert trace.samples == 3 + AUTO_ESCALATION + AUTO_WORDS_ESCALATION
    chain = model.calls[1]  # the chain of thought: cot's prompt, greedy
    assert chain.conversations[0][0].content == SYSTEMS[Mode.COT]
    assert chain.config.temperature == 0 and chain.config.n == 1
    escalation = model.calls[2]
    assert escalation.config.n == AUTO_ESCALATION
    assert escalation.config.temperature == pytest.approx(0.7)
    sampled_chains = model.calls[3]  # more chains of thought: cot's prompt, sampled, one batch
    assert sampled_chains.conversations[0][0].content == SYSTEMS[Mode.COT]
    assert sampled_chains.config.n == AUTO_WORDS_ESCALATION
    assert sampled_chains.config.temperature == pytest.approx(0.7)
    assert sampled_chains.config.seed != escalation.config.seed
    assert [type(step).__name__ for step in trace.steps].count("SampleAnswer") == 9


def test_a_vote_won_by_words_is_restated_from_a_program_that_gave_it(
    kernel: JupyterExecutor,
) -> None:
    model = ScriptedModel(
        [
            *(program("41"), program("40"), words("42")),
            *(program("6 * 7"), program("7"), program("8")),
            *chains("9", "10", "11"),
        ]
    )
    model.add("{42}")
    trace = Solver(model, kernel, mode="auto").solve("What is 6 times 7, in words?")
    assert trace.answer.normalized == "42"
    assert trace.vote is not None and trace.vote.counts[0].samples == [2, 3]
    assert "print(6 * 7)" in model.calls[-1].conversations[0][-2].content


def test_no_more_chains_of_thought_where_the_answer_is_no_short_one(
    kernel: JupyterExecutor,
) -> None:
    """A chain of thought in words is trusted with numbers and a few words; for a list, a
    grid or an expression its answer votes once and no more chains are sampled."""
    model = ScriptedModel(
        [
            *(program("[1, 2]"), program("[2, 1]"), words("[1, 2]")),
            *(program("[1, 2]"), program("[2, 1]"), program("[3]")),
        ]
    )
    model.add("{[1, 2]}")
    trace = Solver(model, kernel, mode="auto").solve("Sort 2 and 1.")
    assert trace.answer.normalized == "[1, 2]"
    assert trace.samples == 3 + AUTO_ESCALATION
    sampled = [call for call in model.calls if call.config.n == AUTO_WORDS_ESCALATION]
    assert [call.conversations[0][0].content for call in sampled] == [SYSTEMS[Mode.POT]]


def test_no_more_chains_of_thought_where_four_programs_agree(kernel: JupyterExecutor) -> None:
    """Chains of one prompt err alike: where four of the five programs gave one answer,
    no chains are sampled to outvote them."""
    replies = [program("41"), program("42"), words("40")]
    replies += [program("42"), program("6 * 7"), program("42")]
    model = ScriptedModel(replies)
    trace = Solver(model, kernel, mode="auto").solve("What is 6 times 7?")
    assert trace.answer.normalized == "42"
    assert trace.samples == 3 + AUTO_ESCALATION and not model.replies
    assert [call.config.n for call in model.calls] == [1, 1, AUTO_ESCALATION]


def test_a_failed_program_does_not_vote_and_escalates(kernel: JupyterExecutor) -> None:
    model = ScriptedModel(
        [
            program("7"),
            program("1 / 0"),
            words("9"),
            program("1 / 0"),
            program("8"),
            program("7"),
            *chains("6", "5", "4"),
            "{7}",
        ]
    )
    trace = Solver(model, kernel, mode="auto", max_steps=1).solve("What is 3 + 4?")
    assert trace.answer.normalized == "7"
    samples = [step for step in trace.steps if isinstance(step, SampleAnswer)]
    oks = [sample.answer.ok for sample in samples]
    assert oks == [True, False, True, False, True, True, True, True, True]


def test_the_chain_of_thought_wins_a_tie_it_is_in(kernel: JupyterExecutor) -> None:
    """Where the programs split, the one route that wrote no program decides."""
    replies = [program("1"), program("2"), words("6"), program("3"), program("4"), program("5")]
    replies += chains("7", "8", "9")
    trace = Solver(ScriptedModel(replies), kernel, mode="auto").solve("Pick a number.")
    assert trace.answer.normalized == "6"
    assert trace.vote is not None and trace.vote.tie_break == "the chain of thought"
    assert "tie broken by the chain of thought" in trace.answer.detail
    replies = [program("1"), program("2"), words("2"), program("1"), program("5"), program("1")]
    replies += [*chains("3", "4", "7"), "{1}"]
    trace = Solver(ScriptedModel(replies), kernel, mode="auto").solve("Pick a number.")
    assert trace.answer.normalized == "1"  # three votes beat two, words or not


def test_the_first_program_wins_a_tie_without_the_chain_of_thought(
    kernel: JupyterExecutor,
) -> None:
    replies = [program("1"), program("2"), words("6")]
    replies += [program("1"), program("2"), program("5"), *chains("7", "8", "9"), "{1}"]
    trace = Solver(ScriptedModel(replies), kernel, mode="auto").solve("Pick a number.")
    assert trace.answer.normalized == "1"
    assert trace.vote is not None and trace.vote.tie_break == "earliest sample"


def test_auto_chooses_its_own_samples(kernel: JupyterExecutor) -> None:
    with pytest.raises(ValueError, match="leave samples at 1"):
        Solver(ScriptedModel([]), kernel, mode="auto", samples=3)


def test_auto_is_the_default_of_the_front_ends(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from pot.cli import app
    from pot.modes import MODE_ENV, default_mode

    assert default_mode({}) is Mode.AUTO
    assert default_mode({MODE_ENV: "tir"}) is Mode.TIR
    with pytest.raises(ValueError, match="unknown mode"):
        default_mode({MODE_ENV: "fast"})
    monkeypatch.delenv(MODE_ENV, raising=False)
    replies = '["```python\\nprint(6 * 7)\\n```", "```python\\nprint(42)\\n```", "{42}"]'
    result = CliRunner().invoke(
        app, ["solve", "What is 6 * 7?", "--json", "-m", f"scripted:{replies}"]
    )
    assert result.exit_code == 0, result.output
    assert '"mode": "auto"' in result.stdout
    assert '"samples": 2' in result.stdout


def test_the_answer_line_counts_the_samples_auto_drew(kernel: JupyterExecutor) -> None:
    """The front ends pass their `samples` setting (1 in auto mode); the line counts
    what the vote was really taken over, with the samples that gave no answer."""
    from pot.render import answer_line, disagreement

    model = ScriptedModel(
        [
            program("41"),
            program("42"),
            words("41"),
            program("42"),
            program("1 / 0"),
            program("42"),
            *chains("42", "40", "39"),
            "{42}",
        ]
    )
    trace = Solver(model, kernel, mode="auto", max_steps=1).solve("What is 6 times 7?")
    assert trace.vote is not None and trace.vote.samples == 9
    line = answer_line(trace.answer, trace.vote, 1)
    assert line == "Answer: 42 (majority of 9 samples, 4 agreeing)"
    assert disagreement(trace.vote, 1) == (
        "samples disagree: 42 ×4, 41 ×2, 40 ×1, 39 ×1, no answer ×1"
    )


def test_the_answer_is_restated_in_the_form_the_question_asks_for(
    kernel: JupyterExecutor, tmp_path: Path
) -> None:
    question = "How long is it from 10:32 to 22:19? Answer in HH:MM."
    hours = "(22 * 60 + 19 - (10 * 60 + 32)) / 60"
    model = ScriptedModel([program(hours), program(hours), "{11:47}."])
    trace = Solver(model, kernel, mode="auto").solve(question)
    assert trace.answer.value == "11:47"
    assert trace.answer.source is AnswerSource.RESTATED
    assert trace.answer.detail.startswith("11.783333333333333 restated in the form")
    assert trace.vote is not None and trace.vote.winner == "11.783333333333333"
    restating = model.calls[1]
    assert restating.config.temperature == 0 and restating.config.max_new_tokens == RESTATE_TOKENS
    asked = restating.conversations[0]
    assert asked[0].content == RESTATE_SYSTEM
    assert question in asked[-2].content and hours in asked[-2].content
    assert "11.783333333333333" in asked[-2].content  # what the program printed
    assert asked[-1].role == "assistant" and asked[-1].content == ANSWER_START
    last = trace.steps[-1]  # the turn is a step of the winning sample, after its program
    assert isinstance(last, TextStep) and last.sample == 0 and last.index == 1
    assert last.text == ANSWER_START + "{11:47}."
    assert last.restates and not any(
        step.restates for step in trace.steps[:-1] if isinstance(step, TextStep)
    )
    # every front end says what the turn is, not "step 2" of the sample's reasoning
    shown = "the answer restated in the form the question asks for"
    assert shown in str(step_renderable(last).title)
    assert "sample" not in str(step_renderable(last).title)  # sample 0 is unnamed, as its code
    assert shown in step_html(last)
    assert shown in step_markdown(last)
    notebook = nbformat.read(write_notebook(trace, tmp_path / "restated.ipynb"), 4)
    assert any(shown in cell.source for cell in notebook.cells)


@pytest.mark.parametrize(
    "reply",
    [
        "{0.5}",  # the same answer written otherwise: the program's form is kept
        "{0.5",  # the budget ran out before the brace closed
        "I cannot tell.",  # no answer at all
    ],
)
def test_a_restatement_that_is_no_new_answer_keeps_the_programs(
    kernel: JupyterExecutor, reply: str
) -> None:
    model = ScriptedModel([program("1 / 2"), program("0.5"), reply])
    trace = Solver(model, kernel, mode="auto").solve("What is half of 1?")
    assert trace.answer.value == "0.5"
    assert trace.answer.source is AnswerSource.VOTE


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("{0x7200218}", "0x7200218"),  # the same value in the base asked for
        ("{0x58ac0000}", "119538200"),  # converted in its head and slipped: kept
        ("{0x58ac * 0xa49 << 1}", "119538200"),  # the question's expression: kept
    ],
)
def test_a_restatement_changes_the_form_never_the_value(
    kernel: JupyterExecutor, reply: str, answer: str
) -> None:
    question = "What is (0x58ac << 0x1) * (0xa49 << 0x0)? Reply in hexadecimal."
    model = ScriptedModel([program("(0x58ac << 1) * 0xa49"), program("119538200"), reply])
    trace = Solver(model, kernel, mode="auto").solve(question)
    assert trace.answer.value == answer


NAMES = "print('carol')\nprint('bob')\nprint('alice')"


@pytest.mark.parametrize(
    ("reply", "answer"),
    [
        ("{carol}", "alice"),  # another line the program printed: another value, kept
        ("{Alice}", "alice"),  # the same answer
        ("{The person is alice}", "The person is alice"),  # a sentence: a form of it
    ],
)
def test_a_restatement_picks_no_other_line_the_program_printed(
    kernel: JupyterExecutor, reply: str, answer: str
) -> None:
    code = f"```python\n{NAMES}\n```"
    model = ScriptedModel([code, code, reply])
    trace = Solver(model, kernel, mode="auto").solve("Who lives in the first house?")
    assert trace.answer.value == answer
    assert another_line("alice", "carol", "carol\nbob\nalice\n")
    assert not another_line("alice", "dave", "carol\nbob\nalice\n")  # not printed
    assert not another_line("alice", "Alice", "carol\nbob\nalice\n")  # the same answer


@pytest.mark.parametrize(
    ("before", "after", "changed"),
    [
        ("119538200", "0x58ac0000", True),
        ("15", "16", True),
        ("3776", "-3776", True),
        ("1926033997600", "0x92bc * 0xd2d4 * 0xed9 >> 0x2", True),
        ("119538200", "0x7200218", False),
        ("0.5", "1/2", False),
        ("0.3333333333333333", "1/3", False),  # the value a float holds
        ("-8.4919", "-8.492", True),  # rounded, and the question asked for no rounding
        ("11.7", "12", True),
        ("5.5", "5 1/2", False),
        ("1200000", "1.2 × 10^6", False),
        ("12", "twelve", False),
        ("11.783333333333333", "11:47", False),  # no number: not comparable
        ("True", "Yes", False),
        ("[2, 7]", "2 × 7", False),  # the program's answer is no number
    ],
)
def test_which_restatements_change_the_value(before: str, after: str, changed: bool) -> None:
    assert changes_value(before, after) is changed


def test_a_restatement_into_latex_the_question_never_used_keeps_the_programs(
    kernel: JupyterExecutor,
) -> None:
    printed = "3*x**3*cos(x) - 18*x*cos(x)"
    reply = "{3x^3\\cos(x) - 18x\\cos(x)}"
    model = ScriptedModel([program(repr(printed)), program(repr(printed)), reply])
    trace = Solver(model, kernel, mode="auto").solve("Find the antiderivative of x**2.")
    assert trace.answer.value == printed


@pytest.mark.parametrize(
    ("before", "after", "question", "into"),
    [
        ("-2*sin(2*x - 10)**5/5", "-\\frac{2\\sin^5(2x - 10)}{5}", "Integrate it.", True),
        ("exp(x)/2", "\\dfrac{e^x}{2}", "Differentiate it.", True),
        ("1/2", "\\frac{1}{2}", "What is $\\frac{3}{6}$ in lowest terms?", False),
        ("2*sqrt(2)", "2\\sqrt{2}", "Simplify $\\sqrt{8}$.", False),
        ("[2, 3, 7]", "2 \\times 3 \\times 7", "Factor 42.", False),  # no math command
        ("17", "17", "What is 8 + 9?", False),
    ],
)
def test_which_restatements_move_into_latex(
    before: str, after: str, question: str, into: bool
) -> None:
    assert into_latex(before, after, question) is into


@pytest.mark.parametrize(
    ("before", "after", "question"),
    [
        ("0.5833333333333334", "58.3%", "What share is left? Give a percentage."),
        ("11.783333333333333", "11.78", "How many hours? Round to 2 decimal places."),
        ("11.7", "12", "How many, to the nearest whole number?"),
        ("3.14159", "3.14", "Approximately what is pi?"),
    ],
)
def test_rounding_is_a_form_where_the_question_asks_for_it(
    before: str, after: str, question: str
) -> None:
    assert not changes_value(before, after, question)
    assert changes_value(before, after, "What is the value?")


@pytest.mark.parametrize(
    ("printed", "reply", "answer"),
    [
        ("['is', 'a', 'test']", "{is, a, test}", "is, a, test"),  # written out: taken
        ("(3, 41)", "{3, 41}", "3, 41"),
        ("['-2.5', '7']", "{[-2.5, 7]}", "['-2.5', '7']"),  # still a list: the program's
        ("3, 41", "{[3, 41]}", "3, 41"),
        # the question said "Use ** instead of ^"; the turn wrote ^: the same answer
        ("-1020*z**4 + 3139*z**2", "{-1020*z^4 + 3139*z^2}", "-1020*z**4 + 3139*z**2"),
    ],
)
def test_which_form_of_the_same_answer_is_taken(
    kernel: JupyterExecutor, printed: str, reply: str, answer: str
) -> None:
    model = ScriptedModel([program(repr(printed)), program(repr(printed)), reply])
    trace = Solver(model, kernel, mode="auto").solve("Reverse the words: test a is")
    assert trace.answer.value == answer


def test_a_rounding_the_question_did_not_ask_for_keeps_the_programs_digits(
    kernel: JupyterExecutor,
) -> None:
    model = ScriptedModel([program("-8.4919"), program("-8.4919"), "{-8.492}"])
    trace = Solver(model, kernel, mode="auto").solve("What is 0.32 + 8.843 - 17.6557?")
    assert trace.answer.normalized == "-8.4919"
    model = ScriptedModel([program("0.1 + 0.2"), program("0.3"), "{0.3}"])
    trace = Solver(model, kernel, mode="auto").solve("What is 0.1 + 0.2?")
    assert trace.answer.normalized == "0.3"  # one answer: 0.30000000000000004 is 0.3


def test_no_restatement_without_a_program_or_when_turned_off(kernel: JupyterExecutor) -> None:
    model = ScriptedModel([program("6 * 7"), program("42")])
    trace = Solver(model, kernel, mode="auto", restate=False).solve("What is 6 times 7?")
    assert trace.answer.normalized == "42" and len(model.calls) == 1
    model = ScriptedModel(["No code."] * 7)
    trace = Solver(model, kernel, mode="auto", max_steps=1).solve("What is 6 times 7?")
    assert not trace.answer.ok
    # two programs (one batch), words (nudged once to answer), the programs' batch; a
    # chain of thought that gave no answer is not sampled again; no restating
    assert len(model.calls) == 4 and not model.replies


def test_a_stream_closed_early_closes_cleanly(kernel: JupyterExecutor) -> None:
    # a front end that stops reading (a cancelled chat reply) closes the stream mid-solve
    model = ScriptedModel([program("6 * 7"), program("41")])
    stream = Solver(model, kernel, mode="auto").stream("What is 6 times 7?")
    first = next(stream)
    assert first.kind == "code"
    stream.close()
    assert len(model.calls) == 1


MATRIX = "Rotate the matrix below by 90 degrees:\n5 8\n2 1\n"
ANAGRAMS = (
    'Group the anagrams, e.g. [["eat", "tea"], ["tan"]].\nGroup these: ["tea", "eat", "nat", "tan"]'
)


@pytest.mark.parametrize(
    ("question", "value", "written"),
    [
        (ANAGRAMS, "[['tea', 'eat'], ['nat', 'tan']]", '[["tea", "eat"], ["nat", "tan"]]'),
        (ANAGRAMS, "('a', None, 2.5)", '["a", null, 2.5]'),
        (ANAGRAMS, '[["tea", "eat"]]', None),  # JSON already
        (ANAGRAMS, "[1, 2]", None),  # no strings: the same in both
        (ANAGRAMS, "{1: 'a'}", None),  # JSON has no number keys
        (ANAGRAMS, "{'a', 'b'}", None),  # nor sets
        (ANAGRAMS, "it's 5", None),  # no Python value
        ("Sort them; use ['-69', '-13'] for -69, -13", "['-13', '-69']", None),
        ('Output as {"name": value}', "{'Ann': 3}", '{"Ann": 3}'),
        (MATRIX, "[[1, 0], [2, 3]]", "1 0\n2 3"),  # the question's matrix notation
        (MATRIX, "[[1.5, 0], [2, 3]]", "1.5 0\n2 3"),
        (MATRIX, "[[1. 0.]\n [2. 3.5]]", "1.0 0.0\n2.0 3.5"),  # a NumPy array, printed
        (MATRIX, "[[1 0]\n [2 3]]", "1 0\n2 3"),
        (MATRIX, "[1, 0, 2, 3]", None),  # no matrix
        (MATRIX, "[[1, 0], [2]]", None),  # rows of different lengths
        (MATRIX, "[[True, False]]", None),
        (MATRIX + "Answer as [[a, b], [c, d]].", "[[1, 0], [2, 3]]", None),  # brackets asked
        ("Rotate [[5, 8], [2, 1]].", "[[1, 0], [2, 3]]", None),
    ],
)
def test_a_printed_list_in_the_questions_json_notation(
    question: str, value: str, written: str | None
) -> None:
    assert in_question_notation(question, value) == written


def test_auto_answers_in_the_questions_json_notation(kernel: JupyterExecutor) -> None:
    printed = "[['tea', 'eat'], ['nat', 'tan']]"
    model = ScriptedModel([program(printed)] * 2 + ["{" + printed + "}"])
    trace = Solver(model, kernel, mode="auto").solve(ANAGRAMS)
    assert trace.answer.value == '[["tea", "eat"], ["nat", "tan"]]'
    assert trace.answer.source is AnswerSource.RESTATED
    assert "in the question's notation" in trace.answer.detail
    assert len(model.calls) == 1  # written so without a restating turn
    model = ScriptedModel([program(printed)] * 2 + ["{" + printed + "}"])
    trace = Solver(model, kernel, mode="auto", restate=False).solve(ANAGRAMS)
    assert trace.answer.value == printed


@pytest.mark.parametrize(
    "code", ["[[2, 5], [1, 8]]", "__import__('numpy').array([[2, 5], [1, 8]])"]
)
def test_auto_answers_a_matrix_as_the_question_writes_one(
    kernel: JupyterExecutor, code: str
) -> None:
    model = ScriptedModel([program(code)] * 2)  # a NumPy array prints over two lines
    trace = Solver(model, kernel, mode="auto").solve(MATRIX)
    assert trace.answer.value == "2 5\n1 8"
    assert len(model.calls) == 1


@pytest.mark.parametrize(
    ("question", "separator"),
    [
        ("Sort the words. Your output should be a comma-separated list of words.", ", "),
        ("Give the ladder as a comma-separated sequence of uppercase letters without spaces.", ","),
        ("List the primes, separated by commas.", ", "),
        ("Your output should be a space-separated list of integers.", " "),
        ("Separate node labels with a single space.", " "),
        ("What is 2 + 2?", None),
        ("Give them comma-separated, or space-separated if you prefer.", None),  # both: neither
        ("Write the factors separated by × (for 12: 2 × 2 × 3).", " × "),
        ("Write the factors separated by ×.", " × "),  # one space either side
        ("Give the digits separated by '|', e.g. 1|2.", "|"),  # as the question writes it
        ("List them separated by a semicolon.", None),  # a word, not the symbol
    ],
)
def test_the_separator_a_question_asks_for(question: str, separator: str | None) -> None:
    assert asked_separator(question) == separator


def test_a_printed_list_is_written_out_with_the_separator_asked_for() -> None:
    words = "Sort the words. Your output should be a comma-separated list of words."
    assert in_question_notation(words, "['tea', 'eat', 'ate']") == "tea, eat, ate"
    roots = "Provide all answers as comma-separated decimal values."
    assert in_question_notation(roots, "[-0.5314, 0.0, 0.5314]") == "-0.5314, 0.0, 0.5314"
    path = "Separate node labels with a single space."
    assert in_question_notation(path, "(3, 41, 7)") == "3 41 7"
    assert in_question_notation(words, "[['tea'], ['eat']]") is None  # nested: not written out
    assert in_question_notation(words, "['tea']") is None  # one item is no list to write out
    counts = "For example 1 0 1 5 means one A, no B, one C and 5 D. Give the counts now."
    assert in_question_notation(counts, "[0, 2, 1, 4]") == "0 2 1 4"  # written so by example
    assert in_question_notation(counts, "['A', 'B']") is None  # only numbers, by example
    assert in_question_notation("What are 2 and 3 doubled?", "[4, 6]") is None
    assert in_question_notation(roots, "[np.float64(0.5), np.float64(2.0)]") == "0.5, 2.0"
    listed = "Keep the numbers of ['3', '-5', '8'] above 0, comma-separated."
    assert in_question_notation(listed, "['3', '8']") is None  # the question writes lists so


@pytest.mark.parametrize(
    ("question", "value", "written"),
    [
        (
            "Provide only the decrypted text as your final answer.",
            "['TO', 'THIS', 'WORK']",
            "TO THIS WORK",
        ),
        (
            "Your output should be a sentence with the words unscrambled.",
            "('You', 'can')",
            "You can",
        ),
        ("The answer should be a single sentence.", "['Hello,', 'world!']", "Hello, world!"),
        ("Your output should be a sentence.", "['TO THIS', 'WORK']", None),  # not one word each
        ("Your output should be a sentence.", "['TO']", None),  # one word is no list of them
        ("Your output should be a sentence.", "[1, 2]", None),  # numbers
        ("How many words are in the sentence?", "['TO', 'THIS']", None),  # no sentence asked for
        ("Sort the sentence's words; give a comma-separated list.", "['A', 'B']", "A, B"),
    ],
)
def test_a_sentence_printed_as_its_words_is_the_sentence(
    question: str, value: str, written: str | None
) -> None:
    assert in_question_notation(question, value) == written


def test_numbers_printed_one_after_another_are_written_with_the_separator_asked_for() -> None:
    factors = "Find the prime factorization of 112. Write the factors separated by ×."
    assert in_question_notation(factors, "2 2 2 2 7") == "2 × 2 × 2 × 2 × 7"
    assert in_question_notation(factors, "[2, 2, 2, 2, 7]") == "2 × 2 × 2 × 2 × 7"
    assert in_question_notation(factors, "2 × 2 × 2 × 2 × 7") is None  # written so already
    assert in_question_notation(factors, "2 2 2 2 7", sequences=False) is None
    roots = "For 2 solutions: two comma-separated decimal numbers."
    assert in_question_notation(roots, "-0.7868 and 0.7868") == "-0.7868, 0.7868"
    assert in_question_notation(roots, "-0.7868 0.7868") == "-0.7868, 0.7868"
    assert in_question_notation(roots, "1 000") is None  # one number, grouped in thousands
    assert in_question_notation(roots, "x is 3 and 4") is None  # words are no sequence
    assert in_question_notation("What are 2 and 3 doubled?", "4 6") is None  # none asked


def test_auto_writes_numbers_printed_one_after_another_as_asked(kernel: JupyterExecutor) -> None:
    question = "Find the prime factorization of 28. Write the factors separated by ×."
    echoed = "{2 2 7}"  # the restating turn only copies what was printed
    model = ScriptedModel(["```python\nprint(*[2, 2, 7])\n```"] * 2 + [echoed])
    trace = Solver(model, kernel, mode="auto").solve(question)
    assert trace.answer.value == "2 × 2 × 7"
    assert len(model.calls) == 2  # the turn still ran: it may round what was printed
    model = ScriptedModel(["```python\nprint(2, 2, 7)\n```"] * 2 + ["{2, 2, 7}"])
    trace = Solver(model, kernel, mode="auto").solve("List the prime factors of 28.")
    assert trace.answer.value == "2, 2, 7"  # no separator asked: the turn's form is taken
    model = ScriptedModel([program("'-0.5 and 0.5'")])
    roots = "Solve x**2 = 1/4. Give the solutions as comma-separated decimals."
    trace = Solver(model, kernel, mode="pot").solve(roots)
    assert trace.answer.value == "-0.5, 0.5"


def test_auto_writes_a_list_out_as_asked_without_a_restating_turn(kernel: JupyterExecutor) -> None:
    question = "Sort apple, fig, date. Your output should be a comma-separated list of words."
    printed = "['apple', 'date', 'fig']"
    model = ScriptedModel([program(printed)] * 2)
    trace = Solver(model, kernel, mode="auto").solve(question)
    assert trace.answer.value == "apple, date, fig"
    assert trace.answer.source is AnswerSource.RESTATED
    assert len(model.calls) == 1


@pytest.mark.parametrize("mode", ["pot", "tir", "coc"])
def test_every_program_mode_writes_a_list_out_as_asked(kernel: JupyterExecutor, mode: str) -> None:
    question = "Sort apple, fig, date. Your output should be a comma-separated list of words."
    printed = "['apple', 'date', 'fig']"
    replies = [program(printed)]
    if mode == "tir":  # the code block runs, then the model states its answer
        replies.append("So the answer is \\boxed{" + printed + "}.")
    trace = Solver(ScriptedModel(replies), kernel, mode=mode).solve(question)
    assert trace.answer.value == "apple, date, fig"
    assert "in the question's notation" in (trace.answer.detail or "")
    if mode != "tir":
        voted = Solver(ScriptedModel(replies * 2), kernel, mode=mode, samples=2).solve(question)
        assert voted.answer.value == "apple, date, fig"


def test_the_baselines_keep_a_printed_list_as_printed(kernel: JupyterExecutor) -> None:
    question = "Sort apple, fig, date. Your output should be a comma-separated list of words."
    printed = "['apple', 'date', 'fig']"
    trace = Solver(ScriptedModel([program(printed)]), kernel, mode="plain").solve(question)
    assert trace.answer.value == printed
    boxed = "So the answer is \\boxed{" + printed + "}."
    trace = Solver(ScriptedModel([boxed]), kernel, mode="cot").solve(question)
    assert trace.answer.value == printed


def test_a_program_cut_off_at_the_length_limit_is_not_run(kernel: JupyterExecutor) -> None:
    cut = "```python\ngrid = [" + ", ".join(["1"] * 40) + "]\nprint(sum(grid))\n```"
    model = ScriptedModel([cut, program("40")])
    trace = Solver(model, kernel, mode="pot", max_new_tokens=30).solve("Add forty ones.")
    first = trace.steps[0]
    assert isinstance(first, TextStep) and first.nudge == CUT_OFF_NOTE
    assert model.calls[1].conversations[0][-1].content == CUT_OFF_NOTE
    assert [step.code for step in trace.code_steps] == ["print(40)"]  # the cut one never ran
    assert trace.answer.value == "40"
    model = ScriptedModel([cut])  # plain runs it as it came, and it fails
    trace = Solver(model, kernel, mode="plain", max_new_tokens=30).solve("Add forty ones.")
    error = trace.code_steps[0].execution.error
    assert not trace.answer.ok and error is not None and error.name == "SyntaxError"


@pytest.mark.parametrize(
    ("question", "value", "kept"),
    [
        ("What is 6 times 7?", "42", True),
        ("What is 6 times 7?", " -3776 ", True),
        ("What is 6 times 7?", "42.0", True),  # a float's whole number: 42
        ("What is 6 times 7?", "42.5", False),  # a decimal may be rounded as asked
        ("What is 6 times 7?", "42.50", False),
        ("What is 6 times 7?", "[42]", False),
        ("What is 0x2a + 0? Reply in hexadecimal.", "42", False),
        ("Convert 42 to base-3.", "1120", False),
        ("Write 42 in words.", "42", False),
        ("How long? Answer in HH:MM.", "352", False),
        ("Which is it?\n(A) 41\n(B) 42", "42", False),
    ],
)
def test_a_whole_number_needs_no_restating_turn_unless_asked_otherwise(
    question: str, value: str, kept: bool
) -> None:
    assert whole_as_asked(question, value) is kept
