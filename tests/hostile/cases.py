"""The hostile-code corpus: programs a model might write, by mistake or not.

Each case is run through the real executor and the real loop (tests/test_hostile.py)
and timed by bench/hostile.py. Placeholders filled at run time:
``{canary}`` a host folder in /tmp with a secret file, ``{project}`` a project folder
elsewhere on the host (beside pot's checkout) with a secret file, ``{parent}`` pot's
process id, ``{port}`` a server listening on the host's 127.0.0.1, ``{socket}`` a Unix
socket of the host under /run (or /tmp), ``{abstract}`` the name of an abstract Unix
socket of the host, ``{marker}`` a unique word to find leftover processes by.

``SEQUENCES`` is the "two problems in a row" family: each program is problem A in a
pool of one kernel, and problem B (``BENIGN``) that follows must print what it prints
in a kernel that never saw A.
"""

from __future__ import annotations

from dataclasses import dataclass

from pot.executors import KernelEvent

OK, INTERRUPTED = KernelEvent.OK, KernelEvent.INTERRUPTED
ANY = frozenset(KernelEvent)
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
    cgroup: bool = False
    """Contained only by a control group (memory outside the address space): runs only
    where pot can put kernels in cgroups."""


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
    case("deep recursion", "def f(n):\n    return f(n + 1)\nf(0)", OK, timeout=10.0),
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
        RESTARTED,
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


# -- issue 16: what the kernel can see of the host ----------------------------------
CASES += [
    case("read a project folder elsewhere", "print(open('{project}/secret.txt').read())", OK),
    case(
        "walk the host for secret files",
        "import os\nfor top in ('/', '/work', '/srv', '/opt', '/var', '/root', '/home', '/mnt'):\n"
        "    for folder, _, files in os.walk(top):\n"
        "        if folder.startswith(('/proc', '/sys', '/usr', '/dev')):\n"
        "            continue\n"
        "        for name in files:\n"
        "            if name == 'secret.txt':\n"
        "                print(open(os.path.join(folder, name)).read())",
        OK,
        INTERRUPTED,
        RESTARTED,
        timeout=20.0,
    ),
    case("list home folders", "import os\nprint(os.listdir('/home'), os.listdir('/root'))", OK),
    case("read shell history", "print(open('/root/.bash_history').read())", OK),
    case("list /opt", "import os\nprint(os.listdir('/opt'))", OK),
    case("read /var/log", "import os\nprint(os.listdir('/var/log'))", OK),
    case("read pot's environment via /proc", "print(open('/proc/{parent}/environ').read())", OK),
    case("read pid 1's environment", "print(open('/proc/1/environ').read())", OK),
    case(
        "symlink out of the work dir",
        "import os\nos.symlink('{project}/secret.txt', 'link')\nprint(open('link').read())",
        OK,
    ),
    case(
        "read through /proc/self/root",
        "print(open('/proc/self/root{project}/secret.txt').read())",
        OK,
    ),
    case("chroot", "import os\nos.chroot('/tmp')", OK),
    case(
        "mount the host's disk",
        "import ctypes\nlibc = ctypes.CDLL(None, use_errno=True)\n"
        "print(libc.mount(b'/dev/sda1', b'/tmp', b'ext4', 0, None), ctypes.get_errno())",
        OK,
    ),
]

# -- issue 16: sockets and secrets ----------------------------------------------------
CASES += [
    case(
        "Unix socket of the host",
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('{socket}')\ns.sendall(b'hi')",
        OK,
    ),
    case("list /run", "import os\nprint(os.listdir('/run'), os.listdir('/var/run'))", OK),
    case(
        "docker socket",
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('/var/run/docker.sock')",
        OK,
    ),
    case(
        "abstract Unix socket of the host",
        "import socket\ns = socket.socket(socket.AF_UNIX)\ns.connect('\\0{abstract}')\n"
        "s.sendall(b'hi')",
        OK,
    ),
    case(
        "socket to the host's ::1",
        "import socket\nsocket.create_connection(('::1', {port}), timeout=2)",
        OK,
    ),
    case("raw socket", "import socket\nsocket.socket(socket.AF_INET, socket.SOCK_RAW, 1)", OK),
    case(
        "read connection strings",
        "import os\nfor name in ('DATABASE_URL', 'DB_PASS', 'MYSQL_PWD', 'PIP_INDEX_URL',"
        " 'REDIS_URL', 'SENTRY_DSN'):\n    print(name, os.environ.get(name))",
        OK,
    ),
    case("read /proc/self/environ", "print(open('/proc/self/environ').read())", OK),
]

