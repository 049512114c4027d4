#!/usr/bin/env bash
# Drift check: the newest versions inside pyproject's ranges, in a venv of their own
# (.venv-newest), then the whole suite. Run it on a schedule (weekly, and before a
# release); a failure here is a range to fix before users meet it. Extra arguments go
# to pytest, e.g. scripts/check-newest.sh tests/test_models.py
set -euo pipefail
cd "$(dirname "$0")/.."
POT_VENV=.venv-newest POT_DEPS=newest bash scripts/setup.sh test
.venv-newest/bin/python -m pip list --disable-pip-version-check --format=freeze \
    | diff <(grep -v '^#' constraints.txt | LC_ALL=C sort -f) <(LC_ALL=C sort -f) \
    | grep '^>' | sed 's/^> /newer than the lock: /' || true
.venv-newest/bin/python -m pytest "$@"
