"""The background build of llama-cpp-python (scripts/build-llama.sh) and what pot makes of it.

The script runs for real, with real pip, into a fresh virtual environment; what it builds
is a small local package (POT_LLAMA_PACKAGE), since llama-cpp-python itself compiles for
~6 minutes (``scripts/setup.sh test`` builds it that way for the rest of the suite).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import venv
from pathlib import Path

import pytest

from pot.models import choice

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "build-llama.sh"
ALIAS = "qwen2.5-coder-0.5b"


def _mark(prefix: Path, pid: int, age: float = 0.0) -> Path:
    running = prefix / f"{choice.BUILD}.running"
    running.write_text(f"{pid}\n")
    if age:
        stamp = time.time() - age
        os.utime(running, (stamp, stamp))
    return running


def _dead_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    return child.pid


def test_the_build_states_come_from_the_markers(tmp_path: Path) -> None:
    assert choice.llama_build(tmp_path) is None
    running = _mark(tmp_path, os.getpid())
    assert choice.llama_build(tmp_path) == "running"
    _mark(tmp_path, os.getpid(), age=(choice.BUILD_HOURS + 1) * 3600)  # a stale marker
    assert choice.llama_build(tmp_path) is None
    _mark(tmp_path, _dead_pid())  # a build killed with its machine
    assert choice.llama_build(tmp_path) is None
    running.write_text("not a pid")
    assert choice.llama_build(tmp_path) is None
    (tmp_path / f"{choice.BUILD}.failed").write_text("2026-12-04T23:00:00Z\n")
    assert choice.llama_build(tmp_path) == "failed"


def test_while_a_build_runs_pot_keeps_to_nf4_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "prefix", str(tmp_path))
    monkeypatch.setattr(choice, "cuda_available", lambda: False)
    monkeypatch.setattr(choice, "runs_a_gguf", lambda spec, options: True)
    _mark(tmp_path, os.getpid())
    assert not choice.llama_installed()  # even where llama_cpp is importable: half installed
    assert choice.default_quantization(ALIAS, {}) is None
    hint = choice.backend_hint(ALIAS, {})
    assert hint is not None and "being built in the background" in hint
    assert str(tmp_path / f"{choice.BUILD}.log") in hint

    (tmp_path / f"{choice.BUILD}.running").unlink()
    (tmp_path / f"{choice.BUILD}.failed").write_text("x")
    monkeypatch.setattr(choice, "llama_installed", lambda: False)
    hint = choice.backend_hint(ALIAS, {})
    assert hint is not None and "failed" in hint and "pot-reasoning[llama]" in hint


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("llama-build") / "venv"
    venv.create(folder, with_pip=True)
    return folder


def _package(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "pyproject.toml").write_text(
        "[build-system]\n"
        'requires = ["setuptools>=61"]\n'
        'build-backend = "setuptools.build_meta"\n'
        f'[project]\nname = "{name}"\nversion = "0.1"\n'
        f'[tool.setuptools]\npy-modules = ["{name.replace("-", "_")}"]\n'
    )
    (folder / f"{name.replace('-', '_')}.py").write_text("BUILT = True\n")
    return folder


def _run(
    environment: Path, package: Path, *args: str, cpu: Path | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "POT_LLAMA_PACKAGE": str(package)}
    if cpu is not None:
        env["POT_CPUINFO"] = str(cpu)
    return subprocess.run(
        ["bash", str(SCRIPT), str(environment), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


@pytest.mark.slow
def test_a_background_build_installs_at_the_end_and_leaves_its_log(
    environment: Path, tmp_path: Path
) -> None:
    package = _package(tmp_path, "pot-fake-llama")
    started = _run(environment, package, "--background")
    assert started.returncode == 0, started.stderr
    assert choice.llama_build(environment) == "running"  # from the moment the script returns
    deadline = time.monotonic() + 280
    while choice.llama_build(environment) == "running" and time.monotonic() < deadline:
        time.sleep(0.5)
    log = (environment / f"{choice.BUILD}.log").read_text()
    assert choice.llama_build(environment) is None, log
    assert "installed pot_fake_llama-0.1" in log
    python = environment / "bin" / "python"
    check = subprocess.run(
        [str(python), "-c", "import pot_fake_llama; print(pot_fake_llama.BUILT)"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.stdout.strip() == "True", check.stderr


@pytest.mark.slow
def test_a_failed_build_is_marked_and_says_so(environment: Path, tmp_path: Path) -> None:
    missing = tmp_path / "no-such-package"
    done = _run(environment, missing)
    assert done.returncode == 1
    assert "the build failed" in done.stderr
    assert choice.llama_build(environment) == "failed"
    assert not (environment / f"{choice.BUILD}.running").exists()
    # a later build that works clears the mark
    assert _run(environment, _package(tmp_path, "pot-fake-llama-two")).returncode == 0
    assert choice.llama_build(environment) is None


@pytest.mark.slow
def test_the_build_asks_for_avx512_only_where_the_cpu_has_it(
    environment: Path, tmp_path: Path
) -> None:
    base = "fpu sse2 avx avx2 fma f16c bmi2"
    avx512 = "avx512f avx512cd avx512bw avx512dq avx512vl avx512_vnni avx512vbmi"
    for number, (flags, wanted) in enumerate(
        [
            (base, set()),
            (f"{base} avx512f avx512bw", set()),  # not the whole AVX-512 base: none of it
            (f"{base} {avx512}", {"AVX512", "AVX512_VNNI", "AVX512_VBMI"}),
        ]
    ):
        cpuinfo = tmp_path / f"cpuinfo{number}"
        cpuinfo.write_text(f"processor\t: 0\nflags\t\t: {flags}\nbugs\t\t: none\n")
        package = _package(tmp_path, f"pot-fake-llama-cpu{number}")
        done = _run(environment, package, cpu=cpuinfo)
        assert done.returncode == 0, done.stderr
        (line,) = [line for line in done.stdout.splitlines() if "CMAKE_ARGS=" in line]
        asked = {part.removeprefix("-DGGML_") for part in line.split('"')[1].split()}
        assert "-DGGML_NATIVE=OFF" in line and "-DGGML_AVX2=ON" in line
        assert {name.removesuffix("=ON") for name in asked if name.startswith("AVX512")} == wanted


def test_a_bad_call_gets_its_usage(tmp_path: Path) -> None:
    done = subprocess.run(
        ["bash", str(SCRIPT), str(tmp_path), "--fast"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2 and "usage: scripts/build-llama.sh" in done.stderr
