"""Local models through transformers, 4-bit NF4 through bitsandbytes by default."""

from __future__ import annotations

import gc
import os
import time
from typing import TYPE_CHECKING, Any, Literal

from pot.models.base import Conversation, Generation, GenerationConfig, StopReason
from pot.models.batching import BatchCollector
from pot.models.continuous import ContinuousBatcher
from pot.models.errors import NotEnoughMemoryError, missing_extra
from pot.models.hf_load import (
    Quantization,
    end_token_ids,
    load_model_weights,
    load_tokenizer,
    locate,
    pick_device,
    return_freed_memory,
)
from pot.models.kvcache import CacheStats, PrefixCache, build_batch, harvest
from pot.models.stops import (
    REPEAT_TAIL_TOKENS,
    cut_at_stop,
    repeat_criteria,
    repeating,
    stop_criteria,
)
from pot.quiet import quiet_dependencies

if TYPE_CHECKING:
    import torch

Batching = Literal["continuous", "static"]


class TransformersModel:
    """A chat model run in this process with transformers.

    ``source`` is an alias (``qwen2.5-coder-1.5b``), a hub id
    (``Qwen/Qwen2.5-Coder-7B-Instruct``), a local model folder, or a ``.gguf``
    file (converted once into pot's cache unless ``quantization="none"``).

    Concurrent ``generate`` calls from several threads share one batch: by
    default a continuous one, which rows join and leave between decoding steps
    (see :mod:`pot.models.continuous`); keys and values of earlier prompts are
    reused by longest common prefix (see :mod:`pot.models.kvcache`).

    Args:
        source: What to load.
        quantization: ``nf4`` (4-bit, double quantization, bf16 compute),
            ``int8`` or ``none`` (bf16 weights).
        device: ``cuda``, ``cuda:N`` or ``cpu``; default CUDA when present.
        prefix_cache: Reuse keys and values of earlier prompts.
        cache_budget_mb: Memory the prefix cache may hold.
        batching: ``continuous`` (rows join and leave between steps) or ``static``
            (calls arriving together are merged and run with ``generate`` to the
            longest row; kept as the baseline the benchmark compares against);
            default ``$POT_BATCHING`` or ``continuous``.
        batch_window: Static batching: seconds to wait for concurrent calls to merge.
        max_batch: Most rows decoding at once.
        cache_dir: pot's cache folder (default ``$POT_CACHE`` or ``~/.cache/pot``).
        progress: Show a progress bar while converting weights.
        threads: Set torch's CPU thread count (process-wide). On a machine shared
            with other torch processes, 1 thread avoids oversubscription, which
            was measured to slow decoding several times over.
        name: Name reported by ``model.name`` (default: ``source``).

    Raises:
        MissingExtraError: torch, transformers or bitsandbytes is not installed.
        DeviceUnavailableError: CUDA was asked for and is not available.
        UnknownModelError: ``source`` cannot be found.
        NotEnoughMemoryError: Not enough memory to load the model.
    """

    def __init__(
        self,
        source: str,
        *,
        quantization: Quantization = "nf4",
        device: str | None = None,
        prefix_cache: bool = True,
        cache_budget_mb: int = 512,
        batching: Batching | None = None,
        batch_window: float = 0.02,
        max_batch: int = 32,
        cache_dir: str | os.PathLike[str] | None = None,
        progress: bool = True,
        threads: int | None = None,
        name: str | None = None,
    ) -> None:
        try:
            import torch
            import transformers
        except ImportError as error:
            raise missing_extra(error.name or "torch", "hf") from error
        quiet_dependencies()
        if quantization not in ("nf4", "int8", "none"):
            raise ValueError(f"quantization must be nf4, int8 or none, not {quantization!r}")
        batching = batching or os.environ.get("POT_BATCHING") or "continuous"  # type: ignore[assignment]
        if batching not in ("continuous", "static"):
            raise ValueError(f"batching must be continuous or static, not {batching!r}")
        self.batching: Batching = batching
        self.name = name or source
        if threads is not None:
            torch.set_num_threads(threads)
        self.quantization: Quantization = quantization
        self.device = pick_device(torch, device)
        location, gguf_file = locate(source, quantization, cache_dir, progress)
        self.tokenizer = load_tokenizer(transformers, location, gguf_file)
        self.model = load_model_weights(
            transformers, torch, location, gguf_file, quantization, self.device
        )
        self.model.eval()
        return_freed_memory()
        self.end_token_ids = end_token_ids(self.model, self.tokenizer)
        self.pad_token_id = self.tokenizer.pad_token_id
        if self.pad_token_id is None:
            self.pad_token_id = self.end_token_ids[0]
        self.stats = CacheStats()
        full_attention = not getattr(self.model.config, "use_sliding_window", False)
        self.prefix_cache = (
            PrefixCache(cache_budget_mb * 2**20) if prefix_cache and full_attention else None
        )
        self._collector = BatchCollector(self._generate_batch, batch_window, max_batch)
        self._batcher = ContinuousBatcher(
            self.model,
            self.tokenizer,
            self.end_token_ids,
            self.pad_token_id,
            self.prefix_cache,
            self.stats,
            max_batch,
        )

    @property
    def prefix_cache(self) -> PrefixCache | None:
        """Where keys and values of earlier prompts are kept (None: no reuse)."""
        return self._prefix_cache

    @prefix_cache.setter
    def prefix_cache(self, cache: PrefixCache | None) -> None:
        self._prefix_cache = cache
        if hasattr(self, "_batcher"):
            self._batcher.prefix_cache = cache

    def generate(
        self, conversations: list[Conversation], config: GenerationConfig
    ) -> list[list[Generation]]:
        """Generate ``config.n`` continuations for each conversation.

        A conversation ending with an assistant message is continued. Greedy
        decoding (``temperature=0``) is deterministic; sampling with a seed is
        reproducible (continuous batching: whatever else is in the batch; static:
        for the same batch). ``seconds`` is the wall time of the row (continuous)
        or of the batch the conversation ran in (static).

        Returns:
            ``result[i][j]``: sample ``j`` of conversation ``i``.

        Raises:
            NotEnoughMemoryError: The device ran out of memory (try a smaller batch).
        """
        if not conversations:
            return []
        if self.batching == "static":
            return self._collector.submit(conversations, config)
        prompts = [self._prompt_ids(c) for c in conversations]
        return self._batcher.submit(prompts, config)

    def close(self) -> None:
        """Stop the batch worker and free the weights and cached keys and values (on a
        GPU, its memory goes back for the next model). Later calls fail."""
        import torch

        self._batcher.close()
        self.prefix_cache = None
        self.model = None
        gc.collect()
        return_freed_memory()
        if self.device.type == "cuda":
            torch.cuda.empty_cache()

    def encode(self, conversation: Conversation) -> list[int]:
        """Return the prompt token ids of a conversation, as ``generate`` feeds them."""
        messages = [message.model_dump() for message in conversation]
        continues = bool(messages) and messages[-1]["role"] == "assistant"
        text = self.tokenizer.apply_chat_template(
            messages,
            tokenize=False,
            add_generation_prompt=not continues,
            continue_final_message=continues,
        )
        return list(self.tokenizer(text, add_special_tokens=False)["input_ids"])

    def _prompt_ids(self, conversation: Conversation) -> torch.Tensor:
        import torch

        return torch.tensor(self.encode(conversation), dtype=torch.long)

    def _generate_batch(
        self, conversations: list[Conversation], config: GenerationConfig
    ) -> list[list[Generation]]:
        import torch

        prompts = [self._prompt_ids(c) for c in conversations]
        rows = [prompt for prompt in prompts for _ in range(config.n)]
        layout = build_batch(
            rows, self.prefix_cache, self.pad_token_id, self.model.config, self.device
        )
        width = layout.input_ids.shape[1]
        options: dict[str, Any] = {
            "max_new_tokens": config.max_new_tokens,
            "do_sample": config.temperature > 0,
            "eos_token_id": self.end_token_ids,
            "pad_token_id": self.pad_token_id,
            "return_dict_in_generate": True,
            "use_cache": True,
        }
        if config.temperature > 0:
            options.update(temperature=config.temperature, top_p=config.top_p, top_k=0)
        else:
            options.update(temperature=None, top_p=None, top_k=None)
        criteria = []
        if config.stop:
            criteria.append(stop_criteria(self.tokenizer, config.stop, width))
        if config.max_repeats:
            criteria.append(repeat_criteria(self.tokenizer, config.max_repeats, width))
        if criteria:
            options["stopping_criteria"] = criteria
        if layout.cache is not None:
            options["cache"] = layout.cache
        started = time.perf_counter()
        devices = [self.device.index or 0] if self.device.type == "cuda" else []
        try:
            with torch.random.fork_rng(devices=devices), torch.inference_mode():
                if config.seed is not None:
                    torch.manual_seed(config.seed)
                output = self.model.generate(
                    input_ids=layout.input_ids, attention_mask=layout.attention_mask, **options
                )
        except torch.OutOfMemoryError as error:
            raise NotEnoughMemoryError(
                f"{self.device} ran out of memory generating for {len(rows)} rows of up to "
                f"{width} tokens; lower max_batch, max_new_tokens or the number of problems "
                "in flight"
            ) from error
        seconds = time.perf_counter() - started
        generated = output.sequences[:, width:]
        generations, lengths = self._read(generated, rows, layout.reused, config, seconds)
        if self.prefix_cache is not None and output.cache is not None:
            harvest(
                self.prefix_cache,
                output.cache,
                output.sequences,
                layout.attention_mask,
                lengths,
            )
        return [generations[i * config.n : (i + 1) * config.n] for i in range(len(conversations))]

    def _read(
        self,
        generated: torch.Tensor,
        rows: list[torch.Tensor],
        reused: list[int],
        config: GenerationConfig,
        seconds: float,
    ) -> tuple[list[Generation], list[int]]:
        """Turn generated ids into generations; also return each row's real token count."""
        ends = set(self.end_token_ids) | {self.pad_token_id}
        generations, lengths = [], []
        for row, tokens in enumerate(generated.tolist()):
            end = next((i for i, token in enumerate(tokens) if token in ends), len(tokens))
            text = self.tokenizer.decode(tokens[:end], skip_special_tokens=True)
            text, stop_string = cut_at_stop(text, config.stop)
            if stop_string is not None:
                reason = StopReason.STOP
            elif config.max_repeats and repeating(
                self.tokenizer.decode(tokens[:end][-REPEAT_TAIL_TOKENS:], skip_special_tokens=True),
                config.max_repeats,
            ):
                reason = StopReason.REPEAT
            elif end < len(tokens):
                reason = StopReason.END
            else:
                reason = StopReason.LENGTH
            self.stats.prompt_tokens += rows[row].shape[0]
            self.stats.reused_tokens += reused[row]
            lengths.append(end)
            generations.append(
                Generation(
                    text=text,
                    stop_reason=reason,
                    stop_string=stop_string,
                    prompt_tokens=rows[row].shape[0],
                    completion_tokens=min(len(tokens), end + (reason is StopReason.END)),
                    seconds=seconds,
                )
            )
        return generations, lengths
