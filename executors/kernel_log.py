"""The kernel's stdout and stderr on the host, capped: a file the kernel cannot grow.

A kernel writes to a pipe, never to the file: a thread of pot's reads the pipe and
writes the first ``limit`` bytes to the log file, then a marker, and drops the rest
(still reading, so the kernel never blocks). ``os.write(2, ...)`` in a loop grew a
log that the kernel wrote directly by 50 MB; through the pipe it stays under the cap.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

LOG_BYTES = 1024**2
"""Bytes of kernel output kept in the log file."""
CHUNK = 65536


class KernelLog:
    """A log file fed through a pipe; pass it as a kernel's ``stdout``.

    Args:
        path: The file to create (it must not exist; opened without following links).
        limit: Bytes kept; the rest is counted and dropped.
    """

    def __init__(self, path: Path, limit: int = LOG_BYTES) -> None:
        self.path = path
        self.limit = limit
        self.dropped = 0
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW
        self._file = os.open(path, flags, 0o600)
        self._read, self._write = os.pipe()
        self._thread = threading.Thread(target=self._drain, name="pot-kernel-log", daemon=True)
        self._thread.start()

    def fileno(self) -> int:
        """The pipe's write end: what the kernel process gets as stdout and stderr."""
        if self._write < 0:
            raise ValueError("the kernel log is closed")
        return self._write

    @property
    def closed(self) -> bool:
        return self._write < 0

    def close(self) -> None:
        """Close pot's write end; the thread ends once every kernel process has too."""
        if self._write >= 0:
            os.close(self._write)
            self._write = -1

    def flush(self) -> None:
        """Nothing to flush (the file is written as the pipe is read)."""

    def _drain(self) -> None:
        written = 0
        try:
            while chunk := os.read(self._read, CHUNK):
                room = self.limit - written
                if room > 0:
                    written += os.write(self._file, chunk[:room])
                    if len(chunk) > room:
                        os.write(self._file, b"\n[pot: kernel log capped; later output dropped]\n")
                self.dropped += max(0, len(chunk) - max(room, 0))
        except OSError:
            pass
        finally:
            for descriptor in (self._read, self._file):
                with contextlib.suppress(OSError):
                    os.close(descriptor)
