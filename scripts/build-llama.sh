#!/usr/bin/env bash
# Build and install llama-cpp-python (pot's fast CPU path, the [llama] extra) into a venv.
#   scripts/build-llama.sh VENV [--server] [--background]
# It has no wheel on PyPI and compiles for ~6 min on 2 cores, with portable CPU flags
# (-march=native crashed here). --server adds its OpenAI-compatible server (the tests
# use it). --background returns at once and builds detached at the lowest CPU priority
# (scripts/setup.sh does this, so the first `pot solve` need not wait): while it runs,
# VENV/pot-llama-build.running holds its pid and pot keeps to bitsandbytes NF4; the
# package is built as a wheel first and installed in one short step at the end, so pot
# never imports half of it. The log is VENV/pot-llama-build.log; a failed build leaves
# VENV/pot-llama-build.failed, which pot's first load names.
# The CPU flags are portable AVX2 ones, plus AVX-512 (and its VNNI, VBMI, BF16 parts)
# where this CPU has them (read from /proc/cpuinfo, or POT_CPUINFO): measured here, 1.14x
# (0.5B) and 1.20x (1.5B) the tokens/s of the AVX2 build at 4 rows in flight. A build
# made so runs on CPUs with the same flags only: build again on another machine.
# POT_LLAMA_PACKAGE replaces what is built (the tests build a small local package).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
[ $# -ge 1 ] || { echo "usage: scripts/build-llama.sh VENV [--server] [--background]" >&2; exit 2; }
venv=$(cd "$1" && pwd)
shift
server="" background=no
for arg in "$@"; do
    case "$arg" in
        --server) server="[server]" ;;
        --background) background=yes ;;
        *) echo "usage: scripts/build-llama.sh VENV [--server] [--background]" >&2; exit 2 ;;
    esac
done
version=0.3.36  # pyproject's [llama] extra
constraints=()
[ "${POT_DEPS:-locked}" = newest ] || constraints=(-c "$here/constraints.txt")
running="$venv/pot-llama-build.running"
failed="$venv/pot-llama-build.failed"
log="$venv/pot-llama-build.log"

if [ "$background" = yes ]; then
    if [ -e "$running" ] && kill -0 "$(cat "$running")" 2>/dev/null; then
        echo "llama-cpp-python is already being built (log: $log)"
        exit 0
    fi
    rm -f "$failed"
    echo $$ > "$running"  # pot waits from this moment...
    nohup nice -n 19 bash "$0" "$venv" ${server:+--server} > "$log" 2>&1 < /dev/null &
    echo $! > "$running"  # ...until the build (nohup and nice exec it: the same pid) ends
    exit 0
fi

python="$venv/bin/python"
pip=("$python" -m pip --disable-pip-version-check)
other=$(cat "$running" 2>/dev/null || true)
if [ -n "$other" ] && [ "$other" != $$ ] && kill -0 "$other" 2>/dev/null; then
    echo "waiting for the build already running (log: $log)"
    while kill -0 "$other" 2>/dev/null; do sleep 5; done
fi
if [ -z "${POT_LLAMA_PACKAGE:-}" ] && "$python" -c "import llama_cpp" 2>/dev/null; then
    [ -z "$server" ] && exit 0
    # the server's packages only: no rebuild
    "${pip[@]}" install -q "${constraints[@]}" "llama-cpp-python[server]==$version"
    exit 0
fi
echo $$ > "$running"
flags="-DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON"
cpu=$(grep -m1 '^flags' "${POT_CPUINFO:-/proc/cpuinfo}" 2>/dev/null || true)
has() { [[ " ${cpu#*:} " == *" $1 "* ]]; }
if has avx512f && has avx512cd && has avx512bw && has avx512dq && has avx512vl; then
    flags+=" -DGGML_AVX512=ON"
    has avx512_vnni && flags+=" -DGGML_AVX512_VNNI=ON"
    has avx512vbmi && flags+=" -DGGML_AVX512_VBMI=ON"
    has avx512_bf16 && flags+=" -DGGML_AVX512_BF16=ON"
fi
wheels=$(mktemp -d)
trap 'rm -rf "$wheels"; rm -f "$running"' EXIT
package=${POT_LLAMA_PACKAGE:-llama-cpp-python==$version}
echo "$(date -u +%FT%TZ) building $package with CMAKE_ARGS=\"$flags\""
if CMAKE_BUILD_PARALLEL_LEVEL=${CMAKE_BUILD_PARALLEL_LEVEL:-2} CMAKE_ARGS="$flags" \
    "${pip[@]}" wheel -q --no-deps --no-cache-dir -w "$wheels" "$package" \
    && built=("$wheels"/*.whl) \
    && "${pip[@]}" install -q "${constraints[@]}" "${built[0]}$server"; then
    rm -f "$failed"
    echo "$(date -u +%FT%TZ) installed $(basename "${built[0]}")"
else
    date -u +%FT%TZ > "$failed"
    echo "$(date -u +%FT%TZ) the build failed" >&2
    exit 1
fi
