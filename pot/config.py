"""Settings for the command line: flags, environment variables, config files, defaults.

Each setting is looked up in this order, the first that is set wins:

1. the command-line flag (``--model``, ``--mode``...);
2. its environment variable, for the settings that have one (``POT_MODEL``,
   ``POT_MODE``, ``POT_EXECUTOR``, ``POT_DATA``);
3. ``pot.toml`` in the working folder;
4. the user's file: ``$POT_CONFIG``, else ``$XDG_CONFIG_HOME/pot/config.toml``,
   else ``~/.config/pot/config.toml``;
5. pot's default.

A config file is flat TOML with the settings' names as keys::

    model = "qwen2.5-coder-0.5b"
    mode = "tir"
    executor = "sandbox"
    temperature = 0.2

``pot config`` prints every setting, its value and where it came from. An
unknown key or a bad value is a :class:`ConfigError` naming the file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from pot.modes import DEFAULT_MODE, Mode

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

PROJECT_FILE = "pot.toml"
"""The config file read from the working folder."""

ENVIRONMENT = {
    "model": "POT_MODEL",
    "mode": "POT_MODE",
    "executor": "POT_EXECUTOR",
    "data": "POT_DATA",
}
"""The settings that an environment variable can set, and their variables."""

_SETTING_WORDS = {
    "model": "the model",
    "mode": "how to reason",
    "executor": "where code runs",
    "data": "the benchmark data folder",
}

VARIABLES: dict[str, str] = {
    **{
        variable: f"{_SETTING_WORDS[setting]} (also the setting `{setting}`)"
        for setting, variable in ENVIRONMENT.items()
    },
    "POT_CONFIG": "the user's config file",
    "POT_CACHE": "where weights and downloaded data are kept (default ~/.cache/pot)",
    "POT_LOG": "debug: show dependencies' warnings and pot's debug log",
    "POT_BATCHING": "transformers models: continuous (default) or static batching",
    "POT_QUESTION_DATA": "off: do not give pot/auto programs the question's long data as `data`",
    "POT_OPENAI_BASE_URL": "the server of openai: models (else OPENAI_BASE_URL)",
    "POT_OPENAI_API_KEY": "its key (else OPENAI_API_KEY)",
    "POT_GATEWAY_URL": "the Jupyter gateway of the executor `gateway`",
    "POT_GATEWAY_TOKEN": "its token",
    "POT_GATEWAY_KERNEL": "the kernel spec asked of the gateway (default python3)",
    "POT_PERSONA_MODEL": "the model of the @PoT chat persona (else POT_MODEL)",
}
"""Every environment variable pot reads, in one place (``pot config`` shows them). The
layers below the core (``executors``, ``tasks``) read theirs where they are used, as they
import nothing from it; a test checks that no variable is read without being listed here."""

SECRET_VARIABLES = frozenset({"POT_OPENAI_API_KEY", "POT_GATEWAY_TOKEN"})
"""Variables ``pot config`` shows as set or unset, never by value."""

DEFAULT = "default"
"""The source of a setting nobody set."""


class ConfigError(ValueError):
    """A config file or environment variable that pot cannot use; the message names it."""


class Settings(BaseModel):
    """Every setting of the command line, with pot's defaults."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: str | None = Field(
        default=None, description="Model spec (default: pot's default model, see pot models)."
    )
    mode: Mode = Field(
        default=DEFAULT_MODE, description="How to reason: auto, pot, tir, coc, cot or plain."
    )
    executor: str | None = Field(
        default=None,
        description="Where code runs: local, sandbox, unconfined or gateway:URL (default local).",
    )
    data: Path | None = Field(default=None, description="Benchmark data folder (pot eval).")
    samples: int = Field(default=1, ge=1, description="Self-consistency samples.")
    max_steps: int | None = Field(default=None, ge=1, description="Generations per sample.")
    timeout: float = Field(default=10.0, gt=0, description="Seconds one code step may run.")
    temperature: float | None = Field(
        default=None, ge=0, description="Sampling temperature (default 0, or 0.7 with samples)."
    )
    seed: int | None = Field(default=None, description="Sampling seed.")
    max_new_tokens: int = Field(default=768, ge=1, description="Token budget of one generation.")
    quantization: Literal["nf4", "int8", "none", "gguf"] | None = Field(
        default=None,
        description="Local models: gguf (llama.cpp; the CPU default when installed), "
        "nf4 (the default otherwise), int8 or none (bf16).",
    )
    device: str | None = Field(
        default=None, description="Local models: cpu, cuda, cuda:1... (default: cuda if present)."
    )
    threads: int | None = Field(default=None, ge=1, description="Local models: CPU threads.")
    context: int | None = Field(
        default=None,
        ge=256,
        description="Local llama.cpp models: tokens a conversation may hold (default 4096).",
    )


