"""The executor contract: one test class, run against every executor."""

from __future__ import annotations

import json
import os
from pathlib import Path

import psutil
import pytest

from pot.executors import ExecutionResult, Executor, GatewayExecutor, JupyterExecutor, KernelEvent

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(params=["kernel", "pooled_kernel", "unconfined_kernel", "gateway_kernel"])
def executor(request: pytest.FixtureRequest) -> Executor:
    """Every executor that must honour the contract: sandboxed (the default), lent
    from a pool, without the sandbox, and remote through a real kernel gateway."""
    return request.getfixturevalue(request.param)


def descendants() -> set[int]:
    return {child.pid for child in psutil.Process().children(recursive=True)}


class TestExecutorContract:
    def test_is_an_executor(self, executor: Executor) -> None:
        assert isinstance(executor, Executor)

    def test_value_of_last_expression(self, executor: Executor) -> None:
        result = executor.run("x = 6\nx * 7")
        assert result.ok and result.result == "42" and result.stdout == ""

    def test_prints_go_to_stdout_and_stderr(self, executor: Executor) -> None:
        result = executor.run("import sys\nprint('hello')\nprint('oops', file=sys.stderr)")
        assert result.stdout == "hello\n"
        assert result.stderr == "oops\n"

    def test_state_persists_between_runs(self, executor: Executor) -> None:
        executor.run("total = 40")
        assert executor.run("total + 2").result == "42"

    def test_reset_clears_the_namespace_and_folder(self, executor: Executor) -> None:
        executor.run("secret_value = 1\nopen('left.txt', 'w').write('x')")
        executor.reset()
        result = executor.run("import os\nprint(sorted(os.listdir('.')))\nsecret_value")
        assert result.stdout == "[]\n"
        assert result.error is not None and result.error.name == "NameError"

    def test_zero_division_traceback(self, executor: Executor) -> None:
        result = executor.run("def f(d):\n    return 1 / d\nf(0)")
        assert result.error is not None
        assert result.error.name == "ZeroDivisionError"
        assert result.error.value == "division by zero"
        assert "return 1 / d" in result.error.traceback
        assert "\x1b[" not in result.error.traceback
        assert result.kernel is KernelEvent.OK and not result.ok

    def test_misspelt_names_come_with_a_suggestion(self, executor: Executor) -> None:
        """Python's own "Did you mean", which IPython leaves out: after a reset too, for
        names in functions, attributes of objects and modules; never invented."""
        executor.reset()
        cases = {
            "samantha_age = 31\nprint(Samantha_age)": "Did you mean: 'samantha_age'?",
            "def f():\n    total_cost = 3\n    return total_cst\nf()": "'total_cost'?",
            "import math\nmath.sqroot(2)": "no attribute 'sqroot'. Did you mean: 'sqrt'?",
            "[1].apend(2)": "Did you mean: 'append'?",
        }
        for code, hint in cases.items():
            result = executor.run(code)
            assert result.error is not None and hint in result.error.value, code
            assert hint in result.error.traceback
        for code in ("print(nothing_like_it)", "raise NameError('my own message')"):
            result = executor.run(code)
            assert result.error is not None and "Did you mean" not in result.error.value
        assert executor.run("raise NameError('my own message')").error.value == "my own message"

    def test_syntax_error(self, executor: Executor) -> None:
        result = executor.run("def broken(:\n    pass")
        assert result.error is not None and result.error.name == "SyntaxError"
        assert executor.run("1 + 1").result == "2"

    def test_matplotlib_figure_is_png(self, executor: Executor) -> None:
        result = executor.run(
            "import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [1, 4, 9])\nplt.show()"
        )
        assert result.ok, result.error
        pngs = [display.png for display in result.displays if display.png]
        assert len(pngs) == 1 and pngs[0].startswith(PNG_MAGIC)

    def test_runaway_loop_is_interrupted_and_state_kept(self, executor: Executor) -> None:
        executor.run("kept = 'yes'")
        result = executor.run("while True:\n    pass", timeout=1)
        assert result.kernel is KernelEvent.INTERRUPTED
        assert result.error is not None and result.error.name == "TimeoutError"
        assert executor.run("kept").result == "'yes'"

    def test_interrupt_from_another_thread_stops_the_step(self, executor: Executor) -> None:
        import threading

        executor.interrupt()  # nothing running: ignored
        executor.run("kept = 'yes'")
        timer = threading.Timer(2.0, executor.interrupt)
        timer.start()
        result = executor.run("import time\ntime.sleep(60)", timeout=30)
        timer.join()
        assert result.error is not None and result.error.name == "KeyboardInterrupt"
        assert not result.ok
        assert executor.run("kept").result == "'yes'"

    def test_loop_ignoring_sigint_gets_a_new_kernel(self, executor: Executor) -> None:
        executor.run("lost = 1")
        result = executor.run(
            "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
            timeout=1,
        )
        assert result.kernel is KernelEvent.RESTARTED and result.state_lost
        after = executor.run("lost")
        assert after.error is not None and after.error.name == "NameError"
        assert executor.run("2 + 2").result == "4"

    def test_os_exit_is_noticed_at_once(self, executor: Executor) -> None:
        result = executor.run("import os\nos._exit(1)", timeout=60)
        assert result.kernel is KernelEvent.DIED
        assert result.error is not None and result.error.name == "KernelDied"
        if isinstance(executor, JupyterExecutor):  # a gateway does not report exit codes
            assert "exit status 1" in result.error.value
        # noticed by the liveness check, far sooner than the 60 s timeout
        assert result.elapsed < 30
        assert executor.run("3 + 3").result == "6"

    def test_segfault_is_survived(self, executor: Executor) -> None:
        result = executor.run("import ctypes\nctypes.string_at(0)", timeout=60)
        assert result.kernel is KernelEvent.DIED
        assert result.error is not None and result.error.name == "KernelDied"
        if isinstance(executor, JupyterExecutor):
            assert "SIGSEGV" in result.error.value
        assert executor.run("1").result == "1"

    def test_huge_print_is_truncated(self, executor: Executor) -> None:
        result = executor.run("print('a' * 10**8 + 'END')")
        assert result.truncated
        assert len(result.stdout) < 100_000
        assert result.stdout.startswith("aaaa")
        assert result.stdout.rstrip().endswith("END")
        assert "omitted" in result.stdout

    def test_many_small_prints_are_truncated(self, executor: Executor) -> None:
        result = executor.run("for i in range(200_000):\n    print(i)")
        assert result.truncated and len(result.stdout) < 100_000
        assert result.stdout.startswith("0\n1\n") and result.stdout.endswith("199999\n")

    def test_input_fails_fast(self, executor: Executor) -> None:
        result = executor.run("input('your name? ')", timeout=10)
        assert result.error is not None
        assert result.error.name == "StdinNotImplementedError"
        assert result.kernel is KernelEvent.OK

    def test_large_allocation_raises_memory_error(self, executor: Executor) -> None:
        result = executor.run("block = bytearray(64 * 1024**3)")
        assert result.error is not None and result.error.name == "MemoryError"
        assert result.kernel is KernelEvent.OK

    def test_children_do_not_outlive_a_restart(self, executor: Executor) -> None:
        if isinstance(executor, GatewayExecutor):
            pytest.skip("a remote kernel's processes are the gateway's to manage")
        before = descendants()
        executor.run("import subprocess\nchild = subprocess.Popen(['sleep', '300'])")
        executor.run("import os\nos._exit(3)")
        leftover = descendants() - before
        sleepers = [p for p in leftover if psutil.pid_exists(p) and _name(p) == "sleep"]
        assert sleepers == []

    def test_result_round_trips_as_json(self, executor: Executor) -> None:
        result = executor.run(
            "import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()\nprint('done')"
        )
        again = ExecutionResult.model_validate_json(result.model_dump_json())
        assert again == result


