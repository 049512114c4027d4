"""Worker process of ``MathJudge``: JSON lines in on stdin, JSON lines out.

Run as ``python -m pot.tasks._math_worker``. Each request is
``{"prediction": ..., "gold": ...}``; each reply ``{"correct": bool, "normalized":
str | null}`` or ``{"error": str}``. Replies go to the original standard output;
anything the libraries print goes to standard error.
"""

from __future__ import annotations

import json
import logging
import os
import sys


def main() -> None:
    """Serve requests until standard input closes."""
    replies = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    # The "timeout is disabled" notice is expected: the parent bounds the time.
    logging.getLogger("math_verify").setLevel(logging.ERROR)
    from pot.tasks.judge_math import verify_math

    # Warm sympy's and the parsers' first-use paths, so the first timed verdict is fast.
    verify_math("\\frac{1}{2}", "0.5")
    verify_math("(1, \\sqrt{2})", "\\left( 1, \\sqrt{2} \\right)")
    verify_math("x^2 - 1", "(x-1)(x+1)")
    replies.write(json.dumps({"ready": True}) + "\n")
    replies.flush()
    for line in sys.stdin:
        try:
            request = json.loads(line)
            correct, normalized = verify_math(request["prediction"], request["gold"])
            reply: dict[str, object] = {"correct": correct, "normalized": normalized}
        except Exception as error:  # a parser bug must not end the worker
            reply = {"error": f"{type(error).__name__}: {error}"}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


if __name__ == "__main__":
    main()
