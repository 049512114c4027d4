"""One local kernel process and the folders it owns, laid out so that the host never
acts on a path the kernel can write.

Every start makes new folders and a new connection file; nothing is reused::

    RUNTIME/                0711, pot's own: the kernel may pass through, not list
      kernel.log            the kernel's stdout and stderr (an open file the host holds)
      links/                0700: hard links to the kernel's sockets; the host connects here
      connection/           0755, pot's; bound read-only into the sandbox
        connection.json     written by jupyter-client, handed to the kernel user by fd
      kernel/               the kernel's: its sockets, HOME, IPYTHONDIR, MPLCONFIGDIR
    WORKDIR/                the kernel's working folder

The kernel binds its sockets in ``kernel/``, a folder it may write. The host never
connects there: once a socket exists it is hard-linked into ``links/`` (no symlink
is followed; the link is checked to be a socket), and every client and control
connection, and every reconnection, goes through those links. When the process
is discarded, the whole process tree is killed before any folder is deleted.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import stat
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jupyter_client.asynchronous.client import AsyncKernelClient
from jupyter_client.kernelspec import NoSuchKernel
from jupyter_client.manager import AsyncKernelManager

from pot.executors.base import KernelStartError
from pot.executors.kernel_log import KernelLog
from pot.executors.limits import ResourceLimits, kernel_command
from pot.executors.processes import (
    TEMP_PREFIX,
    installed_kernels,
    kernel_pid,
    kill_tree,
    remove_tree,
)
from pot.executors.sandbox import Isolation, Sandbox, bwrap_argv, kernel_user

LOG_TAIL = 4000
"""Characters of the kernel log quoted in a start error."""


class _LimitedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernels start through pot's launcher (resource limits,
    optional user switch), itself inside the sandbox command when there is one.

    ``ip`` is the host's side (the socket links); the connection file the kernel
    reads names ``kernel_ip``, where the kernel binds.
    """

    limits: ResourceLimits = ResourceLimits()
    sandbox_prefix: list[str] = []  # noqa: RUF012 - replaced per instance, never mutated
    kernel_user: int | None = None
    kernel_ip: str = ""

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        kernel = super().format_kernel_cmd(extra_arguments)
        return kernel_command(self.limits, kernel, self.kernel_user, self.sandbox_prefix)

    def write_connection_file(self, **kwargs: Any) -> None:
        host_ip, self.ip = self.ip, self.kernel_ip
        try:
            super().write_connection_file(**kwargs)
        finally:
            self.ip = host_ip
        if self.kernel_user is not None:  # the unprivileged kernel must read it
            descriptor = os.open(self.connection_file, os.O_RDONLY | os.O_NOFOLLOW)
            try:
                os.fchown(descriptor, self.kernel_user, self.kernel_user)
            finally:
                os.close(descriptor)


@dataclass(frozen=True)
class LaunchSettings:
    """Everything needed to start one kernel process."""

    kernel_name: str
    limits: ResourceLimits
    sandbox: Sandbox
    isolation: Isolation
    env: dict[str, str]
    """The scrubbed environment of the host."""
    extra_env: dict[str, str]
    """Set last, over pot's own variables."""
    startup_timeout: float


