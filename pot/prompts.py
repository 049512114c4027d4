"""Prompts: a system message and a few hand-written examples per mode.

The examples are written for this project (none comes from a benchmark's
test split). They cover a word problem, an exact-arithmetic problem with
sympy and a multiple-choice logic question, and are kept short because a
small model on a CPU pays for every prompt token.
"""

from __future__ import annotations

from pot.models.base import Message
from pot.trace import Mode

OUTPUT_FENCE = "```output"
"""The stop string of multi-step modes: the real output is inserted here."""

_EXACT = (
    "Use exact arithmetic: integers, fractions.Fraction, or sympy "
    "(Rational, symbols, solve, simplify) instead of floats."
)

SYSTEMS: dict[Mode, str] = {
    Mode.POT: (
        "You solve problems by writing one Python program that computes the answer. "
        "Follow the problem in order and let the code do every calculation. Use exact "
        "arithmetic (integers or fractions.Fraction) rather than floats; use sympy only "
        "to solve equations; for puzzles and counting, check every possibility with "
        "itertools. The last line of the program prints the final answer and nothing "
        "else, in the form the question asks for. Reply with a single ```python code block."
    ),
    Mode.TIR: (
        "You solve problems step by step. When a step needs computing, write a short "
        "```python code block that prints what you need; it is run for you and its output "
        f"appears in an ```output block. {_EXACT} Continue from the real output. "
        "When you are done, state the final answer as \\boxed{answer}."
    ),
    Mode.COC: (
        "You solve problems by writing one Python program. When a step needs judgement "
        "or world knowledge that code cannot compute (is this sentence sarcastic? is this "
        "object a fruit?), call a helper function with a descriptive name and do NOT "
        "define it, for example is_fruit(name); its value will be supplied when the "
        "program runs. The last line prints the final answer (a number, a word, or an "
        "option such as (A)). Reply with a single ```python code block."
    ),
    Mode.COT: (
        "You solve problems by reasoning step by step in words. "
        "End with the final answer as \\boxed{answer}."
    ),
    Mode.PLAIN: "Write one Python program that solves the problem and prints the answer.",
}
SYSTEMS[Mode.AUTO] = SYSTEMS[Mode.POT]

SECOND_OPINION_SYSTEM = (
    "Write exactly one Python code block that computes the answer to the problem. "
    "Its last line prints the final answer."
)
"""``auto``'s second program comes from this minimal prompt (no examples): a different
prompt gives an independent second opinion at greedy quality."""

RESTATE_SYSTEM = (
    "You write the final answer to a problem that a Python program has solved. Take the "
    "result from what the program printed and write it exactly in the form the problem "
    "asks for: its format, rounding, units and wording. Reply with \\boxed{answer} only."
)
"""``auto``'s last turn: the winning program's result restated in the question's form."""


def restate_request(question: str, code: str, printed: str) -> str:
    """The message asking for a program's result in the form the question asks for."""
    return (
        f"Problem:\n{question}\n\nProgram:\n```python\n{code}\n```\n"
        f"It printed:\n```output\n{printed}\n```\n"
        "What is the final answer, written in the form the problem asks for?"
    )


RESTATE_EXAMPLES: list[tuple[str, str, str, str]] = [
    (
        "Which of these numbers are prime: 4, 7, 9, 11? List them separated by commas.",
        "print([n for n in (4, 7, 9, 11) if all(n % d for d in range(2, n))])",
        "[7, 11]",
        "7, 11",
    ),
    (
        "A tank holds 12 litres and 5 are used. What share is left? Give a percentage "
        "rounded to one decimal place.",
        "print((12 - 5) / 12)",
        "0.5833333333333334",
        "58.3%",
    ),
    (
        "Is 91 divisible by 7? Answer Yes or No.",
        "print(91 % 7 == 0)",
        "True",
        "Yes",
    ),
]
"""Hand-written examples of a result restated in the form a question asks for."""

_BAKER = (
    "A baker bakes 3 trays of 14 cookies. She gives 9 cookies to a neighbour and packs "
    "the rest into bags of 6. How many full bags does she pack?"
)
_NUMBERS = "Two numbers add up to 30 and their difference is 8. What is the larger number?"
_PETS = (
    "Ann, Ben and Cal each own exactly one pet: a cat, a dog or a fish, all different. "
    "Ann does not own the dog. Cal owns the fish. Who owns the cat?"
)
_DATE = (
    "Today is 03/03/2021. What was the date 10 days ago in MM/DD/YYYY?\n"
    "Options:\n(A) 02/21/2021\n(B) 02/22/2021\n(C) 02/23/2021"
)
_FRUIT = "I have a chair, two bananas, a peach and a lamp. How many fruits do I have?"

