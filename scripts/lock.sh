#!/usr/bin/env bash
# Rewrite constraints.txt from what .venv holds now (after `scripts/setup.sh test` and a
# green suite): every package pinned, so CI and new machines install exactly what CI ran.
set -euo pipefail
cd "$(dirname "$0")/.."
{
    echo "# The versions CI runs: scripts/setup.sh installs from this file."
    echo "# Made by scripts/lock.sh from a .venv whose suite passed; the newest versions"
    echo "# inside pyproject's ranges are checked by scripts/check-newest.sh."
    {
        .venv/bin/python -m pip freeze --all --exclude-editable --disable-pip-version-check \
            | grep -v -i -E "^(pot-reasoning|setuptools|wheel)=="
    } | LC_ALL=C sort -f
} > constraints.txt
echo "constraints.txt: $(grep -vc '^#' constraints.txt) packages"
