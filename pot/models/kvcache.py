"""Reuse of computed keys and values across ``generate`` calls.

A program-of-thought conversation only grows: each round appends the model's
code and its execution output, then asks the model to go on. Many problems
also share one long system + few-shot prefix. :class:`PrefixCache` keeps the
keys and values of recent sequences, keyed by their token ids; a new prompt
reuses the longest stored prefix it shares with any of them, so only its new
tokens are encoded.

Batching rows that reuse prefixes of different lengths needs no special model
support: each row is laid out as ``[cached tokens][padding][new tokens]``,
the padding masked out. Position ids come from the attention mask's cumulative
sum, so every real token keeps its true position.

Only public transformers APIs touch the model's cache: a ``DynamicCache`` is
built with ``DynamicCache(config=...)`` and filled with ``Cache.update`` (what
every attention layer calls), and read through ``Cache.layers`` and each
layer's ``keys`` and ``values`` (the documented storage of ``Cache`` and of
the exported ``CacheLayerMixin``). :func:`cache_of` and :func:`layers_of` are
the only two places that do either.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from threading import Lock
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch


@dataclass
class CacheStats:
    """Counts of prompt tokens since the model was loaded.

    Attributes:
        prompt_tokens: Prompt tokens asked for.
        reused_tokens: Of those, tokens whose keys and values came from the cache.
    """

    prompt_tokens: int = 0
    reused_tokens: int = 0

    @property
    def encoded_tokens(self) -> int:
        """Prompt tokens that had to be run through the model."""
        return self.prompt_tokens - self.reused_tokens


@dataclass
class _Entry:
    ids: torch.Tensor
    layers: list[tuple[torch.Tensor, torch.Tensor]]
    nbytes: int
    last_used: int = 0


@dataclass
class PrefixCache:
    """Keys and values of recent sequences, reused by the longest common prefix.

    Thread-safe. Entries are evicted least recently used first once their total
    size passes ``budget_bytes``; an entry whose ids are a prefix of a newer
    one is dropped when the newer one is stored.

    Attributes:
        budget_bytes: Memory the stored keys and values may use.
    """

    budget_bytes: int
    _entries: list[_Entry] = field(default_factory=list)
    _clock: int = 0
    _lock: Lock = field(default_factory=Lock)

    @property
    def nbytes(self) -> int:
        """Bytes held by stored keys and values."""
        with self._lock:
            return sum(entry.nbytes for entry in self._entries)

    def __len__(self) -> int:
        with self._lock:
            return len(self._entries)

    def clear(self) -> None:
        """Drop every entry."""
        with self._lock:
            self._entries.clear()

    def lookup(self, ids: torch.Tensor) -> tuple[int, _Entry | None]:
        """Find the stored entry sharing the longest prefix with ``ids``.

        At most ``len(ids) - 1`` tokens are reused: the model must see at least
        one new token to produce the next one's logits.

        Args:
            ids: The prompt's token ids, a 1-D tensor.

        Returns:
            The number of reusable tokens and the entry they come from (0 and None
            when nothing matches).
        """
        import torch

        best_length, best_entry = 0, None
        limit = ids.shape[0] - 1
        with self._lock:
            for entry in self._entries:
                length = min(limit, entry.ids.shape[0])
                if length <= best_length:
                    continue
                same = entry.ids[:length] == ids[:length].to(entry.ids.device)
                mismatch = torch.nonzero(~same)
                common = int(mismatch[0, 0]) if mismatch.numel() else length
                if common > best_length:
                    best_length, best_entry = common, entry
            if best_entry is not None:
                self._clock += 1
                best_entry.last_used = self._clock
        return best_length, best_entry

    def store(self, ids: torch.Tensor, layers: list[tuple[torch.Tensor, torch.Tensor]]) -> None:
        """Keep the keys and values of one sequence.

        Args:
            ids: Its token ids, a 1-D tensor as long as the tensors' sequence axis.
            layers: Per layer, keys and values shaped ``[1, heads, len(ids), head_dim]``.
        """
        nbytes = sum(keys.nbytes + values.nbytes for keys, values in layers)
        if nbytes > self.budget_bytes or ids.shape[0] == 0:
            return
        with self._lock:
            self._clock += 1
            kept = [entry for entry in self._entries if not _is_prefix(entry.ids, ids)]
            kept.append(_Entry(ids=ids, layers=layers, nbytes=nbytes, last_used=self._clock))
            kept.sort(key=lambda entry: entry.last_used, reverse=True)
            total, self._entries = 0, []
            for entry in kept:
                if total + entry.nbytes <= self.budget_bytes:
                    self._entries.append(entry)
                    total += entry.nbytes


def _is_prefix(short: torch.Tensor, long: torch.Tensor) -> bool:
    if short.shape[0] > long.shape[0]:
        return False
    return bool((long[: short.shape[0]].to(short.device) == short).all())


@dataclass
class BatchLayout:
    """Padded inputs for a batch whose rows reuse cached prefixes of different lengths.

    Attributes:
        input_ids: ``[batch, cached + new]`` ids, padding where masked.
        attention_mask: ``[batch, cached + new]``, 1 for real tokens.
        cache: A ``DynamicCache`` holding the first ``cached`` positions,
            or None when no row reuses anything.
        reused: Per row, how many prompt tokens came from the cache.
    """

    input_ids: torch.Tensor
    attention_mask: torch.Tensor
    cache: Any
    reused: list[int]


def build_batch(
    prompts: list[torch.Tensor],
    cache: PrefixCache | None,
    pad_token_id: int,
    config: Any,
    device: torch.device,
) -> BatchLayout:
    """Lay out a batch as ``[cached][padding][new]`` per row and assemble its cache.

    Args:
        prompts: Each row's prompt token ids (1-D tensors).
        cache: Where to look prefixes up; None disables reuse (plain left padding).
        pad_token_id: Id written in padded slots.
        config: The model config, for the ``DynamicCache``.
        device: The model's device.

    Returns:
        The inputs for ``model.generate``.
    """
    import torch

    matches = [cache.lookup(ids) if cache is not None else (0, None) for ids in prompts]
    cached = max(length for length, _ in matches)
    new = max(ids.shape[0] - length for ids, (length, _) in zip(prompts, matches, strict=True))
    batch = len(prompts)
    input_ids = torch.full((batch, cached + new), pad_token_id, dtype=torch.long)
    attention_mask = torch.zeros((batch, cached + new), dtype=torch.long)
    for row, (ids, (length, _)) in enumerate(zip(prompts, matches, strict=True)):
        input_ids[row, :length] = ids[:length]
        attention_mask[row, :length] = 1
        suffix = ids[length:]
        input_ids[row, cached + new - suffix.shape[0] :] = suffix
        attention_mask[row, cached + new - suffix.shape[0] :] = 1
    kv_cache = None
    if cached:
        layers = []
        reference = next(entry for _, entry in matches if entry is not None).layers
        for index, (keys0, _values0) in enumerate(reference):
            shape = (batch, keys0.shape[1], cached, keys0.shape[3])
            keys = torch.zeros(shape, dtype=keys0.dtype, device=device)
            values = torch.zeros(shape, dtype=keys0.dtype, device=device)
            for row, (length, entry) in enumerate(matches):
                if entry is not None and length:
                    keys[row, :, :length] = entry.layers[index][0][0, :, :length]
                    values[row, :, :length] = entry.layers[index][1][0, :, :length]
            layers.append((keys, values))
        kv_cache = cache_of(layers, config)
    return BatchLayout(
        input_ids=input_ids.to(device),
        attention_mask=attention_mask.to(device),
        cache=kv_cache,
        reused=[length for length, _ in matches],
    )


def harvest(
    cache: PrefixCache,
    kv_cache: Any,
    sequences: torch.Tensor,
    attention_mask: torch.Tensor,
    generated_lengths: list[int],
) -> None:
    """Store each row's real tokens and their keys and values after ``generate``.

    Args:
        cache: Where to store.
        kv_cache: The ``DynamicCache`` that ``generate`` returned.
        sequences: ``[batch, prompt + generated]`` ids from ``generate``.
        attention_mask: The ``[batch, prompt]`` mask the prompt was laid out with.
        generated_lengths: Per row, generated tokens that are real (not padding
            after the row finished).
    """
    import torch

    layers = layers_of(kv_cache)
    length = layers[0][0].shape[2]
    prompt_width = attention_mask.shape[1]
    for row, generated in enumerate(generated_lengths):
        mask = torch.zeros(length, dtype=torch.bool, device=attention_mask.device)
        mask[:prompt_width] = attention_mask[row].bool()
        mask[prompt_width : min(length, prompt_width + generated)] = True
        index = torch.nonzero(mask).squeeze(1)
        ids = sequences[row, :length][index.to(sequences.device)]
        row_layers = [
            (
                keys[row : row + 1].index_select(2, index.to(keys.device)),
                values[row : row + 1].index_select(2, index.to(values.device)),
            )
            for keys, values in layers
        ]
        cache.store(ids.detach().to("cpu"), row_layers)


def cache_of(layers: list[tuple[Any, Any]], config: Any) -> Any:
    """A ``DynamicCache`` holding per-layer ``(keys, values)``.

    Args:
        layers: Per layer, keys and values shaped ``[batch, heads, length, head_dim]``.
        config: The model config (the cache picks each layer's kind from it).

    Returns:
        The cache, ready to be passed to the model's forward as ``cache``.
    """
    from transformers import DynamicCache

    cache = DynamicCache(config=config)
    for index, (keys, values) in enumerate(layers):
        cache.update(keys, values, index)
    return cache


def layers_of(cache: Any) -> list[tuple[Any, Any]]:
    """Per layer, the ``(keys, values)`` a ``DynamicCache`` holds."""
    return [(layer.keys, layer.values) for layer in cache.layers]


def join_batches(
    cache: Any, mask: torch.Tensor, new_cache: Any, new_mask: torch.Tensor, config: Any
) -> tuple[Any, torch.Tensor]:
    """Stack two batches' caches and masks, the shorter left-padded (masked out)."""
    import torch

    width = max(mask.shape[1], new_mask.shape[1])

    def pad(tensor: torch.Tensor, dim: int) -> torch.Tensor:
        missing = width - tensor.shape[dim]
        if missing == 0:
            return tensor
        shape = list(tensor.shape)
        shape[dim] = missing
        return torch.cat([tensor.new_zeros(shape), tensor], dim=dim)

    layers = [
        (
            torch.cat([pad(keys, 2), pad(new_keys, 2)]),
            torch.cat([pad(values, 2), pad(new_values, 2)]),
        )
        for (keys, values), (new_keys, new_values) in zip(
            layers_of(cache), layers_of(new_cache), strict=True
        )
    ]
    return cache_of(layers, config), torch.cat([pad(mask, 1), pad(new_mask, 1)])