EXAMPLES: dict[Mode, list[tuple[str, str]]] = {
    Mode.POT: [
        (
            _BAKER,
            "```python\ncookies = 3 * 14\nleft = cookies - 9\nbags = left // 6\nprint(bags)\n```",
        ),
        (
            _PETS,
            "```python\nfrom itertools import permutations\n\n"
            "people = ['Ann', 'Ben', 'Cal']\n"
            "for pets in permutations(['cat', 'dog', 'fish']):\n"
            "    owner = dict(zip(people, pets))\n"
            "    if owner['Ann'] != 'dog' and owner['Cal'] == 'fish':\n"
            "        print(next(name for name, pet in owner.items() if pet == 'cat'))\n```",
        ),
        (
            _DATE,
            "```python\nfrom datetime import date, timedelta\n\n"
            "day = (date(2021, 3, 3) - timedelta(days=10)).strftime('%m/%d/%Y')\n"
            "options = {'A': '02/21/2021', 'B': '02/22/2021', 'C': '02/23/2021'}\n"
            "print(next(f'({letter})' for letter, text in options.items() if text == day))\n```",
        ),
    ],
    Mode.TIR: [
        (
            _BAKER,
            "First, the cookies left after the gift.\n"
            "```python\nleft = 3 * 14 - 9\nprint(left)\n```\n```output\n33\n```\n"
            "33 cookies are left. Now the number of full bags of 6.\n"
            "```python\nprint(left // 6)\n```\n```output\n5\n```\n"
            "She packs \\boxed{5} full bags.",
        ),
        (
            _NUMBERS,
            "Let x be the larger number and y the smaller one.\n"
            "```python\nfrom sympy import solve, symbols\n\nx, y = symbols('x y')\n"
            "print(solve([x + y - 30, x - y - 8], [x, y]))\n```\n"
            "```output\n{x: 19, y: 11}\n```\nThe larger number is \\boxed{19}.",
        ),
    ],
    Mode.COC: [
        (
            _FRUIT,
            "```python\nitems = {'chair': 1, 'banana': 2, 'peach': 1, 'lamp': 1}\n"
            "fruits = 0\nfor item, count in items.items():\n"
            "    if is_fruit(item):\n        fruits += count\nprint(fruits)\n```",
        ),
        (
            "Which of these would you most likely find in a kitchen?\nOptions:\n"
            "(A) a snowplough\n(B) a chef's whisk\n(C) a canoe",
            '```python\noptions = {"A": "a snowplough", "B": "a chef\'s whisk", "C": "a canoe"}\n'
            "scores = {letter: kitchen_likelihood(text) for letter, text in options.items()}\n"
            'best = max(scores, key=scores.get)\nprint(f"({best})")\n```',
        ),
    ],
    Mode.COT: [
        (
            _BAKER,
            "She bakes 3 * 14 = 42 cookies and gives 9 away, leaving 42 - 9 = 33. "
            "Bags of 6: 33 // 6 = 5 full bags (3 cookies left over). The answer is \\boxed{5}.",
        ),
    ],
    Mode.PLAIN: [],
}
EXAMPLES[Mode.AUTO] = EXAMPLES[Mode.POT]

NUDGE_NO_CODE = (
    "Please solve it by writing a Python program in a ```python code block "
    "that prints the final answer."
)
NUDGE_NOTHING_PRINTED = (
    "The program ran but printed nothing. Reply with the complete program, "
    "ending with a print of the final answer."
)


def object_printed_request(printed: str) -> str:
    """The repair request for a program whose answer was a Python object's repr."""
    return (
        f"The program printed {printed[:200]}, which is a Python object, not a value "
        "(a missing call or parentheses?). Reply with the complete corrected program, "
        "ending with a print of the final answer."
    )


def not_an_option_request(printed: str, options: str) -> str:
    """The repair request for a multiple-choice answer that is none of the options."""
    return (
        f"The program printed {printed[:200]}, which is none of the options ({options}). "
        "Reply with the complete corrected program; its last line prints the one option "
        "that answers the question."
    )


def negative_amount_request(printed: str, asked: str) -> str:
    """The repair request for a negative number printed where the question asks
    "how many" or "how much" (:mod:`pot.plausible`)."""
    return (
        f"The program printed {printed[:200]}, but the question asks {asked}, which "
        "cannot be negative: is something subtracted the wrong way round, or a quantity "
        "misread? Re-read the question and reply with the complete corrected program, "
        "ending with a print of the final answer."
    )


