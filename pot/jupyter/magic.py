"""``%%pot`` and ``%pot``: ask a question in a notebook cell, watch the steps run.

``%load_ext pot`` registers both. The cell (or the rest of the line) is the
question; options come first::

    %%pot --mode tir --samples 3
    A train leaves at 9:40 and arrives at 13:05. How many minutes is the trip?

Options: ``--mode`` (auto, pot, tir, coc, cot, plain; default auto), ``--model/-m SPEC``
(an alias, hub id, folder, ``openai:NAME@URL`` or ``scripted:REPLIES``), ``--samples/-k N``,
``--max-steps N``, ``--timeout S``, ``--temperature T``, ``--seed N``,
``--max-new-tokens N``, ``--quantization nf4|int8|none|gguf``, ``--device D``,
``--threads N``, ``--context N`` (the last four for a model loaded in this kernel),
``--executor SPEC``
(where pooled steps run: ``local``, ``sandbox``, ``unconfined`` or ``gateway:URL``),
``--here`` (run the steps in this notebook's namespace instead of a separate pooled
kernel), ``--trace NAME``
(variable that receives the :class:`~pot.trace.Trace`, default ``_pot_trace``),
``--notebook PATH`` (also save the trace as a notebook), ``--prompt FILE`` (your own
system message and examples, a TOML file as printed by ``pot prompt MODE``) and
``--quiet``.
Defaults for the session: :func:`configure`. Without ``--model`` the model is
``$POT_MODEL`` or pot's default, loaded once per session.

IPython reads a line that ends in a word and ``?`` (``%pot Who is Ada?``) as a
help request before the magic sees it: end such one-line questions differently
or use the cell magic. IPython's ``{variable}`` and ``$variable`` expansion is
off for both magics, so ``\boxed{1000}`` or ``$5`` reach the model as written.
"""

from __future__ import annotations

import argparse
import os
import re
from dataclasses import dataclass, fields, replace
from typing import TYPE_CHECKING, Any

from IPython.core.error import UsageError
from IPython.core.magic import Magics, line_cell_magic, magics_class, no_var_expand

from pot.modes import Mode, default_mode

if TYPE_CHECKING:
    from IPython.core.interactiveshell import InteractiveShell

    from pot.models.base import Model
    from pot.prompt_file import Prompt

MODEL_ENV = "POT_MODEL"
"""Environment variable naming the model when neither ``--model`` nor configure() does."""


@dataclass(frozen=True)
class MagicOptions:
    """Options of one ``%%pot`` call (defaults set with :func:`configure`)."""

    mode: Mode | None = None
    """None: ``$POT_MODE``, else pot's default (``auto``)."""
    model: Model | str | None = None
    samples: int = 1
    max_steps: int | None = None
    timeout: float = 10.0
    here: bool = False
    executor: str | None = None
    """Where pooled steps run: local, sandbox, unconfined or gateway:URL ($POT_EXECUTOR)."""
    trace: str = "_pot_trace"
    notebook: str | None = None
    quiet: bool = False
    prompt: Prompt | str | None = None
    """Your own prompt: a :class:`~pot.prompt_file.Prompt` or the path of a TOML file."""
    temperature: float | None = None
    """Sampling temperature (default 0, or 0.7 with several samples)."""
    seed: int | None = None
    max_new_tokens: int = 768
    quantization: str | None = None
    """A model loaded in this kernel: gguf (llama.cpp, the CPU default when installed),
    nf4 (the default otherwise), int8 or none."""
    device: str | None = None
    """A model loaded in this kernel: cpu, cuda, cuda:1..."""
    threads: int | None = None
    """A model loaded in this kernel: CPU threads it computes with (llama.cpp's or torch's)."""
    context: int | None = None
    """A llama.cpp model loaded in this kernel: tokens a conversation may hold (4096)."""

    def __repr__(self) -> str:
        """The options that differ from pot's defaults, objects by name (no addresses)."""
        shown = []
        for option in fields(self):
            value = getattr(self, option.name)
            if value == option.default:
                continue
            if isinstance(value, Mode):
                value = value.value
            if value is not None and not isinstance(value, (str, int, float, bool)):
                label = getattr(value, "name", "")
                value = _Named(
                    f"{type(value).__name__}({label!r})" if label else type(value).__name__
                )
            shown.append(f"{option.name}={value!r}")
        return f"MagicOptions({', '.join(shown)})"


