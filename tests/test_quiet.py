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
