"""The %%pot magic: option parsing here, and the real magic inside a real IPython kernel."""

from __future__ import annotations

import json

import pytest
from IPython.core.error import UsageError

from pot.executors import JupyterExecutor
from pot.jupyter.magic import MagicOptions, parse_magic
from pot.jupyter.model_specs import resolve_model, scripted_replies
from pot.models.errors import UnknownModelError
from pot.modes import Mode, default_mode
from pot.testing import ScriptedModel

ANSWER_391 = "```python\nprint(17 * 23)\n```"


@pytest.fixture
def kernel(unconfined_kernel: JupyterExecutor) -> JupyterExecutor:
    """The magic runs in the user's own notebook kernel, which pot never sandboxes."""
    return unconfined_kernel


def setup(kernel: JupyterExecutor, *replies: str) -> None:
    """Load the extension and give the session a scripted model."""
    result = kernel.run(
        "%load_ext pot\n"
        "from pot.testing import ScriptedModel\n"
        "from pot.jupyter.magic import configure\n"
        # replies are written for one program per question: pot mode, not the default auto
        f"configure(model=ScriptedModel({list(replies)!r}), here=False, timeout=10.0, "
        "mode='pot')\n"
    )
    assert result.ok, result.error


def html_of(displays: list) -> list[str]:
    return [display.data["text/html"] for display in displays if "text/html" in display.data]


# -- options ------------------------------------------------------------------------


def test_options_come_first_and_the_rest_is_the_question() -> None:
    options, question = parse_magic("--mode tir -k 3 --max-steps 4 What's 2+2?")
    assert (options.mode, options.samples, options.max_steps) == (Mode.TIR, 3, 4)
    assert question == "What's 2+2?"
    options, question = parse_magic("--mode=coc --here --trace t --quiet", "Is 7 prime?")
    assert (options.mode, options.here, options.trace, options.quiet) == (Mode.COC, True, "t", True)
    assert question == "Is 7 prime?"
    assert parse_magic("What is -3 squared?")[1] == "What is -3 squared?"
    assert parse_magic("--timeout 2 -- -3 squared?")[1] == "-3 squared?"
    assert parse_magic("--model 'scripted:[\"x\"]' q")[0].model == 'scripted:["x"]'
    # no --mode: $POT_MODE, else pot's default (auto)
    assert parse_magic("q")[0] == MagicOptions(mode=default_mode())


