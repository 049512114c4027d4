"""Start a kernel under resource limits, tied to the life of its parent.

Run by path, not imported: ``python -S launch.py SETTINGS_JSON -- KERNEL ARGV...``.
It must stay free of imports beyond the standard library.
"""

import json
import os
import resource
import signal
import sys

# CPU time comes as [soft, hard]: the soft limit is re-armed before each run by the
# kernel setup code, up to the hard one, which nothing in the kernel can raise.
# Every other limit is fixed (soft = hard).


def main() -> None:
    settings = json.loads(sys.argv[1])
    argv = sys.argv[sys.argv.index("--") + 1 :]
    for name in ("RLIMIT_AS", "RLIMIT_CPU", "RLIMIT_NPROC", "RLIMIT_FSIZE"):
        value = settings.get(name)
        if value is None or not hasattr(resource, name):
            continue
        which = getattr(resource, name)
        soft, hard = value if isinstance(value, list) else (value, value)
        if soft is None:
            soft = hard
        if hard is None:
            hard = resource.getrlimit(which)[1]
        current = resource.getrlimit(which)[1]
        if current != resource.RLIM_INFINITY:
            hard = current if hard == resource.RLIM_INFINITY else min(hard, current)
        if hard != resource.RLIM_INFINITY:
            soft = min(soft, hard)
        resource.setrlimit(which, (soft, hard))
    user = settings.get("user")
    if user is not None and os.geteuid() == 0:
        # an unprivileged kernel: the process limit counts, root-only files stay closed
        os.setgroups([])
        os.setgid(user)
        os.setuid(user)
    die_with_parent(settings["parent"])  # after setuid, which clears the death signal
    os.execvp(argv[0], argv)


def die_with_parent(parent: int) -> None:
    """Ask Linux to send SIGTERM when the parent dies, even by SIGKILL.

    SIGTERM, not SIGKILL, so that an IPython kernel's handler (installed by pot's
    setup code) can take its whole process group down with it.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        pr_set_pdeathsig = 1
        libc.prctl(pr_set_pdeathsig, signal.SIGTERM, 0, 0, 0)
    # the parent died before prctl took effect (0: inside a sandbox's own process
    # tree, where bubblewrap's --die-with-parent does this job)
    if parent and os.getppid() != parent:
        os._exit(1)


if __name__ == "__main__":
    main()
