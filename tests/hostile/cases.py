"""The hostile-code corpus: programs a model might write, by mistake or not.

Each case is run through the real executor and the real loop (tests/test_hostile.py)
and timed by bench/hostile.py. Placeholders filled at run time:
``{canary}`` a host folder with a secret file, ``{parent}`` pot's process id,
``{port}`` a server listening on the host's 127.0.0.1, ``{marker}`` a unique word to
find leftover processes by.
"""

from __future__ import annotations

from dataclasses import dataclass

from pot.executors import KernelEvent

OK, INTERRUPTED = KernelEvent.OK, KernelEvent.INTERRUPTED
RESTARTED, DIED = KernelEvent.RESTARTED, KernelEvent.DIED
LOST = frozenset({RESTARTED, DIED})


@dataclass(frozen=True)
class Case:
    """One hostile program and the kernel outcomes that count as contained.

    Where a timeout is involved, a restart is always allowed besides the expected
    interrupt: on a loaded machine an interrupt can miss its grace period, and the
    kernel is then replaced, which is containment too.
    """

    name: str
    code: str
    outcomes: frozenset[KernelEvent]
    timeout: float = 2.0
    sandbox: bool = False
    """Contained only by the sandbox: without it the case would reach the host (read
    its files or network, signal its processes), so it runs only sandboxed."""


def case(name: str, code: str, *outcomes: KernelEvent, **options: object) -> Case:
    return Case(name, code.strip() + "\n", frozenset(outcomes), **options)  # type: ignore[arg-type]


