"""Code that pot runs inside IPython kernels (silently) after each start and reset.

It caps output at the source, so a program that prints gigabytes sends only a
head and a tail over the wire; re-arms the per-run CPU limit; and makes
``input()`` fail fast. Kept as source text because it executes in the kernel.
"""

from __future__ import annotations

from pot.executors.limits import OutputLimits, ResourceLimits

_SETUP = r'''
def _pot_setup(head, tail, cpu_seconds, workdir, adopt_orphans=False):
    import builtins, os, sys, resource, signal, tempfile
    ip = get_ipython()
    if adopt_orphans and sys.platform.startswith("linux"):
        # processes the code starts and orphans (setsid, double fork) stay below the
        # kernel, where pot finds and kills them, instead of moving to init
        import ctypes
        ctypes.CDLL(None).prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER
    if workdir is None:  # a remote kernel: its own fresh folder, made on its side
        if not hasattr(ip, "_pot_workdir"):
            ip._pot_workdir = tempfile.mkdtemp(prefix="pot-kernel-")
        workdir = ip._pot_workdir
    os.chdir(workdir)

    def reset_namespace():
        # IPython's reset ends in a full gc.collect(), which walks every object of
        # the preload (sympy: 17 ms a reset, measured); the user's garbage is young
        import gc
        collect = gc.collect
        gc.collect = lambda generation=2: 0
        try:
            ip.reset(new_session=False, aggressive=False)
        finally:
            gc.collect = collect
        gc.collect(1)

    ip._pot_reset = reset_namespace

    # a reset brings back builtins that code replaced (print = None...)
    if not hasattr(ip, "_pot_builtins"):
        ip._pot_builtins = dict(vars(builtins))
    else:
        for name, value in ip._pot_builtins.items():
            if vars(builtins).get(name) is not value:
                setattr(builtins, name, value)

    def end_process_group(signum, frame):
        # pot's launcher asks for SIGTERM when pot dies: take the children along.
        os.killpg(os.getpgid(0), signal.SIGKILL)

    signal.signal(signal.SIGTERM, end_process_group)

    class CappedStream:
        """Pass the first `head` characters of a run through; keep only the last
        `tail` of the rest and write them, after a marker, when the run ends."""

        def __init__(self, stream):
            self._pot_stream = stream
            self._pot_reset()

        def _pot_reset(self):
            self._pot_sent = 0
            self._pot_dropped = 0
            self._pot_tail = ""

        def write(self, text):
            if not isinstance(text, str):
                return self._pot_stream.write(text)
            room = head - self._pot_sent
            if room > 0:
                self._pot_stream.write(text[:room])
                self._pot_sent += min(room, len(text))
                text = text[room:]
            if text:
                self._pot_dropped += len(text)
                self._pot_tail = (self._pot_tail + text[-tail:])[-tail:] if tail else ""
            return None

        def close(self):
            pass  # closing stdout would silence every later run of this kernel

        def _pot_finish(self):
            if self._pot_dropped:
                cut = self._pot_dropped - len(self._pot_tail)
                self._pot_stream.write(
                    f"\n[... pot: {cut} characters of output omitted ...]\n" + self._pot_tail
                )
            self._pot_reset()

        def __getattr__(self, name):
            return getattr(self._pot_stream, name)

    # wrap the kernel's own streams once; a reset puts them back if code replaced them
    if not hasattr(ip, "_pot_streams"):
        ip._pot_streams = {name: CappedStream(getattr(sys, name)) for name in ("stdout", "stderr")}
    for name, stream in ip._pot_streams.items():
        setattr(sys, name, stream)

    def before(*args):
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if hasattr(stream, "_pot_reset"):
                stream._pot_reset()
        if cpu_seconds:
            usage = resource.getrusage(resource.RUSAGE_SELF)
            soft = int(usage.ru_utime + usage.ru_stime) + cpu_seconds
            hard = resource.getrlimit(resource.RLIMIT_CPU)[1]
            if hard != resource.RLIM_INFINITY:
                soft = min(soft, hard)
            try:
                resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))
            except (ValueError, OSError):
                pass

    def after(*args):
        for name in ("stdout", "stderr"):
            stream = getattr(sys, name)
            if hasattr(stream, "_pot_finish"):
                stream._pot_finish()

    for event, callback in getattr(ip, "_pot_callbacks", []):
        ip.events.unregister(event, callback)
    ip._pot_callbacks = [("pre_run_cell", before), ("post_run_cell", after)]
    for event, callback in ip._pot_callbacks:
        ip.events.register(event, callback)

    # a lone surrogate ('x\ud800y') makes the message encoder fail, which silently
    # dropped the run's whole output and its error: send such messages JSON-escaped
    session = getattr(getattr(ip, "kernel", None), "session", None)
    if session is not None and not getattr(session, "_pot_packs", False):
        import json
        pack = session.pack

        def escaping_pack(obj):
            try:
                return pack(obj)
            except (UnicodeEncodeError, ValueError):
                return json.dumps(obj, default=repr).encode("ascii")

        session.pack = escaping_pack
        session._pot_packs = True

    # IPython leaves out Python's "Did you mean" for a misspelt name; a small model
    # that wrote Samantha_age for samantha_age then rewrites the same program
    def near_name(value, tb):
        import difflib
        wanted = getattr(value, "name", None)
        if not isinstance(wanted, str) or not wanted:
            return None
        if isinstance(value, AttributeError):
            names = dir(getattr(value, "obj", None)) if hasattr(value, "obj") else []
        else:
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            frame = tb.tb_frame if tb is not None else None
            names = [*vars(builtins)]
            if frame is not None:
                names += [*frame.f_globals, *frame.f_locals]
        names = [n for n in set(names) if isinstance(n, str) and n != wanted
                 and (wanted.startswith("_") or not n.startswith("_"))]
        same = [n for n in names if n.casefold() == wanted.casefold()]
        close = same or difflib.get_close_matches(wanted, names, 1, 0.8)
        return close[0] if close else None

    def with_suggestion(shell, etype, value, tb, tb_offset=None):
        try:
            hint = near_name(value, tb)
            args = value.args
            plain = len(args) == 1 and isinstance(args[0], str) and "Did you mean" not in args[0]
            if hint and plain:
                value.args = (f"{args[0]}. Did you mean: {hint!r}?",)
        except Exception:
            pass
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset, running_compiled_code=True)

    ip.set_custom_exc((NameError, AttributeError), with_suggestion)

    formatter = ip.display_formatter
    if not getattr(formatter, "_pot_capped", False):
        original = formatter.format
        limit = head + tail

        def capped_format(obj, include=None, exclude=None):
            data, metadata = original(obj, include=include, exclude=exclude)
            for key, value in list(data.items()):
                if isinstance(value, str) and len(value) > limit:
                    data[key] = (value[:head] + f"\n[... pot: {len(value) - limit} "
                                 "characters omitted ...]\n" + value[len(value) - tail:])
            return data, metadata

        formatter.format = capped_format
        formatter._pot_capped = True
'''