@pytest.mark.parametrize(
    ("line", "cell", "message"),
    [
        ("--mode fast x", None, "invalid choice"),
        ("--samples 0 x", None, "must be positive"),
        ("--timeout soon x", None, "invalid"),
        ("--colour red x", None, "unrecognized arguments"),
        ("--trace 1st x", None, "not a valid variable name"),
        ("--mode tir", None, "no question"),
        ("", "   ", "no question"),
        ("--here extra words", "question", "unexpected text"),
    ],
)
def test_bad_options_are_usage_errors(line: str, cell: str | None, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        parse_magic(line, cell)


def test_scripted_specs_inline_and_from_a_file(tmp_path) -> None:
    assert scripted_replies('scripted:["a", "b"]') == ["a", "b"]
    path = tmp_path / "replies.json"
    path.write_text(json.dumps(["c"]))
    assert scripted_replies(f"scripted:{path}") == ["c"]
    for spec in ["scripted:/no/such/file.json", "scripted:[1, 2]", "scripted:[oops"]:
        with pytest.raises(UnknownModelError):
            scripted_replies(spec)


def test_models_are_loaded_once_per_process() -> None:
    first = resolve_model('scripted:["once"]')
    assert resolve_model('scripted:["once"]') is first
    model = ScriptedModel()
    assert resolve_model(model) is model


def test_the_model_comes_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("POT_TEST_MODEL", 'scripted:["env"]')
    model = resolve_model(None, "POT_UNSET_VARIABLE", "POT_TEST_MODEL")
    assert isinstance(model, ScriptedModel)
    assert list(model.replies) == ["env"]


# -- the magic in a real kernel --------------------------------------------------------


def test_cell_magic_streams_steps_and_returns_the_answer(kernel: JupyterExecutor) -> None:
    setup(kernel, "```python\nprint(17 * 22)\nraise ValueError('off by one')\n```", ANSWER_391)
    result = kernel.run("%%pot\nWhat is 17 * 23?", timeout=60)
    assert result.ok, result.error
    assert result.result == "'391'"
    pages = html_of(result.displays)
    assert "loading the model" in pages[0]
    assert len(pages) >= 4  # the first view, the model loaded, two steps, the answer
    final = pages[-1]
    assert final.count("class='pot-step'") == 2
    assert "ValueError: off by one" in final
    assert "<span" in final and "17" in final  # highlighted code
    assert "Answer: 391" in final
    trace = kernel.run("_pot_trace.answer.normalized, len(_pot_trace.code_steps)")
    assert trace.result == "('391', 2)"


def test_line_magic_with_a_trace_name_and_a_notebook(kernel: JupyterExecutor) -> None:
    setup(kernel, ANSWER_391)
    result = kernel.run("%pot --quiet --trace mine --notebook out.ipynb What is 17 * 23?", 60)
    assert result.ok, result.error
    assert result.result == "'391'"
    assert not html_of(result.displays)  # --quiet
    check = kernel.run(
        "import nbformat; cells = nbformat.read('out.ipynb', 4).cells\n"
        "len(cells), 'import sympy' in cells[1].source, mine.answer.ok"
    )
    assert check.result == "(4, True, True)"  # question, the pool's preload, step, answer


def test_prompt_file_replaces_the_built_in_prompt(kernel: JupyterExecutor) -> None:
    setup(kernel, ANSWER_391)
    write = kernel.run(
        "open('mine.toml', 'w').write(\"system = 'Only code, please.'\")\n"
        "open('bad.toml', 'w').write('system = ')"
    )
    assert write.ok, write.error
    result = kernel.run("%pot --quiet --prompt mine.toml What is 17 * 23?", 60)
    assert result.ok, result.error
    assert result.result == "'391'"
    sent = kernel.run("[m.content for m in configure().model.calls[-1].conversations[0]]")
    assert sent.result == "['Only code, please.', 'What is 17 * 23?']"
    bad = kernel.run("%pot --prompt bad.toml What is 1 + 1?")
    assert bad.stderr.startswith("UsageError: %%pot: prompt file bad.toml is not valid TOML")


def test_here_runs_in_the_notebook_namespace(kernel: JupyterExecutor) -> None:
    setup(kernel)
    replies = ["```python\ntotal = price * quantity\nprint(total)\n```"]
    kernel.run(f"import json\nopen('replies.json', 'w').write(json.dumps({replies!r}))")
    kernel.run("price, quantity = 7, 6")
    result = kernel.run("%%pot --here --model scripted:replies.json\nWhat do I pay?", timeout=60)
    assert result.ok, result.error
    assert result.result == "'42'"
    assert kernel.run("total").result == "42"


def test_here_shows_figures_and_interrupts_long_steps(kernel: JupyterExecutor) -> None:
    plot = (
        "```python\nimport matplotlib.pyplot as plt\n"
        "plt.plot([0, 1], [0, 1])\nplt.show()\nprint(2)\n```"
    )
    setup(kernel, "```python\nwhile True:\n    pass\n```", plot)
    kernel.run("%matplotlib inline")
    result = kernel.run("%%pot --here --timeout 1\nHow many points?", timeout=60)
    assert result.ok, result.error
    assert result.result == "'2'"
    final = html_of(result.displays)[-1]
    assert "TimeoutError" in final
    assert "data:image/png;base64," in final


def test_bad_options_and_failures_are_one_line_errors(kernel: JupyterExecutor) -> None:
    setup(kernel)
    cases = [
        ("%%pot --samples many\nq", "--samples"),
        ("%pot --model scripted:/no/such/replies.json What is 2 + 2", "model error"),
        ("%pot What is 1 + 1?", "no reply left"),  # the scripted model has no reply left
    ]
    for code, message in cases:
        result = kernel.run(code)
        # IPython shows a UsageError as one line on stderr, without a traceback
        assert result.error is None
        assert result.stderr.startswith("UsageError: %%pot: ")
        assert message in result.stderr
        assert "Traceback" not in result.stderr


def test_generation_and_model_options() -> None:
    options, _ = parse_magic(
        "-m qwen2.5-coder-0.5b --temperature 0.3 --seed 7 --max-new-tokens 64 "
        "--quantization none --device cpu --threads 2 --context 8192 q"
    )
    assert options.model == "qwen2.5-coder-0.5b"
    assert (options.temperature, options.seed, options.max_new_tokens) == (0.3, 7, 64)
    assert (options.quantization, options.device, options.threads) == ("none", "cpu", 2)
    assert options.context == 8192
    with pytest.raises(UsageError, match="temperature"):
        parse_magic("--temperature -1 q")
    with pytest.raises(UsageError, match="quantization"):
        parse_magic("--quantization fp4 q")


def test_braces_and_dollars_reach_the_model_as_written(kernel: JupyterExecutor) -> None:
    setup(kernel, ANSWER_391, ANSWER_391)
    kernel.run("x = 5")
    result = kernel.run("%pot --quiet Is \\boxed{1000} more than {x} or $x, or not.", 60)
    assert result.ok, result.error
    sent = kernel.run("configure().model.calls[-1].conversations[0][-1].content")
    assert sent.result == repr("Is \\boxed{1000} more than {x} or $x, or not.")
    cell = kernel.run("%%pot --quiet --trace t{x}\nq", 60)
    assert "not a valid variable name" in cell.stderr  # the option line is not expanded either


def test_configure_echoes_no_object_address(kernel: JupyterExecutor) -> None:
    setup(kernel)
    shown = kernel.run("configure(mode='tir', samples=3)")
    assert shown.result is not None
    assert "0x" not in shown.result
    assert "model=ScriptedModel('scripted')" in shown.result
    assert "mode='tir'" in shown.result and "samples=3" in shown.result


def test_local_model_options_are_refused_for_a_scripted_model(kernel: JupyterExecutor) -> None:
    setup(kernel, ANSWER_391)
    result = kernel.run("%pot --model 'scripted:[\"x\"]' --device cuda What is 1 + 1?")
    assert result.stderr.startswith("UsageError: %%pot: --device: only for models loaded here")
    result = kernel.run("%pot --executor bogus What is 1 + 1?")
    assert "unknown executor 'bogus'" in result.stderr


@pytest.mark.slow
def test_the_status_line_counts_the_tokens_of_a_real_model(kernel: JupyterExecutor) -> None:
    """The real 0.5B GGUF in llama.cpp: while it writes, the view shows its tokens so far."""
    import importlib.util
    import re

    from pot.models.weights import ALIASES, chunk_files, gguf_path

    alias = ALIASES["qwen2.5-coder-0.5b"]
    if importlib.util.find_spec("llama_cpp") is None or (
        chunk_files(alias) is None and not gguf_path(alias).is_file()
    ):
        pytest.skip("needs llama-cpp-python and the 0.5B weights (pot-reasoning[llama,model-0.5b])")
    result = kernel.run(
        "%load_ext pot\nfrom pot.jupyter.magic import configure\n"
        "configure(model='qwen2.5-coder-0.5b', quantization='gguf', threads=1, here=False, "
        "mode='plain', max_new_tokens=96);"
    )
    assert result.ok, result.error
    result = kernel.run("%%pot\nWhat is 17 * 23?", timeout=300)
    assert result.ok, result.error
    pages = html_of(result.displays)
    growing = [re.search(r"is writing step 1\.\.\. (\d+) tokens", page) for page in pages]
    counts = [int(match.group(1)) for match in growing if match]
    assert counts and counts == sorted(counts)
    assert "is writing" not in pages[-1]  # the finished view has no status line
    assert kernel.run("len(_pot_trace.steps) >= 1").result == "True"


def test_the_notebook_executor_interrupts_only_a_running_step(kernel: JupyterExecutor) -> None:
    """ShellExecutor (``%%pot --here``) in a real kernel: interrupt() from another thread
    stops the running step with a KeyboardInterrupt result; with none running, nothing."""
    result = kernel.run(
        "from pot.jupyter.shell import ShellExecutor\nimport threading\n"
        "here = ShellExecutor(get_ipython(), timeout=30)\n"
        "here.interrupt()\n"
        "timer = threading.Timer(1.0, here.interrupt)\ntimer.start()\n"
        "stopped = here.run('import time\\ntime.sleep(20)')\ntimer.join()\n"
        "(stopped.error.name, stopped.kernel.value, here.run('6 * 7').result)",
        timeout=60,
    )
    assert result.ok, result.error
    assert result.result == "('KeyboardInterrupt', 'interrupted', '42')"
