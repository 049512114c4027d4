"""Your own prompts: a system message and few-shot examples in a TOML file.

``pot prompt MODE`` prints a mode's built-in prompt in this format, to copy
and edit; ``pot solve --prompt FILE`` and ``pot eval --prompt FILE`` use it
in place of the built-in one (``Solver(prompt=...)`` in Python). The loop
around the prompt does not change: ``pot`` and ``coc`` still expect one
```python block, ``tir`` code blocks answered by ```output blocks and a
\\boxed{} answer, ``cot`` a \\boxed{} answer.

Example file::

    system = '''You solve problems by writing one Python program...'''

    [[examples]]
    question = '''A baker bakes 3 trays of 14 cookies...'''
    answer = '''```python
    print(3 * 14 - 9)
    ```'''
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pot.models.base import Message
from pot.modes import Mode, parse_mode
from pot.prompts import EXAMPLES, SYSTEMS

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib


class PromptFileError(ValueError):
    """A prompt file that cannot be read, is not TOML, or lacks what a prompt needs."""


class Example(BaseModel):
    """One few-shot example: a question and the reply the model should imitate."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    question: str = Field(min_length=1)
    answer: str = Field(min_length=1)


class Prompt(BaseModel):
    """A system message and few-shot examples, used in place of a mode's built-in ones.

    Args:
        system: The system message.
        examples: Worked examples, shown as earlier turns of the conversation.
        name: A short label for results files and run labels (a file's stem).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    system: str = Field(min_length=1)
    examples: list[Example] = []
    name: str = "custom"

    def conversation(self, question: str) -> list[Message]:
        """The opening of a solve: system message, examples as turns, the question."""
        messages = [Message(role="system", content=self.system)]
        for example in self.examples:
            messages.append(Message(role="user", content=example.question))
            messages.append(Message(role="assistant", content=example.answer))
        messages.append(Message(role="user", content=question))
        return messages


def default_prompt(mode: Mode | str) -> Prompt:
    """A mode's built-in prompt as a :class:`Prompt` (named after the mode)."""
    chosen = parse_mode(mode)
    examples = [Example(question=q, answer=a) for q, a in EXAMPLES[chosen]]
    return Prompt(system=SYSTEMS[chosen], examples=examples, name=chosen.value)


def load_prompt(path: str | Path) -> Prompt:
    """Read a prompt from a TOML file with ``system`` and ``[[examples]]``.

    Raises:
        PromptFileError: Missing or unreadable file, invalid TOML, an unknown
            key, an empty system message or example.
    """
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise PromptFileError(f"cannot read prompt file {path}: {error.strerror}") from None
    except UnicodeDecodeError:
        raise PromptFileError(f"prompt file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as error:
        raise PromptFileError(f"prompt file {path} is not valid TOML: {error}") from None
    data.setdefault("name", path.stem)
    try:
        return Prompt.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or 'file'}: {item['msg']}"
            for item in error.errors()
        )
        raise PromptFileError(
            f"prompt file {path}: {problems} (expected system = '...' and "
            "[[examples]] tables with question and answer; see `pot prompt pot`)"
        ) from None


def prompt_toml(prompt: Prompt) -> str:
    """The prompt as TOML; :func:`load_prompt` reads back the same system and examples."""
    lines = [f"system = {_toml_string(prompt.system)}"]
    for example in prompt.examples:
        lines += [
            "",
            "[[examples]]",
            f"question = {_toml_string(example.question)}",
            f"answer = {_toml_string(example.answer)}",
        ]
    return "\n".join(lines) + "\n"


def _toml_string(text: str) -> str:
    # A multi-line literal string keeps code readable; it cannot hold ''' or a
    # trailing quote, nor \r, and drops a newline right after its opening quotes.
    plain = all((char >= " " and char != "\x7f") or char in "\n\t" for char in text)
    literal = plain and "'''" not in text and not text.endswith("'")
    if literal and "\n" in text and not text.startswith("\n"):
        return f"'''{text}'''"
    if literal and "\n" not in text:
        return f"'''{text}'''" if "'" in text else f"'{text}'"
    # A JSON string is a TOML basic string (TOML also wants DEL escaped).
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")