# -- issue 16: limits the code might lift ---------------------------------------------
CASES += [
    case(
        "raise the CPU hard limit",
        "import resource\ninf = resource.RLIM_INFINITY\n"
        "resource.setrlimit(resource.RLIMIT_CPU, (inf, inf))",
        OK,
    ),
    case(
        "thread burning CPU after the run",
        "import resource, threading\nsoft, hard = resource.getrlimit(resource.RLIMIT_CPU)\n"
        "resource.setrlimit(resource.RLIMIT_CPU, (hard, hard))\n"
        "def burn():\n    while True:\n        pass\n"
        "threading.Thread(target=burn, daemon=True).start()\nprint(hard)",
        OK,
    ),
    case(
        "memfd bomb",
        "import os\nfd = os.memfd_create('bomb')\nchunk = b'x' * 2**24\n"
        "for i in range(400):\n    os.write(fd, chunk)\nprint(os.fstat(fd).st_size)",
        OK,
        INTERRUPTED,
        *LOST,
        timeout=60.0,
        cgroup=True,
    ),
    case(
        "/dev/shm fill",
        "chunk = b'x' * 2**24\nwith open('/dev/shm/fill', 'wb') as f:\n"
        "    for i in range(400):\n        f.write(chunk)",
        OK,
        INTERRUPTED,
        *LOST,
        timeout=30.0,
        sandbox=True,
    ),
    case(
        "/tmp fill",
        "chunk = b'x' * 2**24\nwith open('/tmp/fill', 'wb') as f:\n"
        "    for i in range(400):\n        f.write(chunk)",
        OK,
        INTERRUPTED,
        *LOST,
        timeout=30.0,
        sandbox=True,
    ),
    case(
        "stderr flood past the streams",
        "import os\nfor i in range(13000):\n    os.write(2, b'x' * 4096)",
        OK,
        INTERRUPTED,
        RESTARTED,
        timeout=20.0,
    ),
    case(
        "stdout flood past the streams",
        "import os\nfor i in range(13000):\n    os.write(1, b'y' * 4096)",
        OK,
        INTERRUPTED,
        RESTARTED,
        timeout=20.0,
    ),
    case(
        "fork bomb in new sessions",
        "import os\nwhile True:\n    if os.fork() == 0:\n        os.setsid()",
        OK,
        INTERRUPTED,
        *LOST,
        sandbox=True,
    ),
]

# -- issue 16: the parent survives whatever the kernel sends ------------------------
_SEND = (
    "k = get_ipython().kernel\n"
    "def send(kind, content):\n"
    "    k.session.send(k.iopub_socket, kind, content, parent=k.get_parent('shell'))\n"
)
CASES += [
    case("50 MB exception message", "raise ValueError('x' * 50_000_000)", OK, timeout=30.0),
    case(
        "10^8-character exception message",
        "raise ValueError('x' * 10**8)",
        OK,
        INTERRUPTED,
        *LOST,
        timeout=60.0,
    ),
    case(
        "deeply nested JSON display",
        "from IPython.display import display\nd = 1\nfor i in range(100000):\n    d = [d]\n"
        "display({'application/json': d}, raw=True)",
        OK,
    ),
    case(
        "nested JSON sent raw",
        _SEND + "send('display_data', b'{\"data\": {\"application/json\": ' + b'[' * 100000"
        " + b']' * 100000 + b'}, \"metadata\": {}}')\nprint('after')",
        OK,
    ),
    case("malformed stream message", _SEND + "send('stream', {'name': 'stdout', 'text': 5})", OK),
    case(
        "malformed error message",
        _SEND + "send('error', {'ename': 7, 'evalue': None, 'traceback': 'not a list'})",
        OK,
    ),
    case("message content not a dict", _SEND + "send('stream', b'[1, 2, 3]')", OK),
    case(
        "stream message without a name",
        _SEND + "send('stream', {'text': 'no name'})\nsend('execute_result', {'data': 5})",
        OK,
    ),
    case(
        "image that is not base64",
        "from IPython.display import display\ndisplay({'image/png': '!!not base64!!'}, raw=True)",
        OK,
    ),
    case(
        "NaN in a JSON display",
        "from IPython.display import display\n"
        "display({'application/json': {'x': float('nan')}}, raw=True)",
        OK,
    ),
    case(
        "lone surrogate in output", "print('before')\nprint('x\\ud800y')\nraise ValueError('e')", OK
    ),
    case("lone surrogate in an exception", "raise ValueError('x\\udfffy')", OK),
    case(
        "ten thousand displays",
        "from IPython.display import display\nfor i in range(10000):\n"
        "    display({'text/plain': str(i)}, raw=True)",
        OK,
        INTERRUPTED,
        RESTARTED,
        timeout=30.0,
    ),
    case(
        "early idle status", _SEND + "send('status', {'execution_state': 'idle'})\nprint('x')", OK
    ),
]

