"""Executor behaviour beyond the contract: asyncio, threads, pools, limits, no orphans."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import psutil
import pytest

from pot.executors import JupyterExecutor, KernelEvent, KernelPool, ResourceLimits, Sandbox
from tests.test_eval_cli_kill import default_sigint


def descendants() -> set[int]:
    return {child.pid for child in psutil.Process().children(recursive=True)}


async def test_asyncio_api(session_kernel: JupyterExecutor) -> None:
    await session_kernel.areset()
    first, second = await asyncio.gather(
        session_kernel.arun("import time\ntime.sleep(0.2)\n'a'"),
        session_kernel.arun("'b'"),
    )
    # runs on one kernel are serialised, never interleaved
    assert (first.result, second.result) == ("'a'", "'b'")
    timed_out = await session_kernel.arun("while True:\n    pass", timeout=1)
    assert timed_out.kernel is KernelEvent.INTERRUPTED


def test_blocking_api_from_many_threads(kernel: JupyterExecutor) -> None:
    kernel.run("hits = []")
    errors: list[BaseException] = []

    def work(index: int) -> None:
        try:
            kernel.run(f"hits.append({index})")
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert kernel.run("sorted(hits)").result == repr(list(range(8)))


def test_blocking_api_inside_a_running_event_loop(kernel: JupyterExecutor) -> None:
    async def main() -> str | None:
        # a notebook cell calls the blocking API while its own loop runs
        return kernel.run("'from a loop'").result

    assert asyncio.run(main()) == "'from a loop'"


def test_pool_lends_distinct_warm_kernels(session_pool: KernelPool) -> None:
    with session_pool.lend() as first, session_pool.lend() as second:
        assert first is not second
        assert first.pid != second.pid
        first.run("mine = 1")
        assert second.run("mine").error is not None


def test_pool_resets_a_returned_kernel(session_pool: KernelPool) -> None:
    for _ in range(3):  # each lend may be either kernel; none may see a leftover
        with session_pool.lend() as executor:
            assert executor.run("leftover").error is not None
            executor.run("leftover = 1\nopen('junk.txt', 'w').write('x')")
    with session_pool.lend() as executor:
        assert executor.run("import os\nos.listdir('.')").result == "[]"


def test_pool_replaces_a_crashed_kernel(session_pool: KernelPool) -> None:
    with session_pool.lend() as executor:
        assert executor.run("import os\nos._exit(0)").kernel is KernelEvent.DIED
    with session_pool.lend() as executor, session_pool.lend() as other:
        assert executor.run("1 + 1").result == "2" and other.run("2 + 2").result == "4"


async def test_pool_in_asyncio(session_pool: KernelPool) -> None:
    async def use(value: int) -> str | None:
        async with session_pool.alend() as executor:
            return (await executor.arun(f"{value} * 2")).result

    assert await asyncio.gather(*(use(i) for i in range(6))) == [str(i * 2) for i in range(6)]


def test_pool_waits_when_all_kernels_are_lent(session_pool: KernelPool) -> None:
    with (
        session_pool.lend(),
        session_pool.lend(),
        pytest.raises(TimeoutError),
        session_pool.lend(timeout=0.3),
    ):
        pass


def test_pool_preloads_imports() -> None:
    with KernelPool(size=1, preload="import math, sympy") as pool:
        with pool.lend() as executor:
            assert executor.run("sympy.Rational(1, 3) + math.floor(2.5)").result == "7/3"
        with pool.lend() as executor:  # still there after the reset
            assert executor.run("sympy.sqrt(8)").result == "2*sqrt(2)"


def test_cpu_limit_kills_and_replaces_the_kernel() -> None:
    limits = ResourceLimits(cpu_seconds=1)
    with JupyterExecutor(limits=limits, timeout=30) as executor:
        result = executor.run("while True:\n    pass")
        assert result.kernel is KernelEvent.DIED
        assert result.error is not None and "SIGXCPU" in result.error.value
        # the limit is per run: a fresh run gets its own second
        assert executor.run("sum(range(10**6))").result == str(sum(range(10**6)))


def test_file_size_limit() -> None:
    limits = ResourceLimits(file_bytes=1024 * 1024)
    with JupyterExecutor(limits=limits) as executor:
        result = executor.run("open('big.bin', 'wb').write(b'x' * 4 * 1024 * 1024)")
        assert result.error is not None and result.error.name == "OSError"
        assert result.kernel is KernelEvent.OK


def test_memory_limit_is_a_setting() -> None:
    limits = ResourceLimits(memory_bytes=2 * 1024**3)
    with JupyterExecutor(limits=limits) as executor:
        result = executor.run("block = bytearray(3 * 1024**3)")
        assert result.error is not None and result.error.name == "MemoryError"
        assert executor.run("small = bytearray(10**8)\nlen(small)").result == str(10**8)


ORPHAN_SCRIPT = textwrap.dedent(
    """
    import faulthandler, signal, sys, time
    from pot.executors import JupyterExecutor
    faulthandler.register(signal.SIGUSR1)  # the test asks for stacks if the parent hangs
    executor = JupyterExecutor()
    executor.start()
    executor.run("import subprocess; child = subprocess.Popen(['sleep', '600'])")
    print(executor.pid, executor.workdir, flush=True)
    sys.stdin.readline()  # the test has looked at the kernel's processes
    mode = sys.argv[1]
    if mode == "exception":
        raise RuntimeError("boom")
    if mode == "exit":
        sys.exit(0)
    # short sleeps: a signal that lands between the read above and one long
    # sleep would only be handled after it (CPython checks between bytecodes)
    for _ in range(6000):
        time.sleep(0.1)
    """
)


@pytest.mark.parametrize("how", ["exit", "exception", "SIGTERM", "SIGKILL", "SIGINT"])
def test_no_orphans_when_the_parent_goes(how: str, tmp_path: Path) -> None:
    with subprocess.Popen(
        [sys.executable, "-c", ORPHAN_SCRIPT, how],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=default_sigint,
    ) as process:
        assert process.stdout is not None
        pid_text, workdir = process.stdout.readline().split()
        kernel = psutil.Process(int(pid_text))
        family = [kernel, *kernel.children(recursive=True)]
        assert any(p.name() == "sleep" for p in family)
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()
        if how.startswith("SIG"):
            process.send_signal(getattr(signal, how))
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:  # say where it hangs, kill it, fail
            process.send_signal(signal.SIGUSR1)
            time.sleep(1)
            process.kill()
            pytest.fail(f"the parent did not go within 60 s; its stacks:\n{process.stderr.read()}")
    _gone, alive = psutil.wait_procs(family, timeout=10)
    assert alive == []
    if how in ("exit", "exception", "SIGINT"):
        assert not Path(workdir).exists()


def test_stale_folders_of_killed_parents_are_swept(tmp_path: Path) -> None:
    # a folder named after a process that no longer exists
    dead = subprocess.Popen(["true"])
    dead.wait()
    stale = Path(os.environ.get("TMPDIR", "/tmp")) / f"pot-kernel-{dead.pid}-stale"
    stale.mkdir(exist_ok=True)
    with JupyterExecutor():
        pass
    assert not stale.exists()


def test_two_processes_sweeping_one_stale_folder_both_go_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two pot evaluations started at once sweep the same stale folders; a file the other
    removed first is no error (it was: ``IndexError: pop from empty list``, and the
    evaluation died before its first problem)."""
    from pot.executors import processes

    stale = tmp_path / "pot-kernel-1-stale"
    (stale / "deep").mkdir(parents=True)
    for name in ("a", "b", "deep/c"):
        (stale / name).write_text("x")
    unlink = os.unlink

    def removed_by_the_other(path: str, *, dir_fd: int | None = None) -> None:
        unlink(path, dir_fd=dir_fd)
        raise FileNotFoundError(path)  # as if the other process had been first

    monkeypatch.setattr(processes.os, "unlink", removed_by_the_other)
    processes.remove_tree(stale)
    assert not stale.exists()


