"""Provenance in run records: model files and their sha256 (hashed once), commit, machine."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from pot.models.weights import ALIASES
from pot.tasks.provenance import file_sha256, git_commit, machine, model_files
from pot.tasks.record import record_path

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("POT_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


def test_an_alias_names_its_recorded_sha256_without_reading_weights(cache: Path) -> None:
    alias = ALIASES["qwen2.5-coder-0.5b"]
    loaded = SimpleNamespace(name=alias.name, device="cpu")  # what a loaded model reports
    first, *rest = model_files(loaded)
    assert (first.path, first.sha256, first.size) == (
        alias.gguf_name,
        alias.sha256,
        alias.gguf_bytes,
    )
    assert not (cache / "sha256.json").exists()  # nothing was hashed
    assert all(file.sha256 is None for file in rest)


def test_local_files_are_hashed_once_per_version(cache: Path, tmp_path: Path) -> None:
    folder = tmp_path / "my-model"
    folder.mkdir()
    weights = folder / "model.safetensors"
    weights.write_bytes(b"weights v1")
    (folder / "config.json").write_text("{}", encoding="utf-8")
    files = model_files(SimpleNamespace(name=str(folder), device="cpu"))
    assert [Path(file.path).name for file in files] == ["config.json", "model.safetensors"]
    assert files[1].sha256 == hashlib.sha256(b"weights v1").hexdigest()
    known = json.loads((cache / "sha256.json").read_text(encoding="utf-8"))
    assert len(known) == 2
    # the cache answers for an unchanged file (shown by planting a value in it) ...
    key = next(key for key in known if key.startswith(str(weights.resolve())))
    known[key] = "0" * 64
    (cache / "sha256.json").write_text(json.dumps(known), encoding="utf-8")
    assert file_sha256(weights) == "0" * 64
    # ... and a changed file is hashed again
    weights.write_bytes(b"weights v2")
    os.utime(weights, ns=(1, 1))
    assert file_sha256(weights) == hashlib.sha256(b"weights v2").hexdigest()


def test_hugging_face_blobs_are_named_by_their_sha256(tmp_path: Path) -> None:
    digest = hashlib.sha256(b"tensor").hexdigest()
    blob = tmp_path / "blobs" / digest
    blob.parent.mkdir()
    blob.write_bytes(b"not read")
    link = tmp_path / "model.safetensors"
    link.symlink_to(blob)
    assert file_sha256(link) == digest


def test_servers_and_scripted_models_have_no_files() -> None:
    assert model_files(SimpleNamespace(name="openai:qwen@http://127.0.0.1:1/v1")) == []
    assert model_files(SimpleNamespace(name="scripted")) == []


def test_commit_machine_and_record_path(tmp_path: Path) -> None:
    commit, dirty = git_commit(REPO)
    if (REPO / ".git").exists():
        assert commit is not None and len(commit) == 40 and isinstance(dirty, bool)
    assert git_commit(tmp_path) == (None, None)
    here = machine()
    assert here.cpu_count and here.python and here.platform
    assert record_path("runs/a.b.jsonl") == Path("runs/a.b.record.json")
