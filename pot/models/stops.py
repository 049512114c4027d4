"""Stop strings: cut generated text at the first one, and stop generation when one appears."""

from __future__ import annotations

from typing import Any


def cut_at_stop(text: str, stop: list[str]) -> tuple[str, str | None]:
    """Cut ``text`` before the earliest stop string it contains.

    Args:
        text: Generated text.
        stop: Stop strings.

    Returns:
        The text before the stop string (all of it if none occurs) and the stop
        string that matched, or None.
    """
    hits = [(text.find(string), string) for string in stop if string and string in text]
    if not hits:
        return text, None
    position, string = min(hits)
    return text[:position], string


REPEAT_BLOCK_LINES = 4
"""The longest block of lines :func:`repeating` looks for."""
REPEAT_TAIL_TOKENS = 384
"""Generated tokens decoded to look for repetition (room for 4 lines x 4 times)."""
REPEAT_EVERY = 8
"""Look for repetition once every this many tokens."""


def repeating(text: str, times: int) -> bool:
    """Whether ``text`` ends with one block of 1-4 lines written ``times`` times in a row,
    or with one phrase of 5-40 characters written ``4 * times`` times in a row.

    Blank lines are ignored and a line still being written is not counted; a block
    must hold at least 8 characters, so ``)`` or ``pass`` repeated does not count.
    A phrase needs 3 letters, so ``0, 0, 0, ...`` or a ``-----`` rule does not count
    but ``vacuum, vacuum, vacuum, ...`` inside one line does.
    """
    if times < 2:
        return False
    if _phrase_loop(text, 4 * times):
        return True
    lines = text.splitlines()
    if not text.endswith("\n"):
        lines = lines[:-1]
    lines = [line.rstrip() for line in lines if line.strip()]
    for size in range(1, REPEAT_BLOCK_LINES + 1):
        needed = size * times
        block = lines[-size:]
        if len(lines) < needed or sum(len(line.strip()) for line in block) < 8:
            continue
        if all(line == block[index % size] for index, line in enumerate(lines[-needed:])):
            return True
    return False


def _phrase_loop(text: str, times: int) -> bool:
    for period in range(5, 41):
        span = period * times
        if len(text) < span:
            return False
        tail = text[-span:]  # periodic with this period: it is one phrase repeated
        if tail[:-period] == tail[period:] and sum(c.isalpha() for c in tail[-period:]) >= 3:
            return True
    return False


def stop_window(stop: list[str]) -> int:
    """How many generated tokens can hold a stop string: each decodes to at least
    one character, plus a few tokens of slack for partial characters."""
    return max(len(string) for string in stop) + 4


def stop_criteria(tokenizer: Any, stop: list[str], prompt_width: int) -> Any:
    """Build a transformers ``StoppingCriteria`` that ends each row at its first stop string.

    Only generated tokens are examined, and of those only a tail long enough to
    hold the longest stop string (each token decodes to at least one character,
    plus a few tokens of slack for partial characters), so a step costs a few
    short decodes per row.

    Args:
        tokenizer: The model's tokenizer.
        stop: Stop strings (non-empty).
        prompt_width: Width of the prompt part of ``input_ids``.

    Returns:
        A stopping criteria object returning one bool per row.
    """
    import torch
    from transformers import StoppingCriteria

    tail = stop_window(stop)

    class _StopStrings(StoppingCriteria):  # type: ignore[misc]
        def __call__(self, input_ids: torch.Tensor, scores: Any, **kwargs: Any) -> torch.Tensor:
            generated = input_ids[:, prompt_width:]
            start = max(0, generated.shape[1] - tail)
            window = generated[:, start:].tolist()
            texts = tokenizer.batch_decode(window, skip_special_tokens=True)
            done = [any(string in text for string in stop) for text in texts]
            return torch.tensor(done, dtype=torch.bool, device=input_ids.device)

    return _StopStrings()


def repeat_criteria(tokenizer: Any, times: int, prompt_width: int) -> Any:
    """A transformers ``StoppingCriteria`` ending each row that :func:`repeating` flags."""
    import torch
    from transformers import StoppingCriteria

    class _Repeats(StoppingCriteria):  # type: ignore[misc]
        def __call__(self, input_ids: torch.Tensor, scores: Any, **kwargs: Any) -> torch.Tensor:
            generated = input_ids[:, prompt_width:]
            count = generated.shape[1]
            if count % REPEAT_EVERY:
                return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)
            window = generated[:, max(0, count - REPEAT_TAIL_TOKENS) :].tolist()
            texts = tokenizer.batch_decode(window, skip_special_tokens=True)
            done = [repeating(text, times) for text in texts]
            return torch.tensor(done, dtype=torch.bool, device=input_ids.device)

    return _Repeats()
