#!/usr/bin/env bash
# Create .venv (if needed) and install pot into it.
#   scripts/setup.sh          the default offline model (1.5B) and what `pot solve` needs
#   scripts/setup.sh test     everything the test suite needs (the 0.5B model, dev tools)
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-model}
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
