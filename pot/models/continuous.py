"""Continuous batching: rows join and leave the running batch between decoding steps.

With C problems in flight, each program-of-thought problem alternates between
generating and running code. Static batching (:mod:`pot.models.batching`) runs
a merged batch to its longest row while finished rows idle, and a call arriving
meanwhile waits for the whole batch. Here one worker thread keeps one batch
decoding: a new call is prefilled (reusing cached prefixes) and joins at the
next step; a finished row leaves at once and its caller is woken.

The batch's keys and values live in one ``DynamicCache``, rows left-padded to a
common length; each row's real positions come from the attention mask, as in
``generate``. Sampling uses one random generator per row, seeded from the
call's seed, so a seeded sample does not depend on what else is in the batch.
The worker starts with the first call and ends when nothing is left to do.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pot.models.base import Generation, GenerationConfig, StopReason
from pot.models.errors import NotEnoughMemoryError
from pot.models.kvcache import (
    CacheStats,
    PrefixCache,
    build_batch,
    cache_of,
    join_batches,
    layers_of,
)
from pot.models.progress import TAIL_CHARS, Progress
from pot.models.rows import Request, Row, RowBatcher, deliver
from pot.models.stops import REPEAT_EVERY, REPEAT_TAIL_TOKENS, repeating, stop_window

if TYPE_CHECKING:
    import torch


WATCH_TOKENS = 48
"""A watched row keeps the text of its last this many tokens (decoding all is O(n))."""


@dataclass(eq=False)
class _Row(Row["torch.Tensor"]):
    generator: torch.Generator | None
    reused: int = 0
    stop_string: str | None = None
    tail: str = ""
    """The text of its last tokens, kept only while watched (decoded in the worker)."""

    def progress(self) -> Progress:
        return Progress(self.conversation, self.sample, len(self.tokens), self.tail)


class ContinuousBatcher(RowBatcher[_Row]):
    """Generate for calls from many threads in one continuously refilled batch.

    Args:
        model: A transformers causal LM.
        tokenizer: Its tokenizer (to decode and to find stop strings).
        end_token_ids: Tokens that end a turn.
        pad_token_id: Id written in padded slots.
        prefix_cache: Keys and values to reuse and to store into (or None).
        stats: Prompt token counts to update.
        max_batch: Most rows decoding at once; further calls wait their turn.
    """

    def __init__(
        self,
        model: Any,
        tokenizer: Any,
        end_token_ids: list[int],
        pad_token_id: int,
        prefix_cache: PrefixCache | None,
        stats: CacheStats,
        max_batch: int = 32,
    ) -> None:
        self.model = model
        self.tokenizer = tokenizer
        self.end_token_ids = set(end_token_ids)
        self.pad_token_id = pad_token_id
        self.prefix_cache = prefix_cache
        self.stats = stats
        self.max_batch = max_batch
        self._cache: Any = None
        self._mask: torch.Tensor | None = None
        super().__init__()

    def close(self, timeout: float = 30.0) -> None:
        """Stop the worker, then let go of the model and the batch's keys and values."""
        super().close(timeout)
        self.model = None
        self._cache = self._mask = None

    def submit(
        self, prompts: list[torch.Tensor], config: GenerationConfig
    ) -> list[list[Generation]]:
        """Generate ``config.n`` continuations of each prompt (1-D token id tensors)."""
        return self._run(prompts, config)

    # -- the worker ---------------------------------------------------------------------

    def _work(self) -> None:
        import torch

        with torch.inference_mode():
            super()._work()

    def _room(self) -> int:
        return self.max_batch - len(self._rows)

    def _admit(self, requests: list[Request[torch.Tensor]]) -> None:
        """Prefill new rows and join them to the running batch."""
        from transformers import DynamicCache

        started = time.perf_counter()
        rows = [
            _Row(request, index, sample, started, _generator(request.config, index, sample))
            for request in requests
            for index in range(len(request.prompts))
            for sample in range(request.config.n)
        ]
        for row in rows:
            row.request.rows.append(row)
        device = self.model.device
        layout = build_batch(
            [row.prompt for row in rows],
            self.prefix_cache,
            self.pad_token_id,
            self.model.config,
            device,
        )
        for row, reused in zip(rows, layout.reused, strict=True):
            row.reused = reused
            self.stats.prompt_tokens += row.prompt.shape[0]
            self.stats.reused_tokens += reused
        cache = layout.cache or DynamicCache(config=self.model.config)
        cached = cache.get_seq_length()
        mask = layout.attention_mask
        positions = (mask.cumsum(1) - 1).clamp(min=0)
        logits = self._forward(
            layout.input_ids[:, cached:], mask, positions[:, cached:], cache, len(rows)
        )
        self._choose(rows, logits)
        if self._cache is None or self._mask is None:
            self._cache, self._mask = cache, mask
        else:
            joined = join_batches(self._cache, self._mask, cache, mask, self.model.config)
            self._cache, self._mask = joined
        self._rows.extend(rows)
        self.most_rows = max(self.most_rows, len(self._rows))
        self._retire()

    def _step(self) -> None:
        import torch

        assert self._mask is not None
        device = self._mask.device
        last = torch.tensor([[row.tokens[-1]] for row in self._rows], device=device)
        ones = torch.ones((len(self._rows), 1), dtype=self._mask.dtype, device=device)
        self._mask = torch.cat([self._mask, ones], dim=1)
        positions = self._mask.sum(1, keepdim=True) - 1
        logits = self._forward(last, self._mask, positions, self._cache, len(self._rows))
        self._choose(self._rows, logits)
        self.steps_run += 1
        self._retire()

    def _forward(
        self,
        input_ids: torch.Tensor,
        mask: torch.Tensor,
        positions: torch.Tensor,
        cache: Any,
        rows: int,
    ) -> torch.Tensor:
        import torch

        try:
            output = self.model(
                input_ids=input_ids,
                attention_mask=mask,
                position_ids=positions,
                cache=cache,
                use_cache=True,
                logits_to_keep=1,
            )
        except torch.OutOfMemoryError as error:
            raise NotEnoughMemoryError(
                f"{self.model.device} ran out of memory with {rows} rows of up to "
                f"{mask.shape[1]} tokens; lower max_batch, max_new_tokens or the number of "
                "problems in flight"
            ) from error
        return output.logits[:, -1, :].float()

    def _choose(self, rows: list[_Row], logits: torch.Tensor) -> None:
        """Pick each row's next token (greedy, or sampled with its own generator)."""
        greedy = logits.argmax(dim=-1).tolist()
        for index, row in enumerate(rows):
            config = row.request.config
            token = greedy[index]
            if config.temperature > 0:
                token = _sample(logits[index], config, row.generator)
            row.tokens.append(token)
            if token in self.end_token_ids:
                row.finished = StopReason.END
            elif config.stop and self._stop_in_tail(row, config.stop):
                row.finished = StopReason.STOP
            elif len(row.tokens) >= config.max_new_tokens:
                row.finished = StopReason.LENGTH
            elif config.max_repeats and len(row.tokens) % REPEAT_EVERY == 0:
                tail = self.tokenizer.decode(
                    row.tokens[-REPEAT_TAIL_TOKENS:], skip_special_tokens=True
                )
                if repeating(tail, config.max_repeats):
                    row.finished = StopReason.REPEAT
            if row.request.watched:
                text = self.tokenizer.decode(row.tokens[-WATCH_TOKENS:], skip_special_tokens=True)
                row.tail = text[-TAIL_CHARS:]

    def _stop_in_tail(self, row: _Row, stop: list[str]) -> bool:
        text = self.tokenizer.decode(row.tokens[-stop_window(stop) :], skip_special_tokens=True)
        return any(string in text for string in stop)

    def _retire(self) -> None:
        """Hand finished rows to their callers and drop them (and cancelled ones)."""
        import torch

        leaving = [i for i, row in enumerate(self._rows) if row.finished or row.request.cancelled]
        if not leaving:
            return
        assert self._mask is not None
        layers = layers_of(self._cache)
        for index in leaving:
            row = self._rows[index]
            if row.request.cancelled:
                continue
            self._store(index, row, layers)
            deliver(row, self._text(row))
        gone = set(leaving)
        keep = [i for i in range(len(self._rows)) if i not in gone]
        self._rows = [self._rows[i] for i in keep]
        if not self._rows:
            self._cache, self._mask = None, None
            return
        kept = torch.tensor(keep, device=self._mask.device)
        mask = self._mask.index_select(0, kept)
        first = int(mask.any(dim=0).nonzero()[0, 0])  # leading columns no row uses
        self._mask = mask[:, first:]

        def trim(tensor: torch.Tensor) -> torch.Tensor:
            return tensor.index_select(0, kept)[:, :, first:]

        self._cache = cache_of([(trim(k), trim(v)) for k, v in layers], self.model.config)

    def _store(self, index: int, row: _Row, layers: list[tuple[Any, Any]]) -> None:
        """Keep the row's keys and values (prompt and the tokens fed) for later prompts."""
        import torch

        if self.prefix_cache is None or self._mask is None:
            return
        positions = self._mask[index].nonzero().squeeze(1)
        fed = torch.tensor(row.tokens[:-1], dtype=torch.long)
        ids = torch.cat([row.prompt, fed])
        if ids.shape[0] != positions.shape[0]:  # cannot happen; never store a wrong entry
            return
        self.prefix_cache.store(
            ids,
            [
                (
                    keys[index : index + 1].index_select(2, positions),
                    values[index : index + 1].index_select(2, positions),
                )
                for keys, values in layers
            ],
        )

    def _text(self, row: _Row) -> str:
        content = row.tokens[:-1] if row.finished is StopReason.END else row.tokens
        return self.tokenizer.decode(content, skip_special_tokens=True)

    def _reset(self) -> None:
        self._cache, self._mask = None, None


def _generator(config: GenerationConfig, conversation: int, sample: int) -> Any:
    if config.temperature <= 0 or config.seed is None:
        return None
    import torch

    generator = torch.Generator()
    generator.manual_seed(config.seed * 1_000_003 + conversation * 1_009 + sample)
    return generator


def _sample(logits: torch.Tensor, config: GenerationConfig, generator: Any) -> int:
    """One token from ``softmax(logits / temperature)`` restricted to the top-p nucleus."""
    import torch

    probs = torch.softmax(logits / config.temperature, dim=-1).cpu()
    if config.top_p < 1.0:
        ordered, order = probs.sort(descending=True)
        outside = ordered.cumsum(0) - ordered > config.top_p
        ordered[outside] = 0.0
        probs = torch.zeros_like(probs).scatter(0, order, ordered)
    return int(torch.multinomial(probs, 1, generator=generator))
