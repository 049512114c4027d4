#!/usr/bin/env bash
# Create .venv (if needed) and install pot into it.
#   scripts/setup.sh          the default offline model (1.5B) and what `pot solve` needs
#   scripts/setup.sh test     everything the test suite needs (the 0.5B model, dev tools)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-model}

# System packages: bubblewrap sandboxes kernels (pot runs unconfined without it,
# and says so). Installed when we can (root + apt); otherwise a hint.
need_apt=()
command -v bwrap >/dev/null 2>&1 || need_apt+=(bubblewrap)
if [ ${#need_apt[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get install -y -q "${need_apt[@]}" >/dev/null || {
            apt-get update -q >/dev/null && apt-get install -y -q "${need_apt[@]}" >/dev/null; }
    else
        echo "note: install ${need_apt[*]} (e.g. sudo apt-get install ${need_apt[*]}) for sandboxed kernels" >&2
    fi
fi
python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv
fi
.venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
case "$what" in
    model) extras="hf,openai,eval,model-1.5b" ;;
    test)  extras="hf,openai,eval,dev,model-0.5b" ;;
    *) echo "usage: scripts/setup.sh [model|test]" >&2; exit 2 ;;
esac
# torch is pinned (pyproject's [hf] extra) to the CPU wheel; an unpinned torch pulls CUDA.
.venv/bin/python -m pip install -q --disable-pip-version-check -e ".[$extras]"