@dataclass
class KernelProcess:
    """A started kernel, connected through its socket links, with its folders."""

    runtime: Path
    workdir: Path
    manager: _LimitedKernelManager
    log: KernelLog
    ipython: bool
    client: AsyncKernelClient | None = None

    @property
    def pid(self) -> int | None:
        """The launcher's process id (bubblewrap in the sandbox); the kernel is below it."""
        return kernel_pid(self.manager)

    @property
    def kernel_dir(self) -> Path:
        return self.runtime / "kernel"

    async def is_alive(self) -> bool:
        return bool(await self.manager.is_alive())

    def read_log(self) -> str:
        """The end of the kernel's log (a file in pot's own folder, opened without
        following links)."""
        try:
            descriptor = os.open(self.runtime / "kernel.log", os.O_RDONLY | os.O_NOFOLLOW)
        except OSError:
            return ""
        with os.fdopen(descriptor, "rb") as log:
            log.seek(0, os.SEEK_END)
            log.seek(max(0, log.tell() - 4 * LOG_TAIL))
            return log.read().decode(errors="replace")[-LOG_TAIL:]

    async def discard(self) -> None:
        """Kill the kernel and every process it started, then delete its folders.

        Every step may run again: a discard cut short (cancelled) is finished by the
        next one.
        """
        try:
            if self.client is not None:
                self.client.stop_channels()
            await kill_tree(self.pid)
            provisioner = self.manager.provisioner
            if provisioner is not None and provisioner.has_process:
                # reap it here: jupyter-client would first send an interrupt to the
                # dead kernel, which holds up closing its socket for 0.1 s
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(provisioner.wait(), 5.0)
            if self.manager.has_kernel:
                await self.manager.shutdown_kernel(now=True)
            else:
                await self.manager.cleanup_resources()
        finally:
            self.log.close()
            remove_tree(self.workdir)
            remove_tree(self.runtime)

    @classmethod
    async def launch(cls, settings: LaunchSettings) -> KernelProcess:
        """Start a kernel in new folders and connect to it (not yet set up).

        Raises:
            KernelStartError: No such kernel, or it did not become ready.
        """
        process = cls._create(settings)
        try:
            await process._start(settings)
        except NoSuchKernel as error:
            await process.discard()
            raise KernelStartError(
                f"No Jupyter kernel named {settings.kernel_name!r}. Installed kernels: "
                f"{', '.join(sorted(error.args[1:] or installed_kernels()))}. "
                "List them with `jupyter kernelspec list`."
            ) from error
        except BaseException as error:
            log = process.read_log()
            await process.discard()
            if isinstance(error, Exception):
                raise KernelStartError(
                    f"Kernel {settings.kernel_name!r} did not start: {error}. Kernel log:\n{log}"
                ) from error
            raise
        return process

    @classmethod
    def _create(cls, settings: LaunchSettings) -> KernelProcess:
        prefix = f"{TEMP_PREFIX}{os.getpid()}-"
        runtime = Path(tempfile.mkdtemp(prefix=f"{prefix}run-"))
        workdir = Path(tempfile.mkdtemp(prefix=prefix))
        runtime.chmod(0o711)
        for name, mode in (("links", 0o700), ("connection", 0o755), ("kernel", 0o700)):
            (runtime / name).mkdir(mode)
        (runtime / "kernel" / "home").mkdir(0o700)
        manager = _LimitedKernelManager(
            kernel_name=settings.kernel_name,
            transport="ipc",
            ip=str(runtime / "links" / "ipc"),
            connection_file=str(runtime / "connection" / "connection.json"),
        )
        manager.kernel_ip = str(runtime / "kernel" / "ipc")
        manager.limits = settings.limits
        log = KernelLog(runtime / "kernel.log")  # capped: the kernel writes to a pipe
        return cls(runtime=runtime, workdir=workdir, manager=manager, log=log, ipython=False)

    async def _start(self, settings: LaunchSettings) -> None:
        manager = self.manager
        spec = manager.kernel_spec
        assert spec is not None
        if settings.isolation is Isolation.SANDBOX:
            user = manager.kernel_user = kernel_user(settings.sandbox)
            argv = bwrap_argv(settings.sandbox, self.workdir, self.kernel_dir)
            connection = str(self.runtime / "connection")
            manager.sandbox_prefix = [*argv, "--ro-bind", connection, connection]
            # signals cannot cross into the sandbox's process tree; messages can
            spec.interrupt_mode = "message"
            if user is not None:
                for folder in (self.workdir, self.kernel_dir, self.kernel_dir / "home"):
                    os.chown(folder, user, user, follow_symlinks=False)
        self.ipython = spec.language == "python" and any("ipykernel" in a for a in spec.argv)
        extra = ["--HistoryManager.enabled=False"] if self.ipython else []
        await manager.start_kernel(
            cwd=str(self.workdir),
            env=self._environment(settings),
            extra_arguments=extra,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + settings.startup_timeout
        await self._link_sockets(deadline)
        client = manager.client()
        client.start_channels(hb=False)  # the heartbeat would reconnect on its own
        self.client = client
        await client.wait_for_ready(timeout=max(0.1, deadline - time.monotonic()))

    def _environment(self, settings: LaunchSettings) -> dict[str, str]:
        env = dict(settings.env)
        env["IPYTHONDIR"] = str(self.kernel_dir / "ipython")
        env["MPLCONFIGDIR"] = str(self.kernel_dir / "matplotlib")
        if settings.isolation is Isolation.SANDBOX:
            env["HOME"] = str(self.kernel_dir / "home")
        env.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
        env.update(settings.extra_env)
        return env

    async def _link_sockets(self, deadline: float) -> None:
        """Hard-link each socket the kernel binds into ``links/`` once it exists."""
        manager = self.manager
        ports = (manager.shell_port, manager.iopub_port, manager.stdin_port, manager.control_port)
        for port in ports:
            source, target = f"{manager.kernel_ip}-{port}", f"{manager.ip}-{port}"
            while True:
                try:
                    os.link(source, target, follow_symlinks=False)
                    break
                except FileNotFoundError:
                    if time.monotonic() > deadline:
                        raise TimeoutError("the kernel did not open its sockets") from None
                    if not await manager.is_alive():
                        raise RuntimeError("the kernel exited during start-up") from None
                    await asyncio.sleep(0.01)
            if not stat.S_ISSOCK(os.lstat(target).st_mode):
                os.unlink(target)
                raise RuntimeError(f"{source} is not a socket")
