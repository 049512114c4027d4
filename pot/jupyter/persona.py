"""``@PoT``: a jupyter-ai persona that answers in JupyterLab's chat with code steps.

Registered through the ``jupyter_ai.personas`` entry point (``pip install
"pot-reasoning[jupyter]"``); built on the persona-manager 0.2 API of jupyter-ai 3.x.
Each chat gets its own kernel, started on the first question and working in the
chat's folder; the chat's follow-up questions share its namespace, no other chat
ever does. Processes a question's code started end with the question. A kernel
that crashes or ignores an interrupt is discarded and a fresh interpreter (a spare
started in the background) takes its place. The steps of one
question stream into one message; the stop button cancels the question and
interrupts the running step.

Which model: ``c.PoTPersona.model`` in a Jupyter server config, else
``$POT_PERSONA_MODEL``, else ``$POT_MODEL``, else pot's default model. Any spec
of :func:`pot.jupyter.model_specs.resolve_model` works (``scripted:`` for tests).

Where the kernels run: ``c.PoTPersona.executor``, else ``$POT_EXECUTOR``, else
``local`` (the same setting as ``pot solve --executor``): ``local``, ``sandbox``,
``unconfined`` or ``gateway:URL`` (a Kernel Gateway or Enterprise Gateway, token
from ``$POT_GATEWAY_TOKEN``). A local kernel works in the chat's folder; a remote
kernel works in the folder its gateway gives it.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_ai_persona_manager import BasePersona, PersonaDefaults
from traitlets import Enum, Float, Int, Unicode

from pot.modes import default_mode

if TYPE_CHECKING:
    from jupyterlab_chat.models import Message

    from pot.executors import GatewayExecutor, JupyterExecutor
    from pot.prompt_file import Prompt

MODEL_ENV = ("POT_PERSONA_MODEL", "POT_MODEL")
"""Environment variables naming the model, in order, when ``PoTPersona.model`` is unset."""

AVATAR = Path(__file__).with_name("avatar.svg")
_MENTION = re.compile(r"@PoT\b", re.IGNORECASE)


class PoTPersona(BasePersona):
    """The ``PoT`` persona: a coder model writes Python steps, the chat's kernel runs them."""

    model = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Model spec (alias, hub id, openai:..., scripted:...)",
    )
    mode = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Reasoning mode: auto, pot, tir, coc, cot or plain (default $POT_MODE, else auto).",
    )
    timeout = Float(30.0, config=True, help="Seconds one step may run.")
    temperature = Float(
        None, allow_none=True, config=True, help="Sampling temperature (default 0: greedy)."
    )
    seed = Int(None, allow_none=True, config=True, help="Sampling seed.")
    max_new_tokens = Int(768, config=True, help="Token budget of one generation.")
    quantization = Enum(
        ["nf4", "int8", "none", "gguf"],
        None,
        allow_none=True,
        config=True,
        help="A model loaded in the server: gguf (llama.cpp, the CPU default when "
        "installed), nf4 (the default otherwise), int8 or none.",
    )
    device = Unicode(
        None, allow_none=True, config=True, help="A model loaded in the server: cpu, cuda..."
    )
    threads = Int(
        None, allow_none=True, config=True, help="A model loaded in the server: CPU threads."
    )
    context = Int(
        None,
        allow_none=True,
        config=True,
        help="A llama.cpp model loaded in the server: tokens a conversation may hold (4096).",
    )
    executor = Unicode(
        None,
        allow_none=True,
        config=True,
        help="Where the chats' kernels run: local, sandbox, unconfined or gateway:URL "
        "(default $POT_EXECUTOR, else local).",
    )
    prompt = Unicode(
        None,
        allow_none=True,
        config=True,
        help="A prompt file (TOML: system message and examples; `pot prompt MODE` writes "
        "one to start from) in place of the mode's built-in prompt.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # jupyter-ai makes personas without a path to the server's config (their
        # manager has no parent): read c.PoTPersona.* from the running server itself
        server = _server_config()
        if server is not None and "PoTPersona" in server:
            self.update_config(server)
        self._executor: JupyterExecutor | GatewayExecutor | None = None
        self._task: asyncio.Task[None] | None = None

    @property
    def defaults(self) -> PersonaDefaults:
        """Name, description and avatar shown in the chat's persona menu."""
        return PersonaDefaults(
            name="PoT",
            description="Program of thought: answers with Python steps run in a Jupyter kernel.",
            avatar_path=str(AVATAR),
            system_prompt="Answer by writing Python steps that a Jupyter kernel runs.",
        )

    async def process_message(self, message: Message) -> None:
        """Answer ``message``: stream each step and the answer into one chat message."""
        question = _MENTION.sub("", message.body or "").strip()
        if not question:
            self.send_message("Ask me a question, for example: *What is 17 × 23?*")
            return
        task = asyncio.ensure_future(self.stream_message(self._reply(question)))
        self._task = task
        try:
            await asyncio.wait({task})
        finally:
            self._task = None
            if not task.done():  # this handler itself was cancelled (server shutdown)
                task.cancel()
            await self._end_strays()
        if task.cancelled():
            self.send_message("Stopped. Ask again when you are ready.")
            return
        task.result()

    async def cancel_response(self) -> None:
        """The stop button: cancel the question and stop the running step.

        The running step is interrupted as Ctrl-C would; the kernel keeps its
        variables for the next question.
        """
        task = self._task
        if task is not None and not task.done():
            task.cancel()
        executor = self._executor
        if executor is None:
            return
        await executor.ainterrupt()

    async def _end_strays(self) -> None:
        """The question is over: processes its code started end with it (the kernel
        and its namespace stay for the chat's follow-up questions)."""
        end = getattr(self._executor, "aend_strays", None)
        if end is not None:
            try:
                await end()
            except Exception:  # a kernel gone meanwhile has no processes left
                self.log.debug("PoT could not end the question's processes", exc_info=True)

    async def shutdown(self) -> None:
        """Stop the chat's kernel along with the persona."""
        await super().shutdown()
        executor, self._executor = self._executor, None
        if executor is not None:
            await executor.ashutdown()

    async def _reply(self, question: str) -> AsyncIterator[str]:
        """The reply as markdown chunks; failures become text, never exceptions."""
        from pot.executors import ExecutorError
        from pot.jupyter.chat import step_markdown
        from pot.jupyter.model_specs import resolve_model
        from pot.models.base import ModelError
        from pot.prompt_file import PromptFileError
        from pot.session import Session
        from pot.solver import QuestionError
        from pot.status import WritingStatus, loop_watcher

        try:
            model = await asyncio.to_thread(
                resolve_model, self.model, *MODEL_ENV, **self._loader_options()
            )
            executor = await self._kernel()
            session = Session(
                model,
                executor=executor,
                mode=self.mode or default_mode(),
                prompt=self._prompt(),
                timeout=self.timeout,
                temperature=self.temperature,
                seed=self.seed,
                max_new_tokens=self.max_new_tokens,
            )
            # the chat's typing indicator: "PoT is writing step 2... 57 tokens: ..."
            writing = WritingStatus(str(getattr(model, "name", "PoT")))
            watcher = loop_watcher(asyncio.get_running_loop(), writing, self.set_status)
            async for event in session.astream(question, watcher):
                writing.next_step()
                self.set_status(writing.doing())
                yield step_markdown(event)
        except QuestionError as error:
            yield f"**I cannot answer that:** {error}\n"
        except PromptFileError as error:
            yield f"**Prompt file error:** {error}\n"
        except ModelError as error:
            yield f"**Model error:** {error}\n"
        except ExecutorError as error:
            yield f"**Kernel error:** {error}\n"
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug must not break the chat server
            self.log.exception("PoT failed while answering")
            yield f"**PoT failed:** {type(error).__name__}: {error}\n"

    def _prompt(self) -> Prompt | None:
        """The configured prompt file, read at each question (so an edit applies at once).

        Raises:
            pot.prompt_file.PromptFileError: The file cannot be used (the chat says why).
        """
        from pot.prompt_file import load_prompt

        return load_prompt(self.prompt) if self.prompt else None

    def _loader_options(self) -> dict[str, Any]:
        """Options for a model this server loads itself (not openai: or scripted:)."""
        options = {
            "quantization": self.quantization,
            "device": self.device,
            "threads": self.threads,
            "context": self.context,
        }
        return {name: value for name, value in options.items() if value is not None}

    async def _kernel(self) -> JupyterExecutor | GatewayExecutor:
        """The chat's kernel, started on first use (a local one in the chat's folder)."""
        if self._executor is None:
            from pot.api import PRELOAD
            from pot.executors import GatewayExecutor, JupyterExecutor, Sandbox
            from pot.executors.spec import parse_executor

            kind, where = parse_executor(self.executor)
            executor: JupyterExecutor | GatewayExecutor
            if kind == "gateway":
                executor = GatewayExecutor(where, timeout=self.timeout, preload=PRELOAD)
            else:
                folder = self.get_chat_dir()
                # the chat's folder is the one writable host folder inside the sandbox;
                # the kernel keeps the user's identity (never nobody) so that it may
                # write there, root included (then without root's capabilities)
                enter = f"import os\ntry:\n    os.chdir({folder!r})\nexcept OSError:\n    pass\n"
                executor = JupyterExecutor(
                    timeout=self.timeout,
                    preload=f"{PRELOAD}\n{enter}",
                    sandbox=Sandbox(mode=where, writable=(folder,), drop_root=False),
                )
            await executor.astart()
            self._executor = executor
        return self._executor


def _server_config() -> Any:
    """The running Jupyter server's config (None outside a server)."""
    try:
        from jupyter_server.serverapp import ServerApp
    except ImportError:
        return None
    return ServerApp.instance().config if ServerApp.initialized() else None
