"""Convert a GGUF file once into a bf16 safetensors folder that bitsandbytes can quantize.

transformers reads GGUF files (dequantized to full size) but cannot combine
``gguf_file`` with ``quantization_config`` and refuses to ``save_pretrained`` a
GGUF-loaded model. So the weights are moved into a model built from the same
config (on the meta device, so no second copy is made), saved as safetensors
in bf16, and later loaded with a ``BitsAndBytesConfig``.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import psutil

from pot.models.errors import NotEnoughMemoryError, missing_extra
from pot.models.weights import (
    Alias,
    converted_folder,
    gguf_path,
    is_converted,
    join_chunks,
)
from pot.quiet import gguf_bars_hidden

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

# Peak resident memory of a conversion relative to the GGUF file size (Q4_K_M):
# measured 2.9 GB for the 0.5B (491 MB file); bf16 weights are ~2.6x the file.
_CONVERSION_MEMORY_FACTOR = 6.5

# Qwen2.5's end-of-turn and end-of-text tokens: the chat model ends its turn with
# either, and the GGUF metadata names only the first.
_QWEN_END_TOKENS = ("<|im_end|>", "<|endoftext|>")


def prepare_alias(
    alias: Alias, cache_dir: str | os.PathLike[str] | None = None, progress: bool = True
) -> Path:
    """Make sure the converted folder of ``alias`` exists, joining and converting if needed.

    Args:
        alias: The alias to prepare.
        cache_dir: pot's cache folder.
        progress: Show a rich progress bar on stderr.

    Returns:
        The converted safetensors folder.

    Raises:
        UnknownModelError: The chunk packages are not installed.
        ChecksumError: The joined file does not match its sha256.
        NotEnoughMemoryError: Not enough free memory to convert.
    """
    destination = converted_folder(alias, cache_dir)
    if is_converted(destination):
        return destination
    with _progress(progress) as (add_task, advance):
        task = add_task(f"joining {alias.gguf_name}", alias.gguf_bytes)
        gguf = join_chunks(alias, cache_dir, on_bytes=lambda size: advance(task, size))
        assert gguf == gguf_path(alias, cache_dir)
        task = add_task(f"converting {alias.name} to safetensors (bf16, once)", None)
        convert_gguf(gguf, destination)
        advance(task, 1)
    return destination


def convert_gguf(gguf: Path, destination: Path) -> Path:
    """Convert a GGUF file into a bf16 safetensors folder, atomically.

    The folder is written under a temporary name next to ``destination`` and
    renamed into place at the end, so a killed conversion leaves no half cache.
    If another process finished first, its folder is kept.

    Args:
        gguf: The GGUF file.
        destination: The folder to create.

    Returns:
        ``destination``.

    Raises:
        NotEnoughMemoryError: Not enough free memory to convert.
    """
    if is_converted(destination):
        return destination
    needed = int(gguf.stat().st_size * _CONVERSION_MEMORY_FACTOR)
    available = psutil.virtual_memory().available
    if available < needed:
        raise NotEnoughMemoryError(
            f"converting {gguf.name} needs about {needed / 2**30:.1f} GiB of free memory, "
            f"{available / 2**30:.1f} GiB is available; close other programs and retry "
            "(the conversion runs once, later loads are small)"
        )
    try:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer
    except ImportError as error:
        raise missing_extra(error.name or "transformers", "hf") from error

    destination.parent.mkdir(parents=True, exist_ok=True)
    temporary = Path(tempfile.mkdtemp(prefix=f".{destination.name}.", dir=destination.parent))
    try:
        tokenizer = AutoTokenizer.from_pretrained(str(gguf.parent), gguf_file=gguf.name)
        with gguf_bars_hidden():
            loaded = AutoModelForCausalLM.from_pretrained(
                str(gguf.parent), gguf_file=gguf.name, dtype=torch.bfloat16
            )
        with torch.device("meta"):
            model = AutoModelForCausalLM.from_config(loaded.config, dtype=torch.bfloat16)
        model.load_state_dict(loaded.state_dict(), assign=True)
        del loaded
        # The GGUF quantization config would make later loads refuse a BitsAndBytesConfig.
        if hasattr(model.config, "quantization_config"):
            del model.config.quantization_config
        end_ids = [tokenizer.convert_tokens_to_ids(token) for token in _QWEN_END_TOKENS]
        end_ids = [
            token for token in end_ids if token is not None and token != tokenizer.unk_token_id
        ]
        if end_ids:
            model.generation_config.eos_token_id = end_ids
        if tokenizer.pad_token_id is not None:
            model.generation_config.pad_token_id = tokenizer.pad_token_id
        model.save_pretrained(str(temporary))
        tokenizer.save_pretrained(str(temporary))
        del model
        temporary.chmod(0o755)
        try:
            os.rename(temporary, destination)
        except OSError:
            if not is_converted(destination):
                raise
    finally:
        if temporary.exists():
            shutil.rmtree(temporary, ignore_errors=True)
    return destination


@contextmanager
def _progress(
    enabled: bool,
) -> Iterator[tuple[Callable[[str, int | None], int], Callable[[int, int], None]]]:
    """Yield ``add_task(description, total)`` and ``advance(task, amount)``; no-ops if disabled."""
    if not enabled:
        yield (lambda description, total: 0), (lambda task, amount: None)
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        DownloadColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=Console(stderr=True), transient=False) as bar:
        tasks: list[int] = []

        def add_task(description: str, total: int | None) -> int:
            for previous in tasks:
                bar.update(previous, completed=bar.tasks[previous].total or 1)  # type: ignore[index]
            tasks.append(bar.add_task(description, total=total))
            return tasks[-1]

        def advance(task: int, amount: int) -> None:
            bar.advance(task, amount)  # type: ignore[arg-type]

        yield add_task, advance
