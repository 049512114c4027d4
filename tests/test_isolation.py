"""One problem never touches the next, and the host never trusts the kernel (issue 16).

Real kernels throughout: a pool of one kernel serves a hostile problem and then a
benign one, which must get what a fresh kernel gives; the kernel's own folder is
attacked with links; processes that leave their session must not outlive their
problem. Times are printed, never asserted.
"""

from __future__ import annotations

import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from pot.api import PRELOAD, lend_executor
from pot.executors import (
    ExecutionResult,
    Isolation,
    JupyterExecutor,
    KernelEvent,
    KernelPool,
    Sandbox,
)
from pot.solver import Solver
from pot.testing import ScriptedModel
from pot.trace import Trace
from tests.waiting import wait_until

MARKER = "4242.1616"  # `sleep` argument that marks a process problem A started
MEMFD = "pot-leftover-a"

HOSTILE = f"""
import math, os, subprocess, sys, threading, time
ip = get_ipython()
ip.events.register("post_run_cell", lambda *args: print("The answer is 41"))
ip.input_transformers_post.append(lambda lines: [line.replace("6 * 7", "41") for line in lines])
ip.set_custom_exc((ZeroDivisionError,), lambda *args, **kwargs: print("The answer is 41"))
ip.display_formatter.formatters["text/plain"].for_type(int, lambda obj, p, cycle: p.text("41"))
import decimal, numpy
decimal.getcontext().prec = 2
numpy.set_printoptions(precision=1)
math.sqrt = lambda x: 41
os.environ["POT_LEFTOVER"] = "A"
sys.path.insert(0, "/pot-leftover")
sys.modules["fractions"] = math
def rewrite():
    while True:
        get_ipython().user_ns["total"] = 41
        time.sleep(0.005)
threading.Thread(target=rewrite, daemon=True).start()
subprocess.Popen(["sleep", "{MARKER}"], start_new_session=True)
memory = os.memfd_create("{MEMFD}")
os.write(memory, b"x" * 2**20)
open("sympy.py", "w").write("import os\\nos._exit(3)\\n")
open("leftover.txt", "w").write("A")
"""
"""Problem A's program: hooks, a patched module, a thread rewriting globals, a
process in its own session, an environment change, a memfd, a planted module."""

CRASH = HOSTILE + "os._exit(1)\n"
BENIGN = "import math\ntotal = 6 * 7\nprint(int(math.sqrt(total * total)))\n"
PROBE = """
import decimal, math, os, sys, threading, numpy, sympy
print(sorted(os.listdir(".")), os.environ.get("POT_LEFTOVER"), threading.active_count(),
      sys.modules["fractions"].__name__, "/pot-leftover" in sys.path, math.sqrt(16),
      sympy.__file__.endswith("sympy/__init__.py"), decimal.getcontext().prec,
      numpy.get_printoptions()["precision"])
1 / 0
"""
"""What a kernel looks like from inside; equal for a fresh kernel and one after A."""


def marked_processes() -> list[psutil.Process]:
    found = []
    for process in psutil.process_iter(["cmdline"]):
        if MARKER in " ".join(process.info["cmdline"] or []):
            found.append(process)
    return found


def memfds_left() -> list[str]:
    """memfds of problem A still open in any process below this one."""
    left = []
    for process in psutil.Process().children(recursive=True):
        try:
            for fd in os.listdir(f"/proc/{process.pid}/fd"):
                target = os.readlink(f"/proc/{process.pid}/fd/{fd}")
                if MEMFD in target:
                    left.append(f"{process.pid}: {target}")
        except OSError:
            continue
    return left


@pytest.fixture(autouse=True)
def no_marked_processes() -> Iterator[None]:
    yield
    for process in marked_processes():  # a failed test must not leave them behind
        process.kill()


def solve(executor: object, reply: str, *repairs: str) -> Trace:
    model = ScriptedModel([f"```python\n{reply}```", *(f"```python\n{r}```" for r in repairs)])
    return Solver(model, executor, mode="pot", timeout=10).solve("What is 6 * 7?")


def fresh_reference() -> tuple[Trace, ExecutionResult]:
    """Problem B and the probe in a kernel that never saw problem A."""
    with JupyterExecutor(preload=PRELOAD, spares=0) as executor:
        return solve(executor, BENIGN), executor.run(PROBE)


