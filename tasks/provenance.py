"""Where a run came from: pot's version and commit, the machine, the model's files and hashes.

Nothing here loads a model or imports torch: weights are described from what pot
already knows (an alias's GGUF sha256 is recorded in :mod:`pot.models.weights` and
checked when the file is joined; the Hugging Face cache names blobs by their
sha256), and any other large file is hashed once and remembered in
``$POT_CACHE/sha256.json`` by path, size and modification time.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CHUNK = 1 << 20


class ModelFile(BaseModel):
    """One file the model's weights were loaded from."""

    path: str = Field(description="Where it is (or its name, for an alias's GGUF file).")
    sha256: str | None = Field(default=None, description="Its sha256, when known.")
    size: int | None = Field(default=None, description="Bytes.")
    note: str | None = Field(default=None, description="Where the hash comes from, etc.")


class Machine(BaseModel):
    """The machine a session ran on (no host name)."""

    platform: str
    python: str
    cpu: str | None
    cpu_count: int | None
    memory_gib: float | None
    gpus: list[str] = Field(default_factory=list)
    torch: str | None = Field(default=None, description="torch's version, if it was loaded.")


def cpu_model() -> str | None:
    """The CPU's model name (``/proc/cpuinfo``, else ``platform.processor()``)."""
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or None


def _memory_gib() -> float | None:
    try:
        pages, size = os.sysconf("SC_PHYS_PAGES"), os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
    return round(pages * size / 2**30, 1)


def gpu_names() -> list[str]:
    """GPU names: from torch when it is already loaded, else from ``nvidia-smi`` if present."""
    torch = sys.modules.get("torch")
    if torch is not None:
        try:
            if torch.cuda.is_available():
                return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
            return []
        except Exception:  # a broken CUDA setup must not stop a run from being recorded
            return []
    try:
        listed = subprocess.run(
            ["nvidia-smi", "--query-gpu=name", "--format=csv,noheader"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return []
    return [line.strip() for line in listed.stdout.splitlines() if line.strip()]


def machine() -> Machine:
    """Describe this machine."""
    torch = sys.modules.get("torch")
    return Machine(
        platform=platform.platform(),
        python=platform.python_version(),
        cpu=cpu_model(),
        cpu_count=os.cpu_count(),
        memory_gib=_memory_gib(),
        gpus=gpu_names(),
        torch=getattr(torch, "__version__", None),
    )


def git_commit(folder: str | os.PathLike[str] | None = None) -> tuple[str | None, bool | None]:
    """The commit pot runs from and whether tracked files differ from it.

    Args:
        folder: A folder inside the checkout (default: the one pot is imported from).

    Returns:
        ``(commit, dirty)``, or ``(None, None)`` when pot is not run from a git checkout.
    """
    root = Path(folder) if folder is not None else Path(__file__).resolve().parents[1]
    if not (root / ".git").exists():
        return None, None
    try:
        commit = subprocess.run(
            ["git", "-C", str(root), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        changes = subprocess.run(
            ["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None, None
    return commit or None, bool(changes.strip())


def _hash_cache_path() -> Path:
    root = os.environ.get("POT_CACHE", "").strip()
    return (Path(root).expanduser() if root else Path.home() / ".cache" / "pot") / "sha256.json"


def _read_hash_cache(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def file_sha256(path: str | os.PathLike[str]) -> str:
    """The sha256 of a file, computed once per (path, size, modification time).

    A file inside the Hugging Face cache is named by its blob, which is its sha256
    (large files) and is not read at all.

    Raises:
        OSError: The file cannot be read.
    """
    resolved = Path(path).resolve()
    if resolved.parent.name == "blobs" and _HEX64.match(resolved.name):
        return resolved.name
    stat = resolved.stat()
    key = f"{resolved}|{stat.st_size}|{stat.st_mtime_ns}"
    cache = _hash_cache_path()
    known = _read_hash_cache(cache)
    if key in known:
        return known[key]
    digest = hashlib.sha256()
    with open(resolved, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    value = digest.hexdigest()
    known = {**_read_hash_cache(cache), key: value}
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=cache.parent, prefix=".sha256.")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            json.dump(known, stream, indent=0)
        os.replace(temporary, cache)
    except OSError:
        pass  # a read-only cache only costs hashing again next time
    return value


def _folder_files(folder: Path) -> list[ModelFile]:
    files = []
    for path in sorted(item for item in folder.iterdir() if item.is_file()):
        try:
            files.append(
                ModelFile(path=str(path), sha256=file_sha256(path), size=path.stat().st_size)
            )
        except OSError as error:
            files.append(ModelFile(path=str(path), note=f"unreadable: {error}"))
    return files


def _hub_snapshot(hub_id: str) -> Path | None:
    """The Hugging Face cache's snapshot of ``hub_id`` (its ``main`` ref), if downloaded."""
    home = os.environ.get("HF_HUB_CACHE") or os.path.join(
        os.environ.get("HF_HOME", Path.home() / ".cache" / "huggingface"), "hub"
    )
    repo = Path(home) / f"models--{hub_id.replace('/', '--')}"
    try:
        revision = (repo / "refs" / "main").read_text(encoding="utf-8").strip()
    except OSError:
        return None
    snapshot = repo / "snapshots" / revision
    return snapshot if snapshot.is_dir() else None


def model_files(model: Any) -> list[ModelFile]:
    """The files a model's weights come from, with their sha256 where it can be known cheaply.

    An alias names Qwen's GGUF file and the sha256 pot checks when joining it (plus
    the converted folder it is loaded from); a local ``.gguf`` file or folder is
    hashed (once per file version, see :func:`file_sha256`); a hub id is read from
    the Hugging Face cache; a server (``openai:``) or scripted model has no files.

    Args:
        model: A loaded model (its ``name`` is the spec it was loaded from).
    """
    from pot.models.weights import ALIASES, Source, resolve

    spec = str(getattr(model, "name", "")).strip()
    lowered = spec.lower()
    if not spec or lowered.startswith(("openai:", "scripted")) or not hasattr(model, "device"):
        return []
    if lowered in ALIASES:
        alias = ALIASES[lowered]
        resolution = resolve(lowered)
        files = [
            ModelFile(
                path=alias.gguf_name,
                sha256=alias.sha256,
                size=alias.gguf_bytes,
                note=f"Qwen's GGUF file, checked when joined; loaded from {resolution.location}",
            )
        ]
        if resolution.source is Source.CACHE:
            files.append(ModelFile(path=resolution.location, note="converted folder (NF4 source)"))
        return files
    path = Path(spec).expanduser()
    if path.is_file():
        return [ModelFile(path=str(path), sha256=file_sha256(path), size=path.stat().st_size)]
    if path.is_dir():
        return _folder_files(path)
    snapshot = _hub_snapshot(spec)
    if snapshot is not None:
        return [
            ModelFile(path=f"{spec}/{item.name}", sha256=file_sha256(item), note=snapshot.name)
            for item in sorted(snapshot.iterdir())
            if item.is_file()
        ]
    return [ModelFile(path=spec, note="hub id; not found in the local Hugging Face cache")]
