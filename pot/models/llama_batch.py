"""Continuous batching on one llama.cpp context: rows join and leave between ``llama_decode`` calls.

The context holds ``slots`` sequences, each with its own keys and values (llama.cpp's
per-sequence KV streams, ``kv_unified=False``) of ``slot_tokens`` cells. One worker
thread owns the context (a llama context is not thread-safe): a new call's rows take
free slots, are prefilled in ``n_batch``-token chunks, and from the next step on
decode together with the running rows, one token each per ``llama_decode``. A row
that finishes leaves at once and its caller is woken.

A slot keeps the tokens it last held after its row left. A new row takes the free
slot whose tokens share the longest prefix with its prompt, drops the rest
(``llama_memory_seq_rm``) and runs only the new tokens: the next round of a
multi-round conversation re-encodes only what was added, a fresh problem reuses the
shared system + few-shot prefix of another one.

Greedy picks the first largest logit; sampling uses one numpy generator per row,
seeded from the call's seed, the conversation and the sample, so a seeded sample does
not depend on what else is in the batch.
"""

from __future__ import annotations

import ctypes
import time
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pot.models.base import (
    ContextOverflowError,
    Generation,
    GenerationConfig,
    ModelError,
    StopReason,
)
from pot.models.kvcache import CacheStats
from pot.models.progress import TAIL_CHARS, Progress
from pot.models.rows import Request, Row, RowBatcher, deliver
from pot.models.stops import REPEAT_EVERY, REPEAT_TAIL_TOKENS, repeating

COPY_AT_LEAST = 16
"""Copy another sequence's cache only when it holds this many more prompt tokens."""


@dataclass(eq=False)
class _Slot:
    seq: int
    tokens: list[int] = field(default_factory=list)
    """Tokens whose keys and values the slot holds, from position 0."""
    used: float = 0.0
    busy: bool = False


@dataclass(eq=False)
class _Row(Row[list[int]]):
    slot: _Slot
    rng: np.random.Generator | None
    pieces: list[bytes] = field(default_factory=list)
    text: bytearray = field(default_factory=bytearray)

    def progress(self) -> Progress:
        tail = bytes(self.text[-4 * TAIL_CHARS :]).decode("utf-8", "ignore")[-TAIL_CHARS:]
        return Progress(self.conversation, self.sample, len(self.pieces), tail)