class _Named(str):
    def __repr__(self) -> str:
        return str(self)


_defaults = MagicOptions()


def configure(**options: Any) -> MagicOptions:
    """Set session defaults for ``%%pot`` (any :class:`MagicOptions` field).

    Args:
        **options: For example ``model=ScriptedModel([...])`` or ``model="qwen2.5-coder-0.5b"``,
            ``mode="tir"``, ``here=True``.

    Returns:
        The defaults now in force.

    Raises:
        TypeError: An unknown option name.

    Example:
        >>> from pot.jupyter.magic import configure
        >>> configure(model="qwen2.5-coder-0.5b", mode="tir")
    """
    global _defaults
    known = {field.name for field in fields(MagicOptions)}
    unknown = sorted(set(options) - known)
    if unknown:
        raise TypeError(f"unknown %%pot option(s) {unknown}; known: {sorted(known)}")
    if "mode" in options:
        options["mode"] = Mode(options["mode"])
    _defaults = replace(_defaults, **options)
    return _defaults


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="%%pot", add_help=False)
    parser.add_argument("--mode", choices=[mode.value for mode in Mode])
    parser.add_argument("-m", "--model")
    parser.add_argument("-k", "--samples", type=_positive(int))
    parser.add_argument("--max-steps", type=_positive(int))
    parser.add_argument("--timeout", type=_positive(float))
    parser.add_argument("--here", action="store_true", default=None)
    parser.add_argument("--executor")
    parser.add_argument("--trace", type=_identifier)
    parser.add_argument("--notebook")
    parser.add_argument("-q", "--quiet", action="store_true", default=None)
    parser.add_argument("--prompt")
    parser.add_argument("--temperature", type=_at_least_zero)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--max-new-tokens", type=_positive(int))
    parser.add_argument("--quantization", choices=["nf4", "int8", "none", "gguf"])
    parser.add_argument("--device")
    parser.add_argument("--threads", type=_positive(int))
    parser.add_argument("--context", type=_positive(int))
    return parser


