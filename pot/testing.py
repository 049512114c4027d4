"""Test helpers shipped with pot, so users can test their own prompts and tools."""

from __future__ import annotations

import json
import re
from collections import deque
from collections.abc import Iterable
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from pot.models.base import (
    ContextOverflowError,
    Conversation,
    Generation,
    GenerationConfig,
    ModelError,
    StopReason,
)
from pot.models.errors import UnknownModelError

SCRIPTED_PREFIX = "scripted:"
"""``load_model("scripted:...")`` builds a :class:`ScriptedModel`: the prefix is followed
by a JSON list of replies or by the path of a JSON file holding one."""


class ScriptedCall(BaseModel):
    """One recorded call to :class:`ScriptedModel`."""

    model_config = ConfigDict(frozen=True)

    conversations: list[Conversation]
    config: GenerationConfig


class ScriptedModelExhausted(ModelError):
    """The script ran out of replies: queue more with ``ScriptedModel.add``."""


class ScriptedModel:
    """A model that answers from a queue of replies and records every call.

    Each generated sample takes the next reply. Stop strings behave as with a
    real model: the reply is cut before the first one it contains. A token is a
    run of non-space characters; with ``context``, a conversation of that many
    tokens or more raises :class:`~pot.models.base.ContextOverflowError`, as a
    local model's full context does.

    Example:
        >>> model = ScriptedModel(["```python\\nprint(6 * 7)\\n```"])
        >>> model.generate([[Message(role="user", content="6*7?")]], GenerationConfig())
    """

    def __init__(
        self, replies: Iterable[str] = (), name: str = "scripted", context: int | None = None
    ) -> None:
        self.name = name
        self.replies: deque[str] = deque(replies)
        self.calls: list[ScriptedCall] = []
        self.context = context

    def add(self, *replies: str) -> None:
        """Queue more replies."""
        self.replies.extend(replies)

    def generate(
        self, conversations: list[Conversation], config: GenerationConfig
    ) -> list[list[Generation]]:
        self.calls.append(ScriptedCall(conversations=list(conversations), config=config))
        sizes = [sum(len(m.content.split()) for m in c) for c in conversations]
        if self.context is not None and max(sizes, default=0) >= self.context:
            raise ContextOverflowError(
                f"a prompt of {max(sizes)} tokens does not fit the context of "
                f"{self.context} tokens",
                tokens=max(sizes),
                context=self.context,
            )
        batch: list[list[Generation]] = []
        for prompt_tokens in sizes:
            samples = []
            for _ in range(config.n):
                if not self.replies:
                    raise ScriptedModelExhausted(
                        f"ScriptedModel has no reply left for call {len(self.calls)}; "
                        "queue more with model.add(...)"
                    )
                reply = self.replies.popleft()
                samples.append(_cut(reply, config.stop, prompt_tokens, config.max_new_tokens))
            batch.append(samples)
        return batch


def _cut(reply: str, stop: list[str], prompt_tokens: int, budget: int) -> Generation:
    """The reply as a model would return it: cut at the first stop string, or after
    ``budget`` tokens (a token is a run of non-space characters here)."""
    hits = [(reply.find(s), s) for s in stop if s in reply]
    if hits:
        position, stop_string = min(hits)
        text, reason = reply[:position], StopReason.STOP
    else:
        text, reason, stop_string = reply, StopReason.END, None
    words = list(re.finditer(r"\S+", text))
    if len(words) > budget:
        text, reason, stop_string = text[: words[budget - 1].end()], StopReason.LENGTH, None
    return Generation(
        text=text,
        stop_reason=reason,
        stop_string=stop_string,
        prompt_tokens=prompt_tokens,
        completion_tokens=len(text.split()),
    )


def scripted_replies(spec: str) -> list[str]:
    """The replies named by a ``scripted:`` spec (inline JSON list or JSON file).

    Raises:
        UnknownModelError: The spec holds neither a JSON list of strings nor a
            readable file containing one.
    """
    body = spec[len(SCRIPTED_PREFIX) :].strip()
    text = body
    if not body.startswith("["):
        path = Path(body).expanduser()
        if not path.is_file():
            raise UnknownModelError(
                f"{spec!r}: write scripted: followed by a JSON list of replies "
                "or the path of a JSON file that holds one"
            )
        text = path.read_text(encoding="utf-8")
    try:
        replies = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnknownModelError(f"{spec!r}: the replies are not valid JSON ({error})") from None
    if not isinstance(replies, list) or not all(isinstance(reply, str) for reply in replies):
        raise UnknownModelError(f"{spec!r}: the replies must be a JSON list of strings")
    return replies
