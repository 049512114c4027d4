"""pot's continuous-batching engine vs transformers' own manager, on one loaded model.

``python bench/model.py --engines`` runs this (or ``python bench/engines.py``): it
loads the 0.5B once (NF4 by default, as pot loads it; ``--quantization none`` for
bf16) and measures, with the two engines taking turns on the same weights:

- throughput: completion tokens / wall seconds with C = 1 and C = 4 requests in
  flight, greedy, the same prompts (each round new questions after the shared
  system + few-shot prefix, so both engines reuse that prefix as in an evaluation);
- prefix reuse: the 3-round growing conversation of ``bench/model.py``, prompt
  tokens run through the model per round (what each engine did not reuse).

transformers' engine is ``model.init_continuous_batching()`` (paged attention,
prefix sharing by hashed full pages of ``--page-size`` tokens). It has no stop
strings: the adapter here streams each request and cancels it once a stop
string appears, as pot would have to. Its reused-token count is read by
wrapping the manager's ``batch_processor.cache.search_prefix_match`` (the one
place it is known; bench only). The machine may be shared: read the ratios.
"""

from __future__ import annotations

import argparse
import json
import queue
import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from model import MODEL, OUTPUTS, QUESTIONS, conversation


class TransformersEngine:
    """transformers' continuous-batching manager behind a blocking ``generate``.

    Args:
        model: A loaded :class:`~pot.models.transformers.TransformersModel`.
        page_size: Tokens per cache page (prefix sharing works in whole pages).
        cache_mib: Memory for the paged cache (transformers would take 60% of RAM).
    """

    def __init__(self, model: Any, page_size: int, cache_mib: int = 256) -> None:
        from transformers import GenerationConfig
        from transformers.generation.configuration_utils import ContinuousBatchingConfig

        config = model.model.config
        heads = config.num_key_value_heads
        head_dim = getattr(config, "head_dim", None)
        head_dim = head_dim or config.hidden_size // config.num_attention_heads
        bytes_per_block = 2 * 2 * heads * head_dim * page_size * config.num_hidden_layers
        self.tokenizer = model.tokenizer
        generation = GenerationConfig(
            do_sample=False,
            max_new_tokens=64,
            eos_token_id=model.end_token_ids,
            pad_token_id=model.pad_token_id,
        )
        batching = ContinuousBatchingConfig(
            page_size=page_size,
            num_blocks=cache_mib * 2**20 // bytes_per_block,
            max_batch_tokens=2048,
            max_requests_per_batch=32,
        )
        self.manager = model.model.init_continuous_batching(
            generation_config=generation, continuous_batching_config=batching
        )
        self.manager.start()
        self.reused_tokens = 0
        self.prompt_tokens = 0
        self._queues: dict[str, queue.Queue[Any]] = {}
        self._lock = threading.Lock()
        self._counter = 0
        self._wrapped = False
        threading.Thread(target=self._route, daemon=True).start()

    @property
    def encoded_tokens(self) -> int:
        return self.prompt_tokens - self.reused_tokens

    def _count_reuse(self) -> None:
        """Wrap the cache's prefix lookup once it exists (built by the worker thread)."""
        while self.manager.batch_processor is None:
            if not self.manager.is_running():
                raise RuntimeError("transformers' manager stopped before it started (see its log)")
            time.sleep(0.01)
        if self._wrapped:
            return
        cache = self.manager.batch_processor.cache
        search = cache.search_prefix_match

        def counted(request_id: str, prompt_ids: list[int]) -> int:
            found = search(request_id, prompt_ids)
            self.reused_tokens += found
            return found

        cache.search_prefix_match = counted
        self._wrapped = True

    def _route(self) -> None:
        while True:
            result = self.manager.get_result(timeout=0.1)
            if result is None:
                if not self.manager.is_running():
                    return
                continue
            with self._lock:
                target = self._queues.get(result.request_id)
            if target is not None:
                target.put(result)

    def generate(self, ids: list[int], max_new_tokens: int, stop: list[str]) -> tuple[int, str]:
        """Greedy tokens for one prompt; returns (completion tokens, text)."""
        self._count_reuse()
        with self._lock:
            request_id = f"bench_{self._counter}"
            self._counter += 1
            results: queue.Queue[Any] = queue.Queue()
            self._queues[request_id] = results
        self.prompt_tokens += len(ids)
        self.manager.add_request(
            ids, request_id=request_id, max_new_tokens=max_new_tokens, streaming=bool(stop)
        )
        tokens: list[int] = []
        while True:
            result = results.get(timeout=600)
            if result.error is not None:
                raise RuntimeError(result.error)
            tokens = list(result.generated_tokens)
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            cut = min((text.find(s) for s in stop if s in text), default=-1)
            if cut >= 0:
                self.manager.cancel_request(request_id)
                text = text[:cut]
                break
            if result.is_finished():
                break
        with self._lock:
            del self._queues[request_id]
        return len(tokens), text

    def close(self) -> None:
        self.manager.stop(block=True, timeout=30)


class PotEngine:
    """pot's own engine (``TransformersModel.generate``) with the same interface."""

    def __init__(self, model: Any) -> None:
        self.model = model

    @property
    def encoded_tokens(self) -> int:
        return self.model.stats.encoded_tokens

    def generate_messages(
        self, messages: list[Any], max_new_tokens: int, stop: list[str]
    ) -> tuple[int, str]:
        from pot.models import GenerationConfig

        config = GenerationConfig(max_new_tokens=max_new_tokens, stop=stop)
        ((generation,),) = self.model.generate([messages], config)
        return generation.completion_tokens, generation.text