def _at_least_zero(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0, got {text}")
    return value


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> Any:  # argparse would print and exit
        raise UsageError(f"%%pot: {message}")


def _positive(kind: type) -> Any:
    def convert(text: str) -> Any:
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError(f"must be positive, got {text}")
        return value

    convert.__name__ = kind.__name__
    return convert


def _identifier(text: str) -> str:
    if not text.isidentifier():
        raise argparse.ArgumentTypeError(f"{text!r} is not a valid variable name")
    return text


def parse_magic(line: str, cell: str | None = None) -> tuple[MagicOptions, str]:
    """Split a magic call into options (over the session defaults) and the question.

    For ``%pot`` the question is the rest of the line after the options; for
    ``%%pot`` it is the cell.

    Raises:
        UsageError: An unknown or malformed option, or no question.
    """
    tokens, rest = _leading_options(line)
    if cell is not None and rest.strip():
        raise UsageError(f"%%pot: unexpected text on the magic line: {rest.strip()!r}")
    parsed = _parser().parse_args(tokens)
    chosen = {name: value for name, value in vars(parsed).items() if value is not None}
    if "mode" in chosen:
        chosen["mode"] = Mode(chosen["mode"])
    question = (cell if cell is not None else rest).strip()
    if not question:
        raise UsageError("%%pot: no question; write it in the cell (or after %pot on the line)")
    options = replace(_defaults, **chosen)
    if options.mode is None:
        options = replace(options, mode=default_mode())
    return options, question


def _leading_options(line: str) -> tuple[list[str], str]:
    """The option tokens at the start of ``line`` and the untouched text after them."""
    tokens: list[str] = []
    expect_value = False
    for match in _TOKEN.finditer(line):
        token = match.group()
        if not expect_value and (token == "--" or not token.startswith("-")):
            rest = line[match.end() :] if token == "--" else line[match.start() :]
            return tokens, rest
        if len(token) > 1 and token[0] == token[-1] and token[0] in "\"'":
            token = token[1:-1]
        tokens.append(token)
        expect_value = not expect_value and token in _VALUED
    return tokens, ""


_TOKEN = re.compile(r"\"[^\"]*\"|'[^']*'|\S+")
_VALUED = frozenset(
    {"-m", "--mode", "--model", "-k", "--samples", "--max-steps", "--timeout", "--trace"}
    | {"--notebook", "--executor", "--prompt", "--temperature", "--seed", "--max-new-tokens"}
    | {"--quantization", "--device", "--threads", "--context"}
)


@magics_class
class PotMagics(Magics):
    """The ``%pot`` line magic and ``%%pot`` cell magic."""

    @no_var_expand  # `\boxed{1000}` and `$5` are the user's text, not variables
    @line_cell_magic
    def pot(self, line: str, cell: str | None = None) -> str | None:
        """Solve a question with a coder model and Jupyter kernels; see ``pot.jupyter.magic``."""
        options, question = parse_magic(line, cell)
        assert self.shell is not None
        return run_magic(self.shell, options, question)


def run_magic(shell: InteractiveShell, options: MagicOptions, question: str) -> str | None:
    """Solve ``question`` for a magic call: live view, trace variable, answer returned.

    Raises:
        UsageError: The question, the model or the kernel could not be used (one
            line, no traceback).
    """
    from contextlib import closing

    from pot.cli_checks import SettingError, check_executor, check_model
    from pot.cli_model import loading_stage, model_name
    from pot.executors import ExecutorError
    from pot.jupyter.model_specs import resolve_model
    from pot.jupyter.shell import ShellExecutor
    from pot.jupyter.view import LiveView
    from pot.models.base import ModelError
    from pot.models.progress import Progress
    from pot.prompt_file import PromptFileError, load_prompt
    from pot.session import Session
    from pot.solver import QuestionError, check_question
    from pot.status import WritingStatus

    local = {"quantization": options.quantization, "device": options.device}
    local = {name: value for name, value in local.items() if value is not None}
    if options.threads is not None:
        local["threads"] = options.threads
    if options.context is not None:
        local["context"] = options.context
    spec = options.model if options.model is not None else os.environ.get(MODEL_ENV) or None
    try:
        question = check_question(question)
        prompt = load_prompt(options.prompt) if isinstance(options.prompt, str) else options.prompt
        if not options.here:
            check_executor(options.executor)
        if isinstance(spec, str):
            check_model(spec, **local)
    except (QuestionError, PromptFileError, SettingError) as error:
        raise UsageError(f"%%pot: {error}") from None
    except ModelError as error:
        raise UsageError(f"%%pot: model error: {error}") from None
    where = "this notebook" if options.here else "a pooled kernel"
    label = model_name(spec) if isinstance(spec, str) or spec is None else None
    view = LiveView(
        question, f"{options.mode.value} · {label or 'model'} · {where}", not options.quiet
    )
    view.start(f"{label}: {loading_stage(spec, local)[0]}..." if label else "loading the model...")
    try:
        model = resolve_model(spec, **local)
        name = getattr(model, "name", label)
        view.heading = f"{options.mode.value} · {name} · {where}"
        writing = WritingStatus(str(name))
        view.update(writing.text())
        session = Session(
            model,
            executor=ShellExecutor(shell, options.timeout) if options.here else options.executor,
            mode=options.mode,
            timeout=options.timeout,
            samples=options.samples,
            max_steps=options.max_steps,
            temperature=options.temperature,
            seed=options.seed,
            max_new_tokens=options.max_new_tokens,
            prompt=prompt,
        )
        view.samples = options.samples

        def show(progress: Progress) -> None:  # called in this cell's thread
            writing.seen(progress)
            view.update(writing.text())

        with closing(session.stream(question, show)) as steps:
            for event in steps:
                writing.next_step()
                view.add(event, writing.text())
    except (ModelError, ExecutorError) as error:
        view.update(f"failed: {error}")
        kind = "model" if isinstance(error, ModelError) else "kernel"
        raise UsageError(f"%%pot: {kind} error: {error}") from None
    view.update()
    trace = session.trace()
    shell.user_ns[options.trace] = trace
    if options.notebook:
        trace.to_notebook(options.notebook)
    return trace.answer.normalized


def load_ipython_extension(shell: InteractiveShell) -> None:
    """Register ``%pot`` and ``%%pot`` (called by ``%load_ext pot``)."""
    shell.register_magics(PotMagics)


def unload_ipython_extension(shell: InteractiveShell) -> None:
    """Nothing to undo: the magics stay registered until the kernel restarts."""
