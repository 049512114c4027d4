"""Where data comes from: data folder, POT_DATA, cache, download with sha256."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from pot.tasks import ChecksumError, DataUnavailableError, cache_dir, data_file, load_problems
from pot.tasks import data as data_module


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POT_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("POT_DATA", raising=False)


def _origins_at(monkeypatch: pytest.MonkeyPatch, base: str) -> None:
    origins = {name: f"{base}/{name}" for name in ("gsm8k", "svamp", "math500", "bbh")}
    monkeypatch.setattr(data_module, "_ORIGINS", origins | {"cruxeval": f"{base}/cruxeval"})


def test_pot_data_env_var(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POT_DATA", str(shared_data))
    assert data_file("gsm8k/test.jsonl") == shared_data / "gsm8k" / "test.jsonl"
    assert len(load_problems("svamp")) == 1000


def test_argument_wins_over_env(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POT_DATA", str(tmp_path / "elsewhere"))
    assert data_file("svamp/SVAMP.json", shared_data) == shared_data / "svamp" / "SVAMP.json"


def test_cache_location(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cache_dir() == tmp_path / "cache" / "data"
    monkeypatch.delenv("POT_CACHE")
    assert cache_dir() == Path.home() / ".cache" / "pot" / "data"


def test_download_into_cache_checks_sha256(
    shared_data: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _origins_at(monkeypatch, shared_data.as_uri())
    path = data_file("gsm8k/test.jsonl", tmp_path / "empty")
    assert path == tmp_path / "cache" / "data" / "gsm8k" / "test.jsonl"
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == data_module.SHA256["gsm8k/test.jsonl"]
    assert len(load_problems("gsm8k", data_dir=tmp_path / "empty")) == 1319
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".")]  # no temp file


def test_checksum_mismatch_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "origin" / "gsm8k"
    fake.mkdir(parents=True)
    (fake / "test.jsonl").write_text('{"question": "1+1?", "answer": "#### 2"}\n')
    _origins_at(monkeypatch, (tmp_path / "origin").as_uri())
    with pytest.raises(ChecksumError, match="sha256"):
        data_file("gsm8k/test.jsonl")
    assert not (tmp_path / "cache" / "data" / "gsm8k" / "test.jsonl").exists()


def test_unreachable_origin_says_to_set_pot_data(monkeypatch: pytest.MonkeyPatch) -> None:
    _origins_at(monkeypatch, "http://127.0.0.1:9")  # the discard port: refused at once
    with pytest.raises(DataUnavailableError) as caught:
        load_problems("math500")
    message = str(caught.value)
    assert "POT_DATA" in message
    assert "math500/test.jsonl" in message
    assert "127.0.0.1:9" in message


def test_real_origins_are_raw_github_urls() -> None:
    url = data_module.origin_url("bbh/navigate.json")
    assert url == (
        "https://raw.githubusercontent.com/suzgunmirac/BIG-Bench-Hard/HEAD/bbh/navigate.json"
    )
    assert set(data_module.SHA256) >= {
        "gsm8k/test.jsonl",
        "svamp/SVAMP.json",
        "math500/test.jsonl",
        "cruxeval/cruxeval.jsonl",
    }
    assert sum(key.startswith("bbh/") for key in data_module.SHA256) == 27
    with pytest.raises(DataUnavailableError):
        data_module.origin_url("nowhere/file.json")


def test_pinned_checksums_match_the_shared_files(shared_data: Path) -> None:
    for relative, expected in data_module.SHA256.items():
        assert hashlib.sha256((shared_data / relative).read_bytes()).hexdigest() == expected
