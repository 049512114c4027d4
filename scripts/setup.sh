#!/usr/bin/env bash
# Create .venv (if needed) and install pot into it.
#   scripts/setup.sh          the default offline model (1.5B) and what `pot solve` needs;
#                             llama.cpp, its fast CPU path, builds in the background
#   scripts/setup.sh test     everything the test suite needs (0.5B model, JupyterLab,
#                             Chromium for the browser test, dev tools)
# Python packages come from constraints.txt (the versions CI runs). POT_DEPS=newest takes
# the newest versions inside pyproject's ranges instead, and POT_VENV another folder
# (scripts/check-newest.sh uses both).
set -euo pipefail
cd "$(dirname "$0")/.."
what=${1:-model}
case "$what" in
    model) extras="hf,openai,eval,model-1.5b"; system=(bubblewrap) ;;
    test)  extras="hf,openai,eval,dev,jupyter,rg,model-0.5b"; system=(bubblewrap chromium nodejs) ;;
    *) echo "usage: scripts/setup.sh [model|test]" >&2; exit 2 ;;
esac

# System packages. bubblewrap sandboxes kernels (pot runs unconfined without it, and
# says so); Chromium and Node run the JupyterLab browser test. Installed when we can
# (root + apt), otherwise a hint.
missing=()
for package in "${system[@]}"; do
    command=$package
    [ "$package" = bubblewrap ] && command=bwrap
    [ "$package" = nodejs ] && command=node
    command -v "$command" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
        apt-get install -y -q "${missing[@]}" >/dev/null 2>&1 || {
            apt-get update -q >/dev/null && apt-get install -y -q "${missing[@]}" >/dev/null; }
    else
        echo "note: please install ${missing[*]} (e.g. sudo apt-get install ${missing[*]})" >&2
    fi
fi

python=${PYTHON:-python3}
venv=${POT_VENV:-.venv}
[ -x "$venv/bin/python" ] || "$python" -m venv "$venv"
pip=("$venv/bin/python" -m pip install -q --disable-pip-version-check)
# torch is pinned (pyproject's [hf] extra) to the CPU wheel; an unpinned torch pulls CUDA.
if [ "${POT_DEPS:-locked}" = newest ]; then
    "${pip[@]}" --upgrade pip
    "${pip[@]}" --upgrade --upgrade-strategy eager -e ".[$extras]"
else
    "${pip[@]}" -c constraints.txt --upgrade pip
    "${pip[@]}" -c constraints.txt -e ".[$extras]"
fi

if [ "$what" = test ]; then
    # Playwright's driver only; it uses Debian's Chromium (never `npx playwright install`)
    npm ci --prefix tests/browser --no-audit --no-fund --silent
    # llama.cpp in-process, and its OpenAI-compatible server for OpenAIModel's tests:
    # built from source, now (~6 min on 2 cores)
    if ! "$venv/bin/python" -c "import llama_cpp, uvicorn" 2>/dev/null; then
        bash scripts/build-llama.sh "$venv" --server  # waits for a background build first
    fi
elif [ "${POT_LLAMA:-build}" != off ] && ! "$venv/bin/python" -c "import llama_cpp" 2>/dev/null; then
    # llama.cpp runs Qwen's GGUF about 3x faster than NF4 on a CPU, but it compiles for
    # ~6 min: that happens in the background, at the lowest priority, and pot uses it
    # from the first run after it is installed (until then, NF4)
    bash scripts/build-llama.sh "$venv" --background
    echo "note: llama.cpp (the fast CPU path) is being built in the background; log: $venv/pot-llama-build.log (POT_LLAMA=off skips it)" >&2
fi