def ask(
    engine: Any, model: Any, messages: list[Any], tokens: int, stop: list[str]
) -> tuple[int, str]:
    if isinstance(engine, PotEngine):
        return engine.generate_messages(messages, tokens, stop)
    return engine.generate(model.encode(messages), tokens, stop)


def throughput(
    engine: Any, model: Any, concurrency: int, round_: int, tokens: int
) -> tuple[float, float, list[str]]:
    """``concurrency`` new questions at once: completion tokens per wall second and per
    CPU second of this process (steadier on a shared machine), and the texts."""
    questions = [f"{QUESTIONS[k % 2]} Then add {100 * round_ + k}." for k in range(concurrency)]
    counts, texts = [0] * concurrency, [""] * concurrency

    def one(index: int) -> None:
        counts[index], texts[index] = ask(engine, model, conversation(questions[index]), tokens, [])

    threads = [threading.Thread(target=one, args=(i,)) for i in range(concurrency)]
    started, cpu = time.perf_counter(), time.process_time()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    return sum(counts) / wall, sum(counts) / cpu, texts


def growing(engine: Any, model: Any, tokens: int, question: str) -> dict[str, Any]:
    """Three rounds of one problem: prompt tokens encoded per round, and wall seconds."""
    from pot.models import Message

    messages = conversation(question)
    rounds, started = [], time.perf_counter()
    for output in OUTPUTS:
        before = engine.encoded_tokens
        _, text = ask(engine, model, messages, tokens, ["```output"])
        rounds.append(engine.encoded_tokens - before)
        previous = messages[-1].content if messages[-1].role == "assistant" else ""
        content = previous + text + f"```output\n{output}\n```\n"
        base = messages[:-1] if messages[-1].role == "assistant" else messages
        messages = [*base, Message(role="assistant", content=content)]
    return {"encoded_per_round": rounds, "seconds": time.perf_counter() - started}


def compare(quantization: str, repeats: int, tokens: int, page_size: int) -> dict[str, Any]:
    from pot.models import load_model

    model: Any = load_model(MODEL, quantization=quantization, device="cpu", threads=1)
    engines: dict[str, Any] = {"pot": PotEngine(model), "transformers": None}
    figures: dict[str, Any] = {"quantization": quantization, "page_size": page_size}
    try:
        engines["transformers"] = TransformersEngine(model, page_size)
        for engine in engines.values():  # first calls pay one-time costs; not measured
            throughput(engine, model, 1, -1, 4)
        rates: dict[str, list[float]] = {}
        same = total = 0
        for round_ in range(repeats):
            for concurrency in (1, 4):
                order = list(engines) if round_ % 2 == 0 else list(reversed(engines))
                texts = {}
                for name in order:
                    engine = engines[name]
                    wall, cpu, texts[name] = throughput(engine, model, concurrency, round_, tokens)
                    rates.setdefault(f"{name}_c{concurrency}", []).append(wall)
                    rates.setdefault(f"{name}_c{concurrency}_cpu", []).append(cpu)
                    print(
                        f"  {name} C={concurrency}: {wall:.2f} tokens/s, {cpu:.2f} per CPU s",
                        file=sys.stderr,
                    )
                pairs = zip(texts["pot"], texts["transformers"], strict=True)
                same += sum(ours == theirs for ours, theirs in pairs)
                total += concurrency
        figures["same_text"] = [same, total]
        figures.update({key: statistics.median(values) for key, values in rates.items()})
        for name, engine in engines.items():
            figures[f"{name}_growing"] = growing(engine, model, tokens, QUESTIONS[0] + " Show it.")
    finally:
        if engines["transformers"] is not None:
            engines["transformers"].close()
    return figures


def report(figures: dict[str, Any]) -> None:
    print(
        f"\npot's engine vs transformers' continuous batching ({MODEL}, "
        f"{figures['quantization']}, CPU, 1 thread, page size {figures['page_size']}); medians"
    )
    print(f"{'':24}{'pot':>10}{'transformers':>14}{'ratio':>8}")
    for concurrency in (1, 4):
        for suffix, unit in (("", "tokens/s"), ("_cpu", "tokens/CPU s")):
            key = f"c{concurrency}{suffix}"
            ours, theirs = figures[f"pot_{key}"], figures[f"transformers_{key}"]
            label = f"{unit} C = {concurrency}"
            print(f"{label:24}{ours:>10.2f}{theirs:>14.2f}{theirs / ours:>8.2f}")
    same, total = figures["same_text"]
    print(f"{'same greedy text':24}{f'{same} of {total} completions':>32}")
    ours, theirs = figures["pot_growing"], figures["transformers_growing"]
    print(f"{'3-round conversation':24}{'':>10}{'':>14}")
    ours_rounds, theirs_rounds = ours["encoded_per_round"], theirs["encoded_per_round"]
    print(f"{'  encoded per round':24}{ours_rounds!s:>10}{theirs_rounds!s:>14}")
    later = (sum(ours["encoded_per_round"][1:]), sum(theirs["encoded_per_round"][1:]))
    print(f"{'  rounds 2-3 encoded':24}{later[0]:>10}{later[1]:>14}")
    print(f"{'  wall s':24}{ours['seconds']:>10.1f}{theirs['seconds']:>14.1f}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quantization", default="nf4", choices=["nf4", "none"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=48)
    parser.add_argument("--page-size", type=int, default=32)
    args = parser.parse_args(argv)
    figures = compare(args.quantization, args.repeats, args.tokens, args.page_size)
    report(figures)
    print("\n" + json.dumps(figures))


if __name__ == "__main__":
    main()