# -- issue 16: terminal and context injection ---------------------------------------
CASES += [
    case("terminal title by OSC ended by ST", "print('\\x1b]0;pwned\\x1b\\\\ done')", OK),
    case("clipboard write by OSC 52", "print('\\x1b]52;c;ZWNobyBwd25lZA==\\x07 done')", OK),
    case("terminal reset by ESC c", "print('\\x1bc done')", OK),
    case("screen clear by 8-bit CSI", "print('\\x9b2J\\x9bH done')", OK),
    case("escape sequences in an exception", "raise ValueError('\\x1b[2J\\x1b]0;t\\x07 bad')", OK),
    case(
        "escape sequences in a repr",
        "class Evil:\n    def __repr__(self):\n        return '\\x1b[2J\\x1b]8;;http://x\\x07link'\n"
        "Evil()",
        OK,
    ),
    case("bidirectional override", "print('total: \\u202e24\\u202c')", OK),
    case("backspaces and carriage returns", "print('secret\\b\\b\\b\\b\\b\\bpublic\\rover')", OK),
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
        "read a project folder elsewhere",
        "walk the host for secret files",
        "list home folders",
        "read shell history",
        "list /opt",
        "read /var/log",
        "read pot's environment via /proc",
        "symlink out of the work dir",
        "read through /proc/self/root",
        "Unix socket of the host",
        "list /run",
        "docker socket",
        "abstract Unix socket of the host",
        "socket to the host's ::1",
        "raise the CPU hard limit",
    }
)
"""Cases that only the sandbox contains; without it they show what is not protected."""


def needs_sandbox(item: Case) -> bool:
    return item.sandbox or item.name in SANDBOX_CONTAINS


BENIGN = """
import decimal, math, os, sys, threading
import numpy
total = 6 * 7
print(int(math.sqrt(total * total)), total)
print(decimal.Decimal(1) / decimal.Decimal(3), numpy.array([1 / 3]))
fractions = sys.modules['fractions'].__name__
print(os.environ.get('POT_LEFTOVER'), '/pot-leftover' in sys.path, fractions)
print(sorted(os.listdir('.')), threading.active_count(), type(print).__name__)
"""
"""Problem B: sensitive to every leftover of the sequences below."""


def sequence(name: str, code: str) -> Case:
    return Case(name, code.strip() + "\n", ANY, timeout=10.0)


SEQUENCES: list[Case] = [
    sequence(
        "then: a post_run_cell hook",
        "get_ipython().events.register('post_run_cell', lambda *a: print('The answer is 41'))",
    ),
    sequence(
        "then: an input transformer",
        "get_ipython().input_transformers_post.append("
        "lambda lines: [line.replace('6 * 7', '41') for line in lines])",
    ),
    sequence(
        "then: an AST transformer",
        "import ast\nclass Swap(ast.NodeTransformer):\n"
        "    def visit_Constant(self, node):\n"
        "        return ast.Constant(41) if node.value == 7 else node\n"
        "get_ipython().ast_transformers.append(Swap())",
    ),
    sequence("then: a patched module", "import math\nmath.sqrt = lambda x: 41"),
    sequence("then: a fake sys.modules entry", "import sys, math\nsys.modules['fractions'] = math"),
    sequence(
        "then: a thread rewriting globals",
        "import threading, time\ndef rewrite():\n    while True:\n"
        "        get_ipython().user_ns['total'] = 41\n        time.sleep(0.001)\n"
        "threading.Thread(target=rewrite, daemon=True).start()",
    ),
    sequence("then: os.environ", "import os\nos.environ['POT_LEFTOVER'] = 'A'"),
    sequence("then: sys.path", "import sys\nsys.path.insert(0, '/pot-leftover')"),
    sequence("then: decimal precision", "import decimal\ndecimal.getcontext().prec = 2"),
    sequence("then: numpy print options", "import numpy\nnumpy.set_printoptions(precision=1)"),
    sequence(
        "then: a text formatter",
        "get_ipython().display_formatter.formatters['text/plain'].for_type("
        "int, lambda obj, p, cycle: p.text('41'))",
    ),
    sequence(
        "then: a custom exception handler",
        "get_ipython().set_custom_exc((Exception,), lambda *a, **k: print('The answer is 41'))",
    ),
    sequence(
        "then: pot's own reset replaced",
        "ip = get_ipython()\nip._pot_reset = lambda: None\nip._pot_setup = lambda *a: None",
    ),
    sequence("then: builtins replaced", "import builtins\nbuiltins.print = lambda *a, **k: None"),
    sequence(
        "then: a process in its own session",
        "import subprocess\nsubprocess.Popen(['sleep', '{marker}'], start_new_session=True)",
    ),
    sequence(
        "then: a memfd",
        "import os\nfd = os.memfd_create('pot-leftover-a')\nos.write(fd, b'x' * 2**20)",
    ),
    sequence(
        "then: files in the work dir",
        "open('leftover.txt', 'w').write('A')\nimport os\nos.mkdir('leftover')",
    ),
    sequence(
        "then: a startup file and a crash",
        "import os\n"
        "startup = os.path.join(os.environ['IPYTHONDIR'], 'profile_default', 'startup')\n"
        "os.makedirs(startup, exist_ok=True)\n"
        "open(os.path.join(startup, '00.py'), 'w').write('total = 41\\n')\nos._exit(1)",
    ),
    sequence(
        "then: a planted sympy.py and a crash",
        "open('sympy.py', 'w').write('import os\\nos._exit(3)\\n')\nimport os\nos._exit(1)",
    ),
]