CASES: list[Case] = [
    case("cpu burn", "while True:\n    pass", INTERRUPTED, RESTARTED),
    case(
        "loop ignoring SIGINT",
        "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass",
        INTERRUPTED,
        RESTARTED,
    ),
    case(
        "loop swallowing KeyboardInterrupt",
        "while True:\n    try:\n        while True:\n            pass\n"
        "    except KeyboardInterrupt:\n        pass",
        RESTARTED,
    ),
    case("sleep forever", "import time\ntime.sleep(10**6)", INTERRUPTED, RESTARTED),
    case("os._exit", "import os\nos._exit(1)", DIED),
    case("segfault via ctypes", "import ctypes\nctypes.string_at(0)", DIED),
    case("abort", "import os\nos.abort()", DIED),
    case("SIGSTOP to itself", "import os, signal\nos.kill(os.getpid(), signal.SIGSTOP)", RESTARTED),
    case("exec another program", "import os\nos.execv('/bin/sleep', ['sleep', '1000'])", *LOST),
    case(
        "memory bomb (growing list)",
        "blocks = []\nwhile True:\n    blocks.append(bytearray(10**8))",
        OK,
        INTERRUPTED,
        RESTARTED,
        timeout=30.0,
    ),
    case("memory bomb (one allocation)", "block = bytearray(10**11)", OK),
    case(
        "fork bomb", "import os\nwhile True:\n    os.fork()", OK, INTERRUPTED, *LOST, sandbox=True
    ),
    case(
        "thread bomb",
        "import threading, time\nwhile True:\n"
        "    threading.Thread(target=time.sleep, args=(60,), daemon=True).start()",
        OK,
        INTERRUPTED,
    ),
    case(
        "disk fill",
        "chunk = b'x' * 10**7\ni = 0\nwhile True:\n"
        "    with open(f'fill{i}.bin', 'wb') as f:\n        f.write(chunk * 20)\n    i += 1",
        OK,
        INTERRUPTED,
        RESTARTED,
    ),
    case(
        "one huge file",
        "open('huge.bin', 'wb').write(b'x' * (2 * 1024**3))",
        OK,
        INTERRUPTED,
        RESTARTED,
        timeout=30.0,
    ),
    case("gigabyte print", "print('x' * 10**9)", OK, INTERRUPTED, RESTARTED, timeout=30.0),
    case("print flood", "while True:\n    print('y' * 1000)", INTERRUPTED, RESTARTED),
    case("huge repr", "list(range(10**7))", OK),
    case("deep recursion", "def f(n):\n    return f(n + 1)\nf(0)", OK),
    case(
        "deep recursion, limit raised",
        "import sys\nsys.setrecursionlimit(10**8)\ndef f(n):\n    return f(n + 1)\nf(0)",
        OK,
        *LOST,
        timeout=30.0,
    ),
    case("read environment secrets", "import os\nprint(dict(os.environ))", OK),
    case(
        "read ~/.ssh",
        "import os, glob\nfor p in glob.glob(os.path.expanduser('~/.ssh/*')) + "
        "glob.glob('/root/.ssh/*') + glob.glob('/home/*/.ssh/*'):\n    print(open(p).read())",
        OK,
    ),
    case("read a file outside the work dir", "print(open('{canary}/secret.txt').read())", OK),
    case("read /etc/shadow", "print(open('/etc/shadow').read())", OK),
    case("write outside: host /tmp", "open('{canary}/escape.txt', 'w').write('escaped')", OK),
    case("write outside: /etc", "open('/etc/pot-escape', 'w').write('escaped')", OK),
    case(
        "write outside: home",
        "import os\nopen(os.path.expanduser('~/pot-escape'), 'w').write('escaped')",
        OK,
    ),
    case("delete outside", "import shutil\nshutil.rmtree('{canary}')", OK),
    case(
        "socket to the host's 127.0.0.1",
        "import socket\nsocket.create_connection(('127.0.0.1', {port}), timeout=2).sendall(b'hi')",
        OK,
    ),
    case(
        "socket to the internet",
        "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)",
        OK,
    ),
    case("DNS lookup", "import socket\nsocket.getaddrinfo('example.com', 80)", OK),
    case("kill the parent (getppid)", "import os\nos.kill(os.getppid(), 9)", OK, *LOST),
    case("signal pot by its pid", "import os\nos.kill({parent}, 0)", OK, sandbox=True),
    case("kill the process group", "import os, signal\nos.killpg(0, signal.SIGKILL)", *LOST),
    case("kill every process", "import os\nos.kill(-1, 9)", OK, *LOST, sandbox=True),
    case(
        "raise resource limits",
        "import resource\ninf = resource.RLIM_INFINITY\n"
        "resource.setrlimit(resource.RLIMIT_AS, (inf, inf))",
        OK,
    ),
    case(
        "detached daemon",
        "import subprocess\nsubprocess.Popen(['sleep', '{marker}'], start_new_session=True)\n"
        "print('started')",
        OK,
    ),
    case(
        "huge image",
        "import matplotlib.pyplot as plt\nfig = plt.figure(figsize=(80, 80), dpi=200)\n"
        "plt.imshow(__import__('numpy').random.rand(2000, 2000))\nplt.show()",
        OK,
        INTERRUPTED,
        timeout=20.0,
    ),
    case(
        "non-UTF-8 output",
        "import os, sys\nos.write(1, b'\\xff\\xfe bad bytes\\n')\n"
        "sys.stdout.write('lone surrogate \\udcff\\n')",
        OK,
    ),
    case("read stdin", "import sys\nsys.stdin.read()", OK),
    case(
        "replace builtins",
        "import builtins\nbuiltins.print = None\nbuiltins.len = None",
        OK,
        *LOST,
    ),
    case("close stdout", "import sys, os\nsys.stdout.close()\nos.close(1)", OK, *LOST),
]

SANDBOX_CONTAINS = frozenset(
    {
        "read ~/.ssh",
        "read a file outside the work dir",
        "read /etc/shadow",
        "write outside: host /tmp",
        "write outside: /etc",
        "write outside: home",
        "delete outside",
        "socket to the host's 127.0.0.1",
        "socket to the internet",
        "DNS lookup",
        "kill the parent (getppid)",
        "kill the process group",
        "detached daemon",
        "raise resource limits",
    }
)
"""Cases that only the sandbox contains; without it they show what is not protected."""


def needs_sandbox(item: Case) -> bool:
    return item.sandbox or item.name in SANDBOX_CONTAINS