def example_answer_request(printed: str) -> str:
    """The repair request for a program that printed the question's own example or
    template of its answer (:func:`~pot.question_examples.copies_example`)."""
    return (
        f"The program printed {printed[:200]}, which is the question's own example of "
        "its answer's form, not the answer to this problem. Work it out from the "
        "problem's own data: reply with the complete corrected program, ending with a "
        "print of the final answer."
    )


def open_choice_request(printed: str, choice: str) -> str:
    """The repair request for a printed answer that leaves a choice of the question's
    template unmade (:func:`~pot.question_examples.open_choice`)."""
    return (
        f"The program printed {printed[:200]}, which still has the template's {choice!r} "
        "in it: the answer must say which one it is. Work it out from the problem: reply "
        "with the complete corrected program, ending with a print of the final answer."
    )


def broken_list_request(printed: str, broken: str) -> str:
    """The repair request for a printed list with an empty item or a separator at an
    end (:func:`~pot.plausible.broken_list`)."""
    return (
        f"The program printed {printed[:200]}, with {broken}: the list is built or joined "
        "wrongly. Check how the items are collected and joined, and reply with the "
        "complete corrected program, ending with a print of the final answer."
    )


ANSWER_START = "The final answer is \\boxed"
"""Written after a reply that gave no final answer, for the model to complete. It stops
before the ``{``: Qwen's tokenizer writes ``{-`` as one token, so after a written ``{``
the model cannot start a negative answer (it answered ``3776`` for ``-3776``)."""

SIMULATE_SYSTEM = (
    "You are a Python interpreter that also knows what undefined helper functions are "
    "meant to do (for example is_fruit, is_sarcastic) and can work out their results. "
    "Reply with one ```python block that only assigns literal values to the requested "
    "variables (or prints, if the statement only prints). No explanations."
)


CUT_OFF_NOTE = (
    "That program was cut off: the reply reached its length limit before the program "
    "ended, so it was not run. Write a shorter program. Where the problem gives a lot of "
    'data, paste it once as a string (data = """...""") and parse it with split(), '
    "instead of typing it out as Python lists."
)
"""What the model is told when the token limit cut its program short."""
CUT_OFF_DATA_NOTE = (
    "That program was cut off: the reply reached its length limit before the program "
    "ended, so it was not run. Write a shorter program: the problem's data is already "
    "in the string variable `data`; parse it from there instead of typing it out."
)
"""The same, where pot defined the question's data in the kernel (:mod:`pot.question_data`)."""


def repair_request(error_text: str) -> str:
    """The message that feeds a failing program's error back for repair."""
    return (
        f"The program failed:\n```\n{error_text}\n```\n"
        "Fix it and reply with the complete corrected program in one ```python block."
    )


def afresh_note(failure: str) -> str:
    """Added after the question when pot starts a sample afresh because a repair repeated a
    failed program: how it failed (``failed with `NameError: ...```), without the program
    (a model shown its program copies it)."""
    return f"\n\n(A program written for this question {failure}. Write a different program.)"


def simulation_request(
    program: str, variables: str, statement: str, error_text: str, targets: list[str]
) -> str:
    """The message asking the model to simulate one Chain-of-Code statement."""
    wanted = (
        f"Assign the values of {', '.join(targets)} after the statement runs."
        if targets
        else "Print exactly what the statement would print."
    )
    return (
        f"Program:\n```python\n{program}\n```\n"
        f"Current variables:\n```\n{variables or '(none)'}\n```\n"
        f"This statement could not run ({error_text}):\n```python\n{statement}\n```\n"
        f"Simulate it. {wanted}"
    )


def simulation_opening() -> list[Message]:
    """System message and one worked example for Chain-of-Code simulation requests."""
    program = (
        "names = ['cat', 'oak', 'dog']\ncount = 0\nfor name in names:\n"
        "    if is_animal(name):\n        count += 1\nprint(count)"
    )
    example = simulation_request(
        program,
        "names = ['cat', 'oak', 'dog']\ncount = 0\nname = 'cat'",
        "for name in names:\n    if is_animal(name):\n        count += 1",
        "NameError: name 'is_animal' is not defined",
        ["count"],
    )
    return [
        Message(role="system", content=SIMULATE_SYSTEM),
        Message(role="user", content=example),
        Message(role="assistant", content="```python\ncount = 2\n```"),
    ]
