"""JupyterExecutor: run code in a real Jupyter kernel that survives whatever the code does."""

from __future__ import annotations

import asyncio
import os
import time
from pathlib import Path

import zmq
import zmq.asyncio

from pot.executors.base import (
    REUSE_MODES,
    ErrorInfo,
    ExecutionResult,
    ExecutorClosedError,
    KernelEvent,
    KernelStartError,
    Reuse,
)
from pot.executors.collect import Collector, parent_id, receive
from pot.executors.kernel_executor import KernelExecutor, interrupted_error, restarted_error
from pot.executors.kernel_process import KernelProcess, LaunchSettings
from pot.executors.kernel_setup import setup_code
from pot.executors.limits import OutputLimits, ResourceLimits, scrub_environment
from pot.executors.loop_thread import call_async, call_blocking
from pot.executors.processes import (
    describe_exit,
    empty_folder,
    kill_strays,
    sweep_stale_folders,
    track,
    untrack,
)
from pot.executors.sandbox import Isolation, Sandbox, resolve
from pot.executors.spares import Spares

POLL_SECONDS = 0.2
"""How long one wait on the kernel's sockets lasts before checking that it is alive."""


class JupyterExecutor(KernelExecutor):
    """Runs code in a Jupyter kernel (ipykernel by default), one persistent namespace.

    Every run has a deadline. Past it the kernel is interrupted; if it does not
    come back within ``grace`` seconds it is replaced. A kernel that dies is
    noticed within ``POLL_SECONDS`` and replaced. Either way the result says
    what happened (``result.kernel``) and the executor stays usable.

    A replaced kernel is discarded whole: its processes (``setsid`` ones too) are
    killed and its folders deleted, and a hot spare (started in the background,
    set up and preloaded) takes its place, so a replacement is a swap, not a
    start. Every kernel process gets new folders and a new connection file.

    Blocking methods work from any thread; ``a``-prefixed twins work in asyncio.
    Kernel I/O happens on one background event loop shared by all executors.

    Args:
        kernel_name: Any installed Jupyter kernel ("python3" is the ipykernel of
            this interpreter). pot's output caps, CPU re-arming and cheap reset
            need an IPython kernel; other kernels are always reset by replacing.
        timeout: Default seconds per run.
        grace: Seconds to wait after an interrupt before replacing the kernel.
        limits: Resource limits set in the kernel process.
        output: Output size caps.
        preload: Code run in every new kernel and after each reset (e.g.
            "import math, sympy").
        sandbox: Isolation settings; the default uses bubblewrap where it works
            (no network, private process tree, read-only host) and says in
            ``isolation`` / ``isolation_note`` what it could do.
        env: Extra environment variables for the kernel (after scrubbing).
        keep_env: Variable names to keep even if they look like secrets.
        startup_timeout: Seconds to wait for a kernel to become ready.
        reuse: What ``reset()`` does. ``"fresh"`` (the default): discard the kernel
            process and continue in a spare, a new interpreter in new folders.
            ``"reset"``: clear the namespace and the working folder in the same
            process, cheaper but only for trusted code (hooks, patched modules,
            threads, ``os.environ`` and ``sys.modules`` survive it).
        spares: Kernels kept started beside this one for replacements.
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
        reuse: Reuse = "fresh",
        spares: int = 1,
    ) -> None:
        if reuse not in REUSE_MODES:
            raise ValueError(f"reuse must be 'fresh' or 'reset', got {reuse!r}")
        if spares < 0:
            raise ValueError(f"spares must be 0 or more, got {spares}")
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
        self.reuse: Reuse = reuse
        self.spares = spares
        self._kernel: KernelProcess | None = None
        self._spares: Spares | None = None
        self._own_spares = True
        self._open = False
        self._ipython = False
        self._lock: asyncio.Lock | None = None

    @property
    def started(self) -> bool:
        return self._open

    @property
    def pid(self) -> int | None:
        """Process id of the running kernel's launcher (bubblewrap in the sandbox)."""
        return self._kernel.pid if self._kernel is not None else None

    @property
    def workdir(self) -> Path | None:
        """The running kernel's working folder (a new one for every kernel process)."""
        return self._kernel.workdir if self._kernel is not None else None

    @property
    def runtime(self) -> Path | None:
        """The running kernel's runtime folder (connection file, sockets, log)."""
        return self._kernel.runtime if self._kernel is not None else None

    @property
    def spares_ready(self) -> int:
        """Spare kernels started and set up now (shared ones included)."""
        return self._spares.ready if self._spares is not None else 0

    def new_spares(self, count: int) -> Spares:
        """Spares started with this executor's settings, to share among executors
        (:meth:`use_spares`); the caller closes them. Call on the kernel loop."""
        return Spares(self._launch, count)

    def use_spares(self, spares: Spares) -> None:
        """Take replacements from ``spares`` (shared, closed by their owner) instead
        of keeping spares of its own."""
        self._spares = spares
        self._own_spares = False

    def replace(self) -> None:
        """Discard the kernel process (every process it started, its folders) and
        continue in a fresh one, whatever ``reuse`` says."""
        call_blocking(self._replace_locked())

    async def areplace(self) -> None:
        await call_async(self._replace_locked())

    def end_strays(self) -> None:
        """Kill every process the code started, keeping the kernel and its namespace."""
        call_blocking(self._end_strays())

    async def aend_strays(self) -> None:
        await call_async(self._end_strays())

    # -- implementation (runs on the kernel loop) -------------------------------------

    async def _start(self) -> None:
        if self._open:
            return
        sweep_stale_folders()
        self._lock = asyncio.Lock()
        track(self)
        self._open = True
        try:
            self._kernel = await self._launch()
        except BaseException:
            await self._shutdown()
            raise
        if self._spares is None:
            self._spares, self._own_spares = Spares(self._launch, self.spares), True
        self._spares.fill()

    def _settings(self) -> LaunchSettings:
        self.isolation, self.isolation_note = resolve(self.sandbox)
        return LaunchSettings(
            kernel_name=self.kernel_name,
            limits=self.limits,
            sandbox=self.sandbox,
            isolation=self.isolation,
            env=scrub_environment(os.environ, self.keep_env),
            extra_env=self.extra_env,
            startup_timeout=self.startup_timeout,
        )

    async def _launch(self) -> KernelProcess:
        """Start a kernel process and run pot's setup and the preload in it."""
        process = await KernelProcess.launch(self._settings())
        self._ipython = process.ipython
        code = self._setup_code_for(process) if process.ipython else ""
        code += self.preload
        try:
            if code:
                result = await self._execute_on(process, code, self.startup_timeout, True)
                if result.error is not None:
                    raise KernelStartError(
                        f"Kernel setup code failed: {result.error.name}: {result.error.value}"
                    )
        except BaseException:
            await process.discard()
            raise
        return process

    def _setup_code_for(self, process: KernelProcess, defined: bool = False) -> str:
        unconfined = self.isolation is not Isolation.SANDBOX
        workdir = str(process.workdir)
        return setup_code(
            self.output, self.limits, workdir, defined=defined, adopt_orphans=unconfined
        )

    def _setup_code(self, defined: bool = False) -> str:
        assert self._kernel is not None
        return self._setup_code_for(self._kernel, defined)

    async def _execute(self, code: str, timeout: float, silent: bool = False) -> ExecutionResult:
        if self._kernel is None:  # an earlier replacement could not start: try again
            self._kernel = await self._take_spare()
        return await self._execute_on(self._kernel, code, timeout, silent, recover=True)

    async def _execute_on(
        self,
        process: KernelProcess,
        code: str,
        timeout: float,
        silent: bool = False,
        recover: bool = False,
    ) -> ExecutionResult:
        """Run ``code`` in ``process``; ``recover``: replace the kernel when it runs
        past ``timeout`` or dies (the running kernel), else raise (a spare being set up)."""
        client, manager = process.client, process.manager
        assert client is not None
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
                if not recover:
                    raise KernelStartError(f"kernel setup ran past {timeout:g} s")
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
                if not await manager.is_alive():
                    if not recover:
                        raise KernelStartError(
                            f"the kernel died during setup. Kernel log:\n{process.read_log()}"
                        )
                    return await self._recover_from_death(collector, started)
        return collector.finish(time.monotonic() - started)

    async def _recover_from_timeout(
        self, collector: Collector, started: float, timeout: float, msg_id: str
    ) -> ExecutionResult:
        assert self._kernel is not None and self._kernel.client is not None
        process = self._kernel
        await process.manager.interrupt_kernel()
        client = process.client
        grace_deadline = time.monotonic() + self.grace
        while not collector.idle and time.monotonic() < grace_deadline:
            try:
                message = await client.get_iopub_msg(timeout=0.05)
            except Exception:  # queue.Empty: nothing yet
                if not await process.is_alive():
                    break
                continue
            if message["parent_header"].get("msg_id") == msg_id:
                collector.add(message)
        if collector.idle:
            await self._drain_shell()
            # whatever the runaway code started (workers, a fork bomb) goes with it
            await kill_strays(process.pid)
            trace = collector.error.traceback if collector.error else ""
            error = interrupted_error(timeout, trace)
            return collector.finish(time.monotonic() - started, KernelEvent.INTERRUPTED, error)
        await self._replace()
        error = restarted_error(timeout)
        return collector.finish(time.monotonic() - started, KernelEvent.RESTARTED, error)

    async def _recover_from_death(self, collector: Collector, started: float) -> ExecutionResult:
        assert self._kernel is not None
        provisioner = self._kernel.manager.provisioner
        code = await provisioner.poll() if provisioner else None
        await self._replace()
        error = ErrorInfo(
            name="KernelDied",
            value=f"the kernel process died ({describe_exit(code, self.isolation)}); it was "
            "restarted and every variable was lost",
        )
        return collector.finish(time.monotonic() - started, KernelEvent.DIED, error)

    async def _drain_shell(self) -> None:
        assert self._kernel is not None and self._kernel.client is not None
        while True:
            try:
                await self._kernel.client.get_shell_msg(timeout=0.02)
            except Exception:  # queue.Empty
                return

    async def _replace(self) -> None:
        """Discard the kernel process (processes killed, folders deleted first), then
        continue in a spare."""
        if self._kernel is not None:
            await self._kernel.discard()  # cancelled here, shutdown() finishes it
            self._kernel = None
        self._kernel = await self._take_spare()

    async def _take_spare(self) -> KernelProcess:
        if self._spares is None:
            raise ExecutorClosedError("JupyterExecutor is not started: call start() first")
        return await self._spares.take()

    async def _replace_locked(self) -> None:
        if not self._open or self._lock is None:
            raise ExecutorClosedError("JupyterExecutor is not started: call start() first")
        async with self._lock:
            await self._replace()

    async def _end_strays(self) -> None:
        if self._kernel is not None:
            await kill_strays(self._kernel.pid)

    async def _interrupt(self) -> None:
        if not self._open or self._kernel is None:
            raise ExecutorClosedError("JupyterExecutor is not started: call start() first")
        await self._kernel.manager.interrupt_kernel()

    async def _reset(self) -> None:
        if not self._open or self._lock is None:
            raise ExecutorClosedError("JupyterExecutor is not started: call start() first")
        async with self._lock:
            process = self._kernel
            if (
                self.reuse == "fresh"
                or not self._ipython
                or process is None
                or not await process.is_alive()
            ):
                await self._replace()
                return
            await kill_strays(process.pid)
            empty_folder(process.workdir)
            await self._renew()

    async def _shutdown(self) -> None:
        self._open = False
        untrack(self)
        process, self._kernel = self._kernel, None
        spares = self._spares if self._own_spares else None
        if self._own_spares:
            self._spares = None
        try:
            if process is not None:
                await process.discard()
        finally:
            if spares is not None:
                await spares.close()
