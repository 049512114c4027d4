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

    tail = max(len(string) for string in stop) + 4

    class _StopStrings(StoppingCriteria):  # type: ignore[misc]
        def __call__(self, input_ids: torch.Tensor, scores: Any, **kwargs: Any) -> torch.Tensor:
            generated = input_ids[:, prompt_width:]
            start = max(0, generated.shape[1] - tail)
            window = generated[:, start:].tolist()
            texts = tokenizer.batch_decode(window, skip_special_tokens=True)
            done = [any(string in text for string in stop) for text in texts]
            return torch.tensor(done, dtype=torch.bool, device=input_ids.device)

    return _StopStrings()