NAMES = tuple(Settings.model_fields)
"""The settings, in the order ``pot config`` shows them."""


@dataclass(frozen=True)
class Configuration:
    """The settings in force and where each one came from.

    Attributes:
        settings: The values.
        sources: For each setting: ``--flag``, ``$VARIABLE``, a file's path, or ``default``.
        files: The config files that were read, project file first.
    """

    settings: Settings
    sources: dict[str, str]
    files: list[Path] = field(default_factory=list)


def user_config_file(environ: Mapping[str, str] | None = None) -> Path:
    """Where the user's config file is (it need not exist)."""
    environ = os.environ if environ is None else environ
    if environ.get("POT_CONFIG"):
        return Path(environ["POT_CONFIG"]).expanduser()
    base = environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base).expanduser() / "pot" / "config.toml"


def load_configuration(
    flags: Mapping[str, Any] | None = None,
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Configuration:
    """The settings from flags, environment, config files and defaults (see the module).

    Args:
        flags: Values given on the command line, by setting name; None means not given.
        cwd: The working folder (for ``pot.toml``); default the current one.
        environ: The environment; default ``os.environ``.

    Raises:
        ConfigError: A config file is not TOML, has an unknown key or a bad value, or
            an environment variable holds a bad value.
    """
    environ = os.environ if environ is None else environ
    layers: list[tuple[str, dict[str, Any]]] = []
    for name, value in (flags or {}).items():
        if value is not None:
            layers.append((f"--{name.replace('_', '-')}", {name: value}))
    for name, variable in ENVIRONMENT.items():
        if environ.get(variable, "").strip():
            layers.append((f"${variable}", {name: environ[variable].strip()}))
    files = [
        path
        for path in ((cwd or Path.cwd()) / PROJECT_FILE, user_config_file(environ))
        if path.is_file()
    ]
    for path in files:
        layers.append((str(path), _read_file(path)))
    values: dict[str, Any] = {}
    sources = dict.fromkeys(NAMES, DEFAULT)
    for source, layer in layers:
        for name, value in layer.items():
            if name not in values:
                values[name], sources[name] = value, source
    try:
        settings = Settings(**values)
    except ValidationError as error:
        problem = error.errors()[0]
        name = str(problem["loc"][0]) if problem["loc"] else "?"
        raise ConfigError(
            f"{name} from {sources.get(name, '?')}: {problem['msg']} (got {values.get(name)!r})"
        ) from None
    return Configuration(settings=settings, sources=sources, files=files)


def _read_file(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"cannot read config file {path}: {error}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config file {path} is not valid TOML: {error}") from None
    unknown = sorted(set(data) - set(NAMES))
    if unknown:
        raise ConfigError(
            f"config file {path}: unknown setting(s) {', '.join(unknown)}; "
            f"known: {', '.join(NAMES)}"
        )
    if "data" in data and isinstance(data["data"], str):
        data["data"] = str(Path(data["data"]).expanduser())
    return data
