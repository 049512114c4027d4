"""Importing pot's records and loop is cheap and has no side effects.

Each check runs in a fresh interpreter, since this test process has long
imported everything.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

# The kernel transports: only starting a kernel or a gateway client needs them.
TRANSPORTS = {"jupyter_client", "zmq", "tornado"}
# The model backends and optional extras: only loading a model or a task needs them.
BACKENDS = {"torch", "transformers", "bitsandbytes", "llama_cpp", "matplotlib", "reasoning_gym"}

LIGHT_MODULES = [
    "pot",
    "pot.cli",
    "pot.trace",
    "pot.executors",
    "pot.solver",
    "pot.models.continuous",
    "pot.models.llama_batch",
    "pot.models.llamacpp",
]

# Counts the exit hooks an import adds. The standard library's logging registers its
# own hook when first imported, so it is imported before counting: it is not pot's.
COUNT_HOOKS = """
import atexit, json, logging, sys
added = []
register = atexit.register
def recording(function, *args, **kwargs):
    added.append(getattr(function, "__qualname__", repr(function)))
    return register(function, *args, **kwargs)
atexit.register = recording
before = atexit._ncallbacks()
import {module}
print(json.dumps({{"added": atexit._ncallbacks() - before, "names": added}}))
"""


def imported_modules(module: str) -> set[str]:
    """Top-level names of every module that ``import module`` loads (``-X importtime``)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", f"import {module}"],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_import_loads_no_kernel_transport_and_no_backend(module: str) -> None:
    names = imported_modules(module)
    assert "pot" in names  # the parse saw the import tree
    assert not names & TRANSPORTS, f"import {module} loads {sorted(names & TRANSPORTS)}"
    assert not names & BACKENDS, f"import {module} loads {sorted(names & BACKENDS)}"


@pytest.mark.parametrize("module", LIGHT_MODULES)
def test_import_registers_no_exit_hook(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", COUNT_HOOKS.format(module=module)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    counted = json.loads(done.stdout)
    assert counted == {"added": 0, "names": []}


def test_executor_names_still_importable_from_the_package() -> None:
    import pot.executors as executors

    for name in executors.__all__:
        assert getattr(executors, name).__name__ == name
    with pytest.raises(AttributeError, match="no_such_name"):
        executors.no_such_name  # noqa: B018