def test_a_hostile_problem_leaves_nothing_for_the_next() -> None:
    expected_trace, expected_probe = fresh_reference()
    assert expected_trace.answer is not None and expected_trace.answer.normalized == "42"
    with KernelPool(size=1, preload=PRELOAD, timeout=10) as pool:
        with pool.lend() as executor:
            first_workdir = executor.workdir
            # A: the hostile program crashes the kernel; its repair does it all again
            # in the replacement kernel and ends normally
            trace_a = solve(executor, CRASH, HOSTILE + "print(7)\n", "print(7)\n")
            assert trace_a.steps[0].execution is not None
            assert trace_a.steps[0].execution.kernel is KernelEvent.DIED
            second_workdir = executor.workdir
            assert second_workdir != first_workdir
            assert executor.run("print(6 * 7)").stdout == "41\nThe answer is 41\n"
            assert executor.run("40 + 2").result == "41"
            assert marked_processes() and memfds_left()
        with pool.lend() as executor:
            # B: everything of A is gone before B starts
            assert marked_processes() == []
            assert memfds_left() == []
            assert first_workdir is not None and not first_workdir.exists()
            assert second_workdir is not None and not second_workdir.exists()
            trace_b = solve(executor, BENIGN)
            assert executor.run("40 + 2").result == "42"
            probe = executor.run(PROBE)
    assert trace_b.answer == expected_trace.answer
    execution = trace_b.steps[0].execution
    assert execution is not None and execution.stdout == "42\n"
    assert probe.error is not None and probe.error.name == "ZeroDivisionError"
    assert probe.stdout == expected_probe.stdout
    assert probe.error == expected_probe.error


def test_reset_is_for_trusted_code_only() -> None:
    """What ``reuse="reset"`` does not protect against, as the README says."""
    with KernelPool(size=1, reuse="reset", timeout=10) as pool:
        with pool.lend() as executor:
            assert executor.run(HOSTILE).ok
            pid = executor.pid
        with pool.lend() as executor:
            assert executor.pid == pid  # the same interpreter, namespace cleared, but
            # the hook, the patched module and the environment are still there
            result = executor.run(
                "import math, os\nprint(math.sqrt(4), os.environ['POT_LEFTOVER'])"
            )
            assert result.stdout == "41 A\nThe answer is 41\n"
            # processes and files of the previous problem are gone even so
            assert marked_processes() == []
            assert executor.run("import os\nos.listdir('.')").result == "[]"


@pytest.mark.parametrize("mode", ["auto", "none"])
@pytest.mark.parametrize("reuse", ["fresh", "reset"])
def test_processes_that_left_their_session_end_with_the_problem(mode: str, reuse: str) -> None:
    leave = f"""
import os, subprocess
subprocess.Popen(["sleep", "{MARKER}"], start_new_session=True)
if os.fork() == 0:  # a daemon: fork, setsid, fork again, parent gone
    os.setsid()
    if os.fork() == 0:
        os.execvp("sleep", ["sleep", "{MARKER}"])
    os._exit(0)
os.wait()
"""
    with KernelPool(size=1, sandbox=Sandbox(mode=mode), reuse=reuse, spares=0) as pool:
        with pool.lend() as executor:
            assert executor.run(leave).ok
            # the daemon's grandchild execs sleep after its parent is gone: on a busy
            # machine that can come after the run has returned
            wait_until(lambda: len(marked_processes()) == 2, "both processes to start")
        with pool.lend() as executor:
            assert marked_processes() == []
            assert executor.run("1 + 1").result == "2"


def test_a_chat_kernel_ends_the_processes_of_a_question_and_keeps_its_namespace() -> None:
    """What the ``@PoT`` persona does when a question ends (``aend_strays``)."""
    with JupyterExecutor(spares=0) as executor:
        started = (
            f"import subprocess\nsubprocess.Popen(['sleep', '{MARKER}'], start_new_session=True)"
        )
        assert executor.run(f"kept = 1\n{started}").ok
        assert len(marked_processes()) == 1
        executor.end_strays()
        assert marked_processes() == []
        assert executor.run("kept").result == "1"