def setup_code(
    output: OutputLimits,
    limits: ResourceLimits,
    workdir: str | None,
    *,
    defined: bool = False,
    adopt_orphans: bool = False,
) -> str:
    """The setup source for one kernel (``workdir=None``: the kernel makes its own).

    The first setup defines the setup function and keeps it on the shell;
    ``defined=True`` (resets) sends only the call, sparing the kernel a parse and
    compile of the whole source each time. ``adopt_orphans``: the kernel becomes
    the reaper of its orphaned descendants (for kernels outside the sandbox, whose
    process namespace does that job).
    """
    call = (
        f"get_ipython()._pot_setup({output.head_chars}, {output.tail_chars}, "
        f"{limits.cpu_seconds or 0}, {workdir!r}, {adopt_orphans!r})\n"
    )
    if defined:
        return call
    return _SETUP + "get_ipython()._pot_setup = _pot_setup\ndel _pot_setup\n" + call


RESET_CODE = "get_ipython()._pot_reset()\n"
"""Clears the user namespace of an IPython kernel (imports included), through the
function pot's setup keeps on the shell."""

EMPTY_WORKDIR_CODE = """
def _pot_empty():
    import os, shutil
    folder = getattr(get_ipython(), "_pot_workdir", None)
    if folder and os.path.isdir(folder):
        for entry in os.scandir(folder):
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path, ignore_errors=True)
            else:
                os.unlink(entry.path)
_pot_empty()
del _pot_empty
"""
"""Empties a remote kernel's working folder from inside (the host cannot reach it)."""
