"""Model figures on Qwen2.5-Coder-0.5B, CPU: NF4 vs bf16, wrapper overhead, KV-cache reuse,
continuous vs static batching.

Run: ``python bench/model.py`` (needs ``pot-reasoning[hf,model-0.5b]``). Each
quantization runs in its own process so that peak memory is its own. Times are
medians of ``--repeats`` runs; the machine may be shared, so read ratios.
``python bench/model.py --engines`` instead compares pot's continuous-batching
engine with transformers' own (``bench/engines.py``) on one loaded model;
``python bench/model.py --backends nf4,bf16,int8,gguf [--model ALIAS]`` compares the
CPU backends, llama.cpp included (``bench/backends.py``).
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import threading
import time
from typing import Any

import psutil

MODEL = "qwen2.5-coder-0.5b"
SYSTEM = (
    "You are a careful mathematician who solves problems by writing Python. Write one "
    "```python block per step; it runs in a Jupyter kernel and its output is shown to you in "
    "an ```output block. Use sympy for exact arithmetic (Rational, solve, simplify). When you "
    "know the answer, write it as \\boxed{answer}."
)
FEW_SHOT = [
    (
        "A shop sells pens at 3 for $4. How much do 27 pens cost?",
        "```python\nfrom sympy import Rational\nprint(27 * Rational(4, 3))\n```\n"
        "```output\n36\n```\nThe pens cost \\boxed{36} dollars.",
    ),
    (
        "Solve x**2 - 5*x + 6 = 0 and give the sum of the roots.",
        "```python\nfrom sympy import symbols, solve\nx = symbols('x')\n"
        "roots = solve(x**2 - 5*x + 6, x)\nprint(roots, sum(roots))\n```\n"
        "```output\n[2, 3] 5\n```\nThe sum of the roots is \\boxed{5}.",
    ),
    (
        "What is the remainder when 2**100 is divided by 7?",
        "```python\nprint(pow(2, 100, 7))\n```\n```output\n2\n```\nThe remainder is \\boxed{2}.",
    ),
]
QUESTIONS = [
    "Tom has 3 boxes of 12 apples and eats 5 apples. How many apples are left?",
    "What is the sum of all primes below 50?",
]
OUTPUTS = ["31", "328", "done"]


def conversation(question: str) -> list[Any]:
    from pot.models import Message

    messages = [Message(role="system", content=SYSTEM)]
    for asked, answered in FEW_SHOT:
        messages += [
            Message(role="user", content=asked),
            Message(role="assistant", content=answered),
        ]
    return [*messages, Message(role="user", content=question)]


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def throughput(model: Any, repeats: int, tokens: int) -> dict[str, float]:
    from pot.models import GenerationConfig

    config = GenerationConfig(max_new_tokens=tokens)
    rates = []
    for _ in range(repeats):
        ((generation,),) = model.generate([conversation(QUESTIONS[1])], config)
        rates.append(generation.completion_tokens / generation.seconds)
    return {"tokens_per_s": statistics.median(rates)}


def overhead(model: Any, repeats: int, tokens: int) -> dict[str, float]:
    """Seconds per decoding step of a batch of 2: TransformersModel vs bare model.generate.

    The bare call gets the same templated prompts, left padding, end tokens and as
    many steps as the wrapped call took (which stops at the loop's stop string).
    """
    import torch

    from pot.models import GenerationConfig

    conversations = [conversation(q) for q in QUESTIONS]
    config = GenerationConfig(max_new_tokens=tokens, stop=["```output"])
    tokenizer = model.tokenizer
    texts = [
        tokenizer.apply_chat_template(
            [m.model_dump() for m in c], tokenize=False, add_generation_prompt=True
        )
        for c in conversations
    ]
    prefix_cache, model.prefix_cache = model.prefix_cache, None
    ours, bare = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        result = model.generate(conversations, config)
        steps = max(samples[0].completion_tokens for samples in result)
        ours.append((time.perf_counter() - started) / steps)
        started = time.perf_counter()
        inputs = tokenizer(texts, return_tensors="pt", padding=True, add_special_tokens=False)
        with torch.inference_mode():
            output = model.model.generate(
                **inputs,
                max_new_tokens=steps,
                do_sample=False,
                temperature=None,
                top_p=None,
                top_k=None,
                eos_token_id=model.end_token_ids,
                pad_token_id=model.pad_token_id,
            )
        bare_steps = output.shape[1] - inputs["input_ids"].shape[1]
        bare.append((time.perf_counter() - started) / bare_steps)
    model.prefix_cache = prefix_cache
    return {
        "ours_s_per_step": statistics.median(ours),
        "bare_s_per_step": statistics.median(bare),
        "overhead_ratio": statistics.median(ours) / statistics.median(bare),
    }


def growing(model: Any, tokens: int, reuse: bool) -> dict[str, Any]:
    """Two problems, three rounds each; the second shares the first's system + few-shot prefix."""
    from pot.models import GenerationConfig, Message
    from pot.models.kvcache import PrefixCache

    saved = model.prefix_cache
    model.prefix_cache = PrefixCache(512 * 2**20) if reuse else None
    config = GenerationConfig(max_new_tokens=tokens, stop=["```output"])
    problems = []
    for question in QUESTIONS:
        messages = conversation(question)
        encoded_before = model.stats.encoded_tokens
        prompt_before = model.stats.prompt_tokens
        started = time.perf_counter()
        rounds = []
        for output in OUTPUTS:
            encoded = model.stats.encoded_tokens
            ((generation,),) = model.generate([messages], config)
            rounds.append(model.stats.encoded_tokens - encoded)
            previous = messages[-1].content if messages[-1].role == "assistant" else ""
            content = previous + generation.text + f"```output\n{output}\n```\n"
            base = messages[:-1] if messages[-1].role == "assistant" else messages
            messages = [*base, Message(role="assistant", content=content)]
        problems.append(
            {
                "prompt_tokens": model.stats.prompt_tokens - prompt_before,
                "encoded_tokens": model.stats.encoded_tokens - encoded_before,
                "encoded_per_round": rounds,
                "seconds": time.perf_counter() - started,
            }
        )
    model.prefix_cache = saved
    return {"cold_prefix": problems[0], "warm_prefix": problems[1]}


def staggered(model: Any, repeats: int, tokens: int) -> dict[str, float]:
    """Four threads each ask two questions in a row (what four problems in flight do),
    with static and continuous batching taking turns on the same model: median wall s."""
    from pot.models import GenerationConfig

    config = GenerationConfig(max_new_tokens=tokens, stop=["```output"])
    questions = [f"{question} Then add {k}." for k in range(4) for question in QUESTIONS]
    walls: dict[str, list[float]] = {"static": [], "continuous": []}
    saved = model.batching
    for _ in range(repeats):
        for batching in walls:
            model.batching = batching

            def ask(index: int) -> None:
                for question in questions[2 * index : 2 * index + 2]:
                    model.generate([conversation(question)], config)

            threads = [threading.Thread(target=ask, args=(i,)) for i in range(4)]
            started = time.perf_counter()
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            walls[batching].append(time.perf_counter() - started)
    model.batching = saved
    static, continuous = (statistics.median(walls[name]) for name in ("static", "continuous"))
    return {"static_s": static, "continuous_s": continuous, "speedup": static / continuous}


def worker(quantization: str, repeats: int, tokens: int, threads: int) -> None:
    """Print one JSON line per figure as it is measured (a slow machine still yields some)."""
    from pot.models import load_model

    def emit(key: str, value: Any) -> None:
        print(json.dumps({key: value}), flush=True)

    emit("threads", threads)
    started = time.perf_counter()
    model: Any = load_model(
        MODEL,
        quantization="none" if quantization == "bf16" else quantization,
        device="cpu",
        threads=threads,
    )
    emit("load_s", time.perf_counter() - started)
    emit("footprint_mib", model.model.get_memory_footprint() / 2**20)
    emit("rss_after_load_mib", peak_mib())
    emit("private_mib", psutil.Process().memory_full_info().uss / 2**20)
    emit("tokens_per_s", throughput(model, repeats, tokens)["tokens_per_s"])
    if quantization == "nf4":
        emit("overhead", overhead(model, repeats, tokens))
        emit("without_reuse", growing(model, tokens, reuse=False))
        emit("with_reuse", growing(model, tokens, reuse=True))
        emit("staggered", staggered(model, repeats, tokens))
    emit("peak_rss_mib", peak_mib())


def run_worker(quantization: str, repeats: int, tokens: int, threads: int) -> dict[str, Any]:
    command = [sys.executable, __file__, "--worker", quantization]
    command += ["--repeats", str(repeats), "--tokens", str(tokens), "--threads", str(threads)]
    figures: dict[str, Any] = {"quantization": quantization}
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith("{"):
                figures.update(json.loads(line))
                print(f"  {quantization}: {line.strip()}", file=sys.stderr, flush=True)
    if process.returncode:
        raise SystemExit(f"the {quantization} worker failed with exit code {process.returncode}")
    return figures


def report(nf4: dict[str, Any], bf16: dict[str, Any]) -> None:
    print(f"Qwen2.5-Coder-0.5B-Instruct on CPU ({MODEL}), {nf4['threads']} thread(s); medians\n")
    print(f"{'':28}{'NF4':>12}{'bf16':>12}")
    for key, label in (
        ("load_s", "load s (from cache)"),
        ("tokens_per_s", "tokens/s (batch 1)"),
        ("footprint_mib", "weights MiB"),
        ("rss_after_load_mib", "peak RSS during load MiB"),
        ("private_mib", "private memory once loaded MiB"),
        ("peak_rss_mib", "peak RSS MiB"),
    ):
        print(f"{label:28}{nf4[key]:>12.1f}{bf16[key]:>12.1f}")
    over = nf4["overhead"]
    print("\nTransformersModel vs bare model.generate (NF4, batch of 2, same prompts)")
    print(f"  s/step ours {over['ours_s_per_step']:.4f}  bare {over['bare_s_per_step']:.4f}")
    print(f"  overhead ratio {over['overhead_ratio']:.3f} (goal <= 1.05)")
    print("\n3-round growing conversation (NF4), prompt tokens encoded and wall time")
    for case in ("cold_prefix", "warm_prefix"):
        off, on = nf4["without_reuse"][case], nf4["with_reuse"][case]
        ratio = off["encoded_tokens"] / max(1, on["encoded_tokens"])
        print(
            f"  {case:12} prompt {off['prompt_tokens']:5d}  encoded without reuse "
            f"{off['encoded_tokens']:5d}, with {on['encoded_tokens']:5d} ({ratio:.1f}x fewer); "
            f"{off['seconds']:.1f} s vs {on['seconds']:.1f} s"
        )
        later_off, later_on = sum(off["encoded_per_round"][1:]), sum(on["encoded_per_round"][1:])
        print(
            f"  {'':12} rounds 2-3 only: {later_off} vs {later_on} tokens encoded "
            f"({later_off / max(1, later_on):.1f}x fewer); per round "
            f"{off['encoded_per_round']} vs {on['encoded_per_round']}"
        )

    both = nf4["staggered"]
    print("\n4 threads x 2 questions in a row (NF4), static vs continuous batching")
    print(
        f"  wall s static {both['static_s']:.1f}  continuous {both['continuous_s']:.1f}  "
        f"speedup {both['speedup']:.2f}x"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--worker", choices=["nf4", "bf16"])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--tokens", type=int, default=48)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads (1 is steadiest on a shared box)"
    )
    parser.add_argument(
        "--engines", action="store_true", help="pot's engine vs transformers' (bench/engines.py)"
    )
    parser.add_argument(
        "--backends", help="compare CPU backends, e.g. nf4,bf16,int8,gguf (bench/backends.py)"
    )
    parser.add_argument("--model", default=MODEL, help="alias for --backends")
    args = parser.parse_args()
    if args.backends:
        from backends import main as backends

        options = ["--backends", args.backends, "--model", args.model]
        options += ["--tokens", str(args.tokens), "--threads", str(args.threads)]
        backends([*options, "--rounds", str(args.repeats)])
        return
    if args.engines:
        from engines import main as engines

        engines(["--repeats", str(args.repeats), "--tokens", str(args.tokens)])
        return
    if args.worker:
        worker(args.worker, args.repeats, args.tokens, args.threads)
        return
    nf4 = run_worker("nf4", args.repeats, args.tokens, args.threads)
    bf16 = run_worker("bf16", args.repeats, args.tokens, args.threads)
    report(nf4, bf16)
    print("\n" + json.dumps({"nf4": nf4, "bf16": bf16}))


if __name__ == "__main__":
    main()