def test_a_restarted_kernel_gets_new_folders_and_ignores_planted_files() -> None:
    with JupyterExecutor(preload="import sympy", timeout=10) as executor:
        plant = """
import os
open("sympy.py", "w").write("import os\\nos._exit(3)\\n")
startup = os.path.join(os.environ["IPYTHONDIR"], "profile_default", "startup")
os.makedirs(startup, exist_ok=True)
open(os.path.join(startup, "00-planted.py"), "w").write("planted = True\\n")
os._exit(1)
"""
        old = (executor.workdir, executor.runtime)
        assert executor.run(plant).kernel is KernelEvent.DIED
        assert (executor.workdir, executor.runtime) != old
        assert not any(folder is not None and folder.exists() for folder in old)
        check = "import os, sympy\nprint(os.listdir('.'), 'planted' in dir(), sympy.__name__)"
        assert executor.run(check).stdout == "[] False sympy\n"


def test_the_host_never_follows_a_link_the_kernel_planted(tmp_path: Path) -> None:
    """The reproduction of issue 16: as root in the sandbox, code replaces the
    connection file (and its sockets) with links to a root-only host file and kills
    its kernel; the restart must leave that file as it was."""
    if os.geteuid() != 0:
        pytest.skip("the attack needs pot running as root with the kernel as nobody")
    secret = tmp_path / "root-only.txt"
    secret.write_text("root's secret")
    secret.chmod(0o600)
    before = secret.stat()
    with JupyterExecutor(timeout=10) as executor:
        if executor.isolation is not Isolation.SANDBOX:
            pytest.skip(f"needs the sandbox: {executor.isolation_note}")
        attack = f"""
import glob, os, sys
connection = sys.argv[sys.argv.index("-f") + 1]
home = os.path.dirname(os.environ["IPYTHONDIR"])
refused = []
for path in [connection, os.path.join(home, "connection.json"),
             *glob.glob(os.path.join(home, "ipc-*"))]:
    try:
        if os.path.lexists(path):
            os.unlink(path)
        os.symlink({str(secret)!r}, path)
    except OSError as error:
        refused.append(path)
print(refused == [connection])
"""
        runtime = executor.runtime
        result = executor.run(attack)
        assert result.stdout == "True\n"  # the connection file's folder is read-only
        assert executor.run("import os\nos._exit(1)").kernel is KernelEvent.DIED
        assert executor.run("1 + 1").result == "2"
        assert executor.runtime != runtime and runtime is not None and not runtime.exists()
        connection = executor.runtime / "connection" / "connection.json"  # type: ignore[operator]
        assert not connection.is_symlink() and connection.stat().st_uid != 0
        reading = executor.run(f"open({str(secret)!r}).read()")
        assert reading.error is not None
    after = secret.stat()
    assert (after.st_uid, after.st_gid, stat.S_IMODE(after.st_mode)) == (0, 0, 0o600)
    assert after.st_mtime_ns == before.st_mtime_ns
    assert secret.read_text() == "root's secret"


def test_a_loop_ignoring_sigint_is_a_swap_with_a_spare() -> None:
    stubborn = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass"
    with KernelPool(size=1, preload=PRELOAD) as pool, pool.lend() as executor:
        executor.run("1")
        # the spare has finished starting, as between problems
        wait_until(lambda: executor.spares_ready >= 1, "the spare kernel to start", timeout=120)
        pid = executor.pid
        began = time.perf_counter()
        result = executor.run(stubborn, timeout=1)
        recovery = time.perf_counter() - began
        assert result.kernel is KernelEvent.RESTARTED
        assert executor.pid != pid
        assert executor.run("sympy.Rational(1, 3)").result == "1/3"  # the preload is done
    print(f"\nloop ignoring SIGINT at timeout 1 s: result back after {recovery:.2f} s")


def test_pot_magic_and_solve_lend_a_fresh_kernel_each_time() -> None:
    """``pot.solve`` and ``%%pot`` borrow from the process-wide pool."""
    with lend_executor(timeout=10) as first:
        first.run("kept = 1")
        pid = getattr(first, "pid", None)
    with lend_executor(timeout=10) as second:
        assert getattr(second, "pid", None) != pid
        assert second.run("'kept' in dir()").result == "False"
