"""GatewayExecutor failures that only a kernel gateway has (a real one, on loopback)."""

from __future__ import annotations

import contextlib
import json
import threading
import urllib.error
import urllib.request
from pathlib import Path

import psutil
import pytest

from pot.executors import (
    ExecutionResult,
    GatewayAuthError,
    GatewayExecutor,
    GatewayUnavailableError,
    KernelEvent,
    KernelPool,
    KernelStartError,
)
from tests.conftest import GATEWAY_TOKEN, free_port, start_gateway, stop_gateway
from tests.waiting import wait_until


def kernel_gone(url: str, kernel_id: str) -> bool:
    """Whether the gateway no longer knows the kernel (its REST API answers 404)."""
    request = urllib.request.Request(
        f"{url}/api/kernels/{kernel_id}", headers={"Authorization": f"token {GATEWAY_TOKEN}"}
    )
    try:
        with urllib.request.urlopen(request, timeout=10):
            return False
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return True
        raise


def test_wrong_token_is_refused(gateway: str) -> None:
    with pytest.raises(GatewayAuthError, match="POT_GATEWAY_TOKEN"):
        GatewayExecutor(gateway, token="wrong").start()


def test_token_from_the_environment(gateway: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POT_GATEWAY_TOKEN", GATEWAY_TOKEN)
    with GatewayExecutor(gateway) as executor:
        assert executor.run("6 * 7").result == "42"


def test_kernel_variables_reach_the_remote_kernel(
    gateway: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``KERNEL_*`` variables travel with the start request, as Enterprise Gateway
    expects for ``KERNEL_IMAGE`` or ``KERNEL_MEMORY_LIMIT``; others stay home."""
    monkeypatch.setenv("KERNEL_POT_MARK", "from-pot")
    monkeypatch.setenv("POT_SECRET_MARK", "stays-home")
    with GatewayExecutor(gateway, token=GATEWAY_TOKEN, env={"KERNEL_EXTRA": "1"}) as executor:
        names = ("KERNEL_POT_MARK", "KERNEL_EXTRA", "POT_SECRET_MARK")
        code = f"import os\n[os.environ.get(name) for name in {names!r}]"
        assert executor.run(code).result == "['from-pot', '1', None]"


def test_kernel_name_from_the_environment(gateway: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POT_GATEWAY_KERNEL", "cobol")
    with pytest.raises(KernelStartError, match="no kernel named 'cobol'"):
        GatewayExecutor(gateway, token=GATEWAY_TOKEN).start()


def test_unreachable_gateway() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(GatewayUnavailableError, match="Cannot reach the kernel gateway"):
        GatewayExecutor(url, token=GATEWAY_TOKEN).start()


def test_unknown_kernel_name(gateway: str) -> None:
    with pytest.raises(KernelStartError, match=r"no kernel named 'cobol'.*python3"):
        GatewayExecutor(gateway, "cobol", token=GATEWAY_TOKEN).start()


def test_removed_kernel_is_replaced(gateway: str) -> None:
    with GatewayExecutor(gateway, token=GATEWAY_TOKEN) as executor:
        executor.run("lost = 1")
        first = executor.kernel_id
        # what culling does: the gateway deletes the kernel behind pot's back
        other = GatewayExecutor(gateway, token=GATEWAY_TOKEN)
        other.kernel_id = first
        other.shutdown()
        result = executor.run("1 + 1")
        assert result.kernel is KernelEvent.DIED and result.error is not None
        assert "culled" in result.error.value
        assert executor.kernel_id != first
        assert executor.run("lost").error is not None
        assert executor.run("2 + 2").result == "4"


def test_idle_kernel_culled_by_the_gateway(tmp_path: Path) -> None:
    process, url = start_gateway(
        tmp_path,
        "--MappingKernelManager.cull_idle_timeout=2",
        "--MappingKernelManager.cull_interval=1",
        "--MappingKernelManager.cull_connected=True",
    )
    try:
        with GatewayExecutor(url, token=GATEWAY_TOKEN) as executor:
            executor.run("x = 1")
            first = executor.kernel_id
            wait_until(
                lambda: kernel_gone(url, first),
                "the gateway to cull the idle kernel",
                interval=0.2,
            )
            result = executor.run("x")
            assert result.kernel is KernelEvent.DIED
            assert executor.kernel_id != first
            assert executor.run("3 + 3").result == "6"
    finally:
        stop_gateway(process)


def test_kernel_the_gateway_gives_up_on(tmp_path: Path) -> None:
    process, url = start_gateway(tmp_path, "--KernelRestarter.restart_limit=0")
    try:
        with GatewayExecutor(url, token=GATEWAY_TOKEN) as executor:
            first = executor.kernel_id
            result = executor.run("import os\nos._exit(1)", timeout=60)
            assert result.kernel is KernelEvent.DIED and result.error is not None
            assert "gave up restarting it" in result.error.value
            assert executor.kernel_id != first
            assert executor.run("3 + 3").result == "6"
    finally:
        stop_gateway(process)


def test_kernel_dying_again_right_after_its_restart(gateway: str) -> None:
    """A kernel that dies again within 10 s of a restart is restarted on new ports,
    which can leave a socket opened meanwhile deaf: pot notices and reconnects."""
    with GatewayExecutor(gateway, token=GATEWAY_TOKEN) as executor:
        for _ in range(4):
            result = executor.run("import os\nos._exit(1)", timeout=120)
            assert result.kernel is KernelEvent.DIED
            # the setup's 5 s limit, three tries and a new kernel: far below the timeout
            assert result.elapsed < 100
            assert executor.run("6 * 7").result == "42"


def test_gateway_killed_mid_run(tmp_path: Path) -> None:
    process, url = start_gateway(tmp_path)
    outcome: list[ExecutionResult | BaseException] = []
    executor = GatewayExecutor(url, token=GATEWAY_TOKEN, request_timeout=5)
    executor.start()
    running = tmp_path / "running"
    code = f"import pathlib, time\npathlib.Path({str(running)!r}).touch()\ntime.sleep(30)"

    def run() -> None:
        try:
            outcome.append(executor.run(code, timeout=60))
        except BaseException as error:
            outcome.append(error)

    worker = threading.Thread(target=run)
    worker.start()
    wait_until(running.exists, "the code to start running in the kernel")
    # the gateway's kernels outlive a killed gateway: end exactly those afterwards
    kernels = psutil.Process(process.pid).children(recursive=True)
    assert kernels, "the gateway has no kernel process"
    process.kill()
    try:
        worker.join(timeout=60)
        assert not worker.is_alive()
        assert len(outcome) == 1 and isinstance(outcome[0], GatewayUnavailableError)
        executor.shutdown()  # does not hang on a gateway that is gone
    finally:
        process.wait()
        process.log.close()  # type: ignore[attr-defined]
        for kernel in kernels:
            with contextlib.suppress(psutil.NoSuchProcess):
                kernel.kill()
        psutil.wait_procs(kernels, timeout=10)


def test_pool_of_remote_kernels(gateway: str) -> None:
    def factory() -> GatewayExecutor:
        return GatewayExecutor(gateway, token=GATEWAY_TOKEN, preload="import math")

    with KernelPool(size=2, factory=factory) as pool:
        with pool.lend() as first, pool.lend() as second:
            assert first.kernel_id != second.kernel_id
            first.run("mine = 1")
            assert second.run("mine").error is not None
        with pool.lend() as executor:
            assert executor.run("mine").error is not None  # reset on return
            assert executor.run("math.factorial(5)").result == "120"


def test_one_setting_names_the_executor(gateway: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from pot.executors import ExecutorSpecError, JupyterExecutor, make_pool

    monkeypatch.setenv("POT_GATEWAY_TOKEN", GATEWAY_TOKEN)
    with make_pool(f"gateway:{gateway}", size=1) as pool, pool.lend() as executor:
        assert isinstance(executor, GatewayExecutor)
        assert executor.run("1 + 2").result == "3"
    monkeypatch.setenv("POT_EXECUTOR", "unconfined")
    with make_pool(size=1) as pool, pool.lend() as executor:
        assert isinstance(executor, JupyterExecutor)
        assert executor.isolation.value == "none"
    for bad in ("gateway:", "gateway:ftp://x", "docker", "local:extra"):
        with pytest.raises(ExecutorSpecError, match="executor"):
            make_pool(bad)


def test_cli_solves_on_a_gateway(gateway: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from pot.cli import app

    monkeypatch.setenv("POT_GATEWAY_TOKEN", GATEWAY_TOKEN)
    code = "```python\nimport os\nprint(os.getpid() > 0, 6 * 7)\n```"
    result = CliRunner().invoke(
        app,
        [
            "solve",
            "What is 6*7?",
            "--json",
            "--model",
            f"scripted:{json.dumps([code])}",
            "--executor",
            f"gateway:{gateway}",
        ],
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["answer"]["normalized"] == "True 42"


def test_eval_runs_on_a_gateway(
    gateway: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, shared_data: Path
) -> None:
    from typer.testing import CliRunner

    from pot.cli import app
    from pot.tasks import read_results

    monkeypatch.setenv("POT_GATEWAY_TOKEN", GATEWAY_TOKEN)
    out = tmp_path / "runs.jsonl"
    replies = json.dumps(["```python\nprint(18)\n```", "```python\nprint(3)\n```"])
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "gsm8k",
            "--limit",
            "2",
            "--out",
            str(out),
            "--data",
            str(shared_data),
            "--model",
            f"scripted:{replies}",
            "--executor",
            f"gateway:{gateway}",
        ],
    )
    assert result.exit_code == 0, result.output
    records = read_results([out])
    assert [record.prediction for record in records] == ["18", "3"]
    assert records[0].correct  # GSM8K's first answer is 18