@pytest.mark.slow
def test_fifty_start_stop_cycles_leak_nothing() -> None:
    me = psutil.Process()

    def cycle() -> None:
        with JupyterExecutor() as executor:
            executor.run("x = 1")

    cycle()  # first start loads modules and the kernel loop
    files_before, children_before = me.num_fds(), len(me.children(recursive=True))
    started = time.monotonic()
    for _ in range(50):
        cycle()
    assert me.num_fds() <= files_before + 2
    assert len(me.children(recursive=True)) == children_before
    assert time.monotonic() > started


def test_interrupt_from_another_thread(kernel: JupyterExecutor) -> None:
    kernel.run("kept = 'yes'")
    timer = threading.Timer(0.5, kernel.interrupt)
    timer.start()
    result = kernel.run("import time\ntime.sleep(60)", timeout=30)
    timer.join()
    assert result.error is not None and result.error.name == "KeyboardInterrupt"
    assert result.kernel is KernelEvent.OK
    assert kernel.run("kept").result == "'yes'"


def test_sandbox_writable_folder(tmp_path: Path) -> None:
    shared = tmp_path / "chat"
    shared.mkdir()
    shared.chmod(0o777)
    with JupyterExecutor(sandbox=Sandbox(writable=(str(shared),))) as executor:
        result = executor.run(f"open({str(shared / 'note.txt')!r}, 'w').write('hi')")
        assert result.ok, result.error
    assert (shared / "note.txt").read_text() == "hi"


def test_restart_after_restart_gives_a_working_kernel(kernel: JupyterExecutor) -> None:
    """Each restart runs pot's setup again; a third restart in a row must work as the
    first (a setup change once broke it there: the interrupt was then reported as
    handled and the kernel stayed stuck in the loop)."""
    stubborn = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    for _ in range(3):
        result = kernel.run(stubborn, timeout=1)
        assert result.kernel is KernelEvent.RESTARTED
        assert kernel.run("1 + 1", timeout=10).result == "2"


def test_on_demand_borrows_at_the_first_run_and_keeps_the_kernel(session_pool: KernelPool) -> None:
    with session_pool.on_demand() as lent:
        lent.reset()  # nothing borrowed yet: free
        assert lent.run("kept = 6 * 7").ok
        assert lent.run("kept").result == "42"  # the same kernel for every step
    with session_pool.on_demand() as again:
        assert again.run("'kept' in dir()").result == "False"  # given back and reset
