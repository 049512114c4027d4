"""JupyterExecutor: run code in a real Jupyter kernel that survives whatever the code does."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from typing import IO, Any

import zmq
import zmq.asyncio
from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import NoSuchKernel
from jupyter_client.manager import AsyncKernelManager

from pot.executors.base import (
    ErrorInfo,
    ExecutionResult,
    ExecutorClosedError,
    KernelEvent,
    KernelStartError,
)
from pot.executors.collect import Collector, parent_id, receive
from pot.executors.facade import KernelFacade, interrupted_error, restarted_error
from pot.executors.kernel_setup import setup_code
from pot.executors.limits import OutputLimits, ResourceLimits, launcher_argv, scrub_environment
from pot.executors.processes import (
    TEMP_PREFIX,
    describe_exit,
    empty_folder,
    installed_kernels,
    kernel_pid,
    kernel_process,
    kill_descendants,
    sweep_stale_folders,
    track,
    untrack,
)
from pot.executors.sandbox import Isolation, Sandbox, bwrap_argv, kernel_user, resolve

POLL_SECONDS = 0.2
"""How long one wait on the kernel's sockets lasts before checking that it is alive."""


class _LimitedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start through pot's launcher (resource limits,
    optional user switch), itself inside the sandbox command when there is one."""

    limits: ResourceLimits = ResourceLimits()
    sandbox_prefix: list[str] = []  # noqa: RUF012 - replaced per instance, never mutated
    kernel_user: int | None = None

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        kernel = super().format_kernel_cmd(extra_arguments)
        launch = launcher_argv(
            self.limits, kernel, self.kernel_user, sandboxed=bool(self.sandbox_prefix)
        )
        return [*self.sandbox_prefix, *launch]

    def write_connection_file(self, **kwargs: Any) -> None:
        super().write_connection_file(**kwargs)
        if self.kernel_user is not None:  # the unprivileged kernel must read it
            os.chown(self.connection_file, self.kernel_user, self.kernel_user)


class JupyterExecutor(KernelFacade):
    """Runs code in a Jupyter kernel (ipykernel by default), one persistent namespace.

    Every run has a deadline. Past it the kernel is interrupted; if it does not
    come back within ``grace`` seconds it is restarted. A kernel that dies is
    noticed within ``POLL_SECONDS`` and restarted. Either way the result says
    what happened (``result.kernel``) and the executor stays usable.

    Blocking methods work from any thread; ``a``-prefixed twins work in asyncio.
    Kernel I/O happens on one background event loop shared by all executors.

    Args:
        kernel_name: Any installed Jupyter kernel ("python3" is the ipykernel of
            this interpreter). pot's output caps, CPU re-arming and cheap reset
            need an IPython kernel; other kernels are reset by restarting.
        timeout: Default seconds per run.
        grace: Seconds to wait after an interrupt before restarting.
        limits: Resource limits set in the kernel process.
        output: Output size caps.
        preload: Code run after each start and reset (e.g. "import math, sympy").
        sandbox: Isolation settings; the default uses bubblewrap where it works
            (no network, private process tree, read-only host) and says in
            ``isolation`` / ``isolation_note`` what it could do.
        env: Extra environment variables for the kernel (after scrubbing).
        keep_env: Variable names to keep even if they look like secrets.
        startup_timeout: Seconds to wait for a kernel to become ready.
    """

    def __init__(
        self,
        kernel_name: str = "python3",
        *,
        timeout: float = 30.0,
        grace: float = 0.5,
        limits: ResourceLimits | None = None,
        output: OutputLimits | None = None,
        preload: str = "",
        sandbox: Sandbox | None = None,
        env: dict[str, str] | None = None,
        keep_env: frozenset[str] = frozenset(),
        startup_timeout: float = 60.0,
    ) -> None:
        self.kernel_name = kernel_name
        self.timeout = timeout
        self.grace = grace
        self.limits = limits or ResourceLimits()
        self.output = output or OutputLimits()
        self.preload = preload
        self.sandbox = sandbox or Sandbox()
        self.isolation = Isolation.NONE
        self.isolation_note = "not started"
        self.extra_env = dict(env or {})
        self.keep_env = keep_env
        self.startup_timeout = startup_timeout
        self.workdir: Path | None = None
        self._runtime: Path | None = None
        self._log: IO[bytes] | None = None
        self._manager: _LimitedKernelManager | None = None
        self._client: AsyncKernelClient | None = None
        self._ipython = False
        self._lock: asyncio.Lock | None = None

    @property
    def started(self) -> bool:
        return self._manager is not None

    @property
    def pid(self) -> int | None:
        """Process id of the running kernel, if any."""
        provisioner = self._manager.provisioner if self._manager else None
        process = getattr(provisioner, "process", None)
        return process.pid if process is not None else None

    # -- implementation (runs on the kernel loop) -------------------------------------

    async def _start(self) -> None:
        if self._manager is not None:
            return
        sweep_stale_folders()
        self._lock = asyncio.Lock()
        self.isolation, self.isolation_note = resolve(self.sandbox)
        self.workdir = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-"))
        self._runtime = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-run-"))
        manager = _LimitedKernelManager(
            kernel_name=self.kernel_name,
            transport="ipc",
            ip=str(self._runtime / "socket"),
            connection_file=str(self._runtime / "connection.json"),
        )
        manager.limits = self.limits
        self._manager = manager
        track(self)
        try:
            spec = manager.kernel_spec
            assert spec is not None
            if self.isolation is Isolation.SANDBOX:
                manager.kernel_user = kernel_user(self.sandbox)
                manager.sandbox_prefix = bwrap_argv(self.sandbox, self.workdir, self._runtime)
                # signals cannot cross into the sandbox's process tree; messages can
                spec.interrupt_mode = "message"
                (self._runtime / "home").mkdir()
                if manager.kernel_user is not None:
                    for folder in (self.workdir, self._runtime, self._runtime / "home"):
                        os.chown(folder, manager.kernel_user, manager.kernel_user)
            self._ipython = spec.language == "python" and any("ipykernel" in a for a in spec.argv)
            extra = ["--HistoryManager.enabled=False"] if self._ipython else []
            self._log = open(self._runtime / "kernel.log", "wb")  # noqa: SIM115
            await manager.start_kernel(
                cwd=str(self.workdir),
                env=self._environment(),
                extra_arguments=extra,
                stdout=self._log,
                stderr=subprocess.STDOUT,
            )
            await self._connect()
        except NoSuchKernel as error:
            await self._shutdown()
            raise KernelStartError(
                f"No Jupyter kernel named {self.kernel_name!r}. Installed kernels: "
                f"{', '.join(sorted(error.args[1:] or installed_kernels()))}. "
                "List them with `jupyter kernelspec list`."
            ) from error
        except Exception as error:
            log = self._read_log()
            await self._shutdown()
            raise KernelStartError(
                f"Kernel {self.kernel_name!r} did not start: {error}. Kernel log:\n{log}"
            ) from error

    def _environment(self) -> dict[str, str]:
        env = scrub_environment(os.environ, self.keep_env)
        assert self._runtime is not None
        env["IPYTHONDIR"] = str(self._runtime / "ipython")
        env["MPLCONFIGDIR"] = str(self._runtime / "matplotlib")
        if self.isolation is Isolation.SANDBOX:
            env["HOME"] = str(self._runtime / "home")
        env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        env.update(self.extra_env)
        return env

    async def _connect(self) -> None:
        """(Re)create the client, wait for the kernel, run pot's setup and the preload."""
        assert self._manager is not None and self.workdir is not None
        if self._client is not None:
            self._client.stop_channels()
        client = self._manager.client()
        client.start_channels()
        self._client = client
        await client.wait_for_ready(timeout=self.startup_timeout)
        await self._prepare()

    def _setup_code(self, defined: bool = False) -> str:
        return setup_code(self.output, self.limits, str(self.workdir), defined=defined)

    async def _execute(self, code: str, timeout: float, silent: bool = False) -> ExecutionResult:
        assert self._client is not None and self._manager is not None
        client = self._client
        started = time.monotonic()
        collector = Collector(self.output)
        msg_id = client.execute(
            code, silent=silent, store_history=False, allow_stdin=False, stop_on_error=False
        )
        replied = False
        deadline = started + timeout
        poller = zmq.asyncio.Poller()
        poller.register(client.iopub_channel.socket, zmq.POLLIN)
        poller.register(client.shell_channel.socket, zmq.POLLIN)
        last_alive_check = started
        while not (collector.idle and replied):
            now = time.monotonic()
            if now >= deadline:
                return await self._recover_from_timeout(collector, started, timeout, msg_id)
            wait = min(deadline - now, POLL_SECONDS)
            events = dict(await poller.poll(int(wait * 1000) + 1))
            if client.shell_channel.socket in events:
                reply = await receive(client.get_shell_msg, collector)
                replied = replied or parent_id(reply) == msg_id
            if client.iopub_channel.socket in events:
                message = await receive(client.get_iopub_msg, collector)
                if parent_id(message) == msg_id:
                    collector.add(message)
            now = time.monotonic()
            if not events or now - last_alive_check > POLL_SECONDS:
                last_alive_check = now
                if not await self._manager.is_alive():
                    return await self._recover_from_death(collector, started)
        return collector.finish(time.monotonic() - started)

    async def _recover_from_timeout(
        self, collector: Collector, started: float, timeout: float, msg_id: str
    ) -> ExecutionResult:
        assert self._manager is not None and self._client is not None
        await self._manager.interrupt_kernel()
        client = self._client
        grace_deadline = time.monotonic() + self.grace
        while not collector.idle and time.monotonic() < grace_deadline:
            try:
                message = await client.get_iopub_msg(timeout=0.05)
            except Exception:  # queue.Empty: nothing yet
                if not await self._manager.is_alive():
                    break
                continue
            if message["parent_header"].get("msg_id") == msg_id:
                collector.add(message)
        if collector.idle:
            await self._drain_shell()
            # whatever the runaway code started (workers, a fork bomb) goes with it
            await kill_descendants(kernel_process(self.pid))
            trace = collector.error.traceback if collector.error else ""
            error = interrupted_error(timeout, trace)
            return collector.finish(time.monotonic() - started, KernelEvent.INTERRUPTED, error)
        await self._restart()
        error = restarted_error(timeout)
        return collector.finish(time.monotonic() - started, KernelEvent.RESTARTED, error)

    async def _recover_from_death(self, collector: Collector, started: float) -> ExecutionResult:
        assert self._manager is not None
        code = await self._manager.provisioner.poll() if self._manager.provisioner else None
        await self._restart()
        error = ErrorInfo(
            name="KernelDied",
            value=f"the kernel process died ({describe_exit(code, self.isolation)}); it was "
            "restarted and "
            "every variable was lost",
        )
        return collector.finish(time.monotonic() - started, KernelEvent.DIED, error)

    async def _drain_shell(self) -> None:
        assert self._client is not None
        while True:
            try:
                await self._client.get_shell_msg(timeout=0.02)
            except Exception:  # queue.Empty
                return

    async def _restart(self) -> None:
        assert self._manager is not None
        await kill_descendants(self.pid)
        await self._manager.restart_kernel(now=True)
        await self._connect()

    async def _interrupt(self) -> None:
        if self._manager is None:
            raise ExecutorClosedError("JupyterExecutor is not started: call start() first")
        await self._manager.interrupt_kernel()

    async def _reset(self) -> None:
        if self._manager is None or self._lock is None:
            raise ExecutorClosedError("JupyterExecutor is not started: call start() first")
        async with self._lock:
            if not await self._manager.is_alive():
                await self._restart()
            empty_folder(self.workdir)
            if not self._ipython:
                await self._restart()
                return
            await self._renew()

    async def _shutdown(self) -> None:
        manager, client = self._manager, self._client
        self._manager = self._client = None
        untrack(self)
        try:
            if client is not None:
                client.stop_channels()
            if manager is not None:
                await kill_descendants(kernel_pid(manager))
                if manager.has_kernel:
                    await manager.shutdown_kernel(now=True)
                else:
                    await manager.cleanup_resources()
        finally:
            if self._log is not None:
                self._log.close()
                self._log = None
            for folder in (self.workdir, self._runtime):
                if folder is not None:
                    shutil.rmtree(folder, ignore_errors=True)

    def _read_log(self) -> str:
        if self._runtime is None:
            return ""
        try:
            return (self._runtime / "kernel.log").read_text(errors="replace")[-4000:]
        except OSError:
            return ""