class LlamaBatcher(RowBatcher[_Row]):
    """Generate for calls from many threads on one llama.cpp context.

    Args:
        ctx: A ``llama_context`` made with ``n_seq_max >= slots`` and ``kv_unified=False``.
        vocab: Its model's vocabulary.
        slots: Sequences the context holds (most rows decoding at once).
        slot_tokens: Cells per sequence (prompt plus generated tokens).
        n_batch: Most tokens one ``llama_decode`` takes.
        stats: Prompt token counts to update.
        reuse: Reuse a slot's keys and values by longest common prefix.
    """

    thread_name = "pot-llama"

    def __init__(
        self,
        ctx: Any,
        vocab: Any,
        slots: int,
        slot_tokens: int,
        n_batch: int,
        stats: CacheStats,
        reuse: bool = True,
    ) -> None:
        from llama_cpp import llama_cpp

        self._lib = llama_cpp
        self._ctx = ctx
        self._vocab = vocab
        self._memory = llama_cpp.llama_get_memory(ctx)
        self._n_vocab = llama_cpp.llama_vocab_n_tokens(vocab)
        self.slot_tokens = slot_tokens
        self.n_batch = n_batch
        self.stats = stats
        self.reuse = reuse
        self.copies = 0
        """Prefixes copied from another sequence's cache."""
        self._slots = [_Slot(seq) for seq in range(slots)]
        self._batch = llama_cpp.llama_batch_init(n_batch, 0, 1)
        self._piece = ctypes.create_string_buffer(256)
        self._closed = False
        super().__init__()

    def close(self, timeout: float = 30.0) -> None:
        """Stop the worker (calls still running fail), wait for it, free the batch."""
        super().close(timeout)
        with self._lock:
            if not self._closed and self._worker is None:
                self._lib.llama_batch_free(self._batch)
                self._closed = True

    def submit(self, prompts: list[list[int]], config: GenerationConfig) -> list[list[Generation]]:
        """Generate ``config.n`` continuations of each prompt (token id lists)."""
        for prompt in prompts:
            if not prompt or len(prompt) >= self.slot_tokens:
                raise ContextOverflowError(
                    f"a prompt of {len(prompt)} tokens does not fit the context of "
                    f"{self.slot_tokens} tokens per sequence; load the model with a larger "
                    "context (--context N on the command line, context=N in Python) or "
                    "shorten the question",
                    tokens=len(prompt),
                    context=self.slot_tokens,
                )
        if config.n > len(self._slots):
            raise ModelError(
                f"n={config.n} samples need {config.n} sequences; the model holds "
                f"{len(self._slots)} (load it with max_batch={config.n})"
            )
        per = len(self._slots) // config.n
        if len(prompts) > per:  # more rows than slots: whole conversations, part by part
            results: list[list[Generation]] = []
            for start in range(0, len(prompts), per):
                results += self.submit(prompts[start : start + per], config)
            return results
        return self._run(prompts, config)

    # -- the worker ---------------------------------------------------------------------

    def _room(self) -> int:
        return sum(not slot.busy for slot in self._slots)

    def _admit(self, requests: list[Request[list[int]]]) -> None:
        """Give each new row a slot, prefill what its slot does not hold, pick its first token."""
        started = time.perf_counter()
        rows: list[_Row] = []
        for request in requests:
            for index, prompt in enumerate(request.prompts):
                for sample in range(request.config.n):
                    slot = self._pick_slot(prompt)
                    rng = _rng(request.config, index, sample)
                    row = _Row(request, index, sample, started, slot, rng)
                    rows.append(row)
                    request.rows.append(row)
        for row in rows:  # one by one: a row can take the prefix an earlier one just ran
            common = self._reuse_prefix(row)
            self.stats.prompt_tokens += len(row.prompt)
            self.stats.reused_tokens += common
            items = [
                (token, position, row.slot.seq, position == len(row.prompt) - 1)
                for position, token in enumerate(row.prompt)
            ][common:]
            for start in range(0, len(items), self.n_batch):
                chunk = items[start : start + self.n_batch]
                self._decode(chunk)
            self._choose(row, len(chunk) - 1)
            row.slot.tokens = list(row.prompt)
        self._rows.extend(rows)
        self.most_rows = max(self.most_rows, len(self._rows))
        self._retire()

    def _reuse_prefix(self, row: _Row) -> int:
        """Keep (or copy in from another sequence) the longest cached prefix of the row's
        prompt, drop the rest of its slot; return how many prompt tokens are cached."""
        slot, prompt = row.slot, row.prompt
        if not self.reuse:
            self._lib.llama_memory_seq_rm(self._memory, slot.seq, -1, -1)
            return 0
        common = min(_common_prefix(slot.tokens, prompt), len(prompt) - 1)
        donor = max(self._slots, key=lambda s: _common_prefix(s.tokens, prompt))
        shared = min(_common_prefix(donor.tokens, prompt), len(prompt) - 1)
        if donor is not slot and shared > common + COPY_AT_LEAST:
            # Sequences live in separate KV streams; llama.cpp copies a whole stream.
            self._lib.llama_memory_seq_rm(self._memory, slot.seq, -1, -1)
            self._lib.llama_memory_seq_cp(self._memory, donor.seq, slot.seq, -1, -1)
            self.copies += 1
            common = shared
        self._lib.llama_memory_seq_rm(self._memory, slot.seq, common, -1)
        return common

    def _pick_slot(self, prompt: list[int]) -> _Slot:
        free = [slot for slot in self._slots if not slot.busy]
        slot = max(free, key=lambda s: (_common_prefix(s.tokens, prompt), -s.used))
        slot.busy = True
        slot.used = time.monotonic()
        return slot

    def _step(self) -> None:
        items = []
        for row in self._rows:
            position = len(row.slot.tokens)
            items.append((row.tokens[-1], position, row.slot.seq, True))
            row.slot.tokens.append(row.tokens[-1])
        self._decode(items)
        for index, row in enumerate(self._rows):
            self._choose(row, index)
        self.steps_run += 1
        self._retire()

    def _decode(self, items: list[tuple[int, int, int, bool]]) -> None:
        batch = self._batch
        batch.n_tokens = len(items)
        for index, (token, position, seq, output) in enumerate(items):
            batch.token[index] = token
            batch.pos[index] = position
            batch.n_seq_id[index] = 1
            batch.seq_id[index][0] = seq
            batch.logits[index] = output
        status = self._lib.llama_decode(self._ctx, batch)
        if status != 0:
            raise ModelError(
                f"llama.cpp could not decode a batch of {len(items)} tokens "
                f"(llama_decode returned {status})"
            )

    def _choose(self, row: _Row, output: int) -> None:
        """Pick the row's next token from the logits of the last decode's ``output``-th token."""
        pointer = self._lib.llama_get_logits_ith(self._ctx, output)
        logits = np.ctypeslib.as_array(pointer, shape=(self._n_vocab,))
        config = row.request.config
        if config.temperature > 0:
            token = _sample(logits, config, row.rng)
        else:
            token = int(np.argmax(logits))
        row.tokens.append(token)
        if self._lib.llama_vocab_is_eog(self._vocab, token):
            row.finished = StopReason.END
            return
        piece = self._token_bytes(token)
        before = len(row.text)
        row.pieces.append(piece)
        row.text += piece
        if config.stop and self._stop_in(row, before, config.stop):
            row.finished = StopReason.STOP
        elif len(row.tokens) >= config.max_new_tokens:
            row.finished = StopReason.LENGTH
        elif len(row.slot.tokens) + 1 >= self.slot_tokens:
            row.finished = StopReason.LENGTH  # the sequence's context is full
        elif config.max_repeats and len(row.tokens) % REPEAT_EVERY == 0:
            tail = b"".join(row.pieces[-REPEAT_TAIL_TOKENS:]).decode("utf-8", "replace")
            if repeating(tail, config.max_repeats):
                row.finished = StopReason.REPEAT

    def _stop_in(self, row: _Row, before: int, stop: list[str]) -> bool:
        for string in stop:
            encoded = string.encode("utf-8")
            if encoded and row.text.find(encoded, max(0, before - len(encoded) + 1)) >= 0:
                return True
        return False

    def _token_bytes(self, token: int) -> bytes:
        size = self._lib.llama_token_to_piece(self._vocab, token, self._piece, 256, 0, False)
        if size < 0:
            bigger = ctypes.create_string_buffer(-size)
            size = self._lib.llama_token_to_piece(self._vocab, token, bigger, -size, 0, False)
            return bigger.raw[:size]
        return self._piece.raw[:size]

    def _retire(self) -> None:
        """Hand finished rows to their callers; free their slots (and cancelled rows')."""
        keep = []
        for row in self._rows:
            if not (row.finished or row.request.cancelled):
                keep.append(row)
                continue
            row.slot.busy = False
            row.slot.used = time.monotonic()
            if not row.request.cancelled:
                deliver(row, row.text.decode("utf-8", "replace"))
        self._rows = keep

    def _reset(self) -> None:
        self._lib.llama_memory_clear(self._memory, True)
        for slot in self._slots:
            slot.tokens, slot.busy = [], False


def _common_prefix(a: list[int], b: list[int]) -> int:
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


def _rng(config: GenerationConfig, conversation: int, sample: int) -> np.random.Generator | None:
    if config.temperature <= 0:
        return None
    if config.seed is None:
        return np.random.default_rng()
    return np.random.default_rng([config.seed, conversation, sample])


def _sample(logits: np.ndarray, config: GenerationConfig, rng: Any) -> int:
    """One token from ``softmax(logits / temperature)`` restricted to the top-p nucleus."""
    scaled = logits.astype(np.float64) / config.temperature
    probs = np.exp(scaled - scaled.max())
    probs /= probs.sum()
    order = np.arange(len(probs))
    if config.top_p < 1.0:
        order = np.argsort(-probs, kind="stable")
        probs = probs[order]
        cumulative = np.cumsum(probs)
        probs = np.where(cumulative - probs > config.top_p, 0.0, probs)
    cumulative = np.cumsum(probs)
    index = int(np.searchsorted(cumulative, rng.random() * cumulative[-1], side="right"))
    return int(order[min(index, len(order) - 1)])