def _name(pid: int) -> str:
    try:
        return psutil.Process(pid).name()
    except psutil.Error:
        return ""


def test_working_folder_is_fresh_and_removed() -> None:
    with JupyterExecutor() as executor:
        folder = executor.workdir
        assert folder is not None and folder.is_dir()
        assert executor.run("import os\nos.getcwd()").result == repr(str(folder))
        executor.run("open('scratch.txt', 'w').write('x')")
        assert (folder / "scratch.txt").exists()
    assert not Path(folder).exists()


def test_environment_is_an_allow_list(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a kernel needs passes (no list of secret names is complete: these
    six reached kernels under a deny-list); keep_env= adds names."""
    leaky = ["POT_TEST_API_KEY", "GITHUB_TOKEN", "DATABASE_URL", "DB_PASS", "MYSQL_PWD"]
    leaky += ["PIP_INDEX_URL", "REDIS_URL", "SENTRY_DSN", "POT_TEST_HARMLESS"]
    for name in [*leaky, "POT_TEST_KEPT"]:
        monkeypatch.setenv(name, f"leak-{name}")
    monkeypatch.setenv("LC_TIME", "C.UTF-8")
    with JupyterExecutor(keep_env=frozenset({"POT_TEST_KEPT"})) as executor:
        result = executor.run("import json, os\nprint(json.dumps(dict(os.environ)))")
    environment = json.loads(result.stdout)
    assert not [name for name in leaky if name in environment]
    assert not [
        value
        for value in environment.values()
        if value != "leak-POT_TEST_KEPT" and "leak-" in value
    ]
    assert environment["POT_TEST_KEPT"] == "leak-POT_TEST_KEPT"
    assert environment["LC_TIME"] == "C.UTF-8" and environment["PATH"]


def test_unknown_kernel_name_is_a_clear_error() -> None:
    from pot.executors import KernelStartError

    with pytest.raises(KernelStartError, match="No Jupyter kernel named 'no-such-kernel'"):
        JupyterExecutor("no-such-kernel").start()


def test_run_before_start_is_a_clear_error() -> None:
    from pot.executors import ExecutorClosedError

    with pytest.raises(ExecutorClosedError, match="start"):
        JupyterExecutor().run("1")


def test_no_kernel_process_left_after_shutdown() -> None:
    before = descendants()
    executor = JupyterExecutor()
    executor.start()
    pid = executor.pid
    assert pid in descendants()
    executor.shutdown()
    assert not (descendants() - before)
    assert pid is not None and not psutil.pid_exists(pid)
    assert os.getpid()  # the parent is untouched
