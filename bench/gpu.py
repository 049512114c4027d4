"""pot's transformers path on a CUDA GPU: NF4 vs int8 vs bf16, and pot's engine vs
transformers' own continuous batching.

Run on a machine with a GPU: ``python bench/gpu.py --tokenizer DIR``, where DIR holds
Qwen2.5's ``tokenizer.json`` (or ``tokenizer.json.gz``), ``tokenizer_config.json``
and ``chat_template.jinja`` (``pot models`` prepares them in ``~/.cache/pot/models``).

The weights are random, drawn at the real architectures of Qwen2.5-Coder-0.5B, 1.5B
and 7B, and saved as a model folder that pot loads with its own code
(``TransformersModel(folder, quantization=..., device="cuda")``): speed and memory do
not depend on the values of the weights, so these figures hold for the real models;
accuracy does, and none is measured here. (The machine this was written for has no
network and takes 64 MiB of files at a time, so Qwen's weights could not travel.)

For each architecture and quantization it prints: load time, weight memory on the GPU,
completion tokens per second with C = 1, 4 and 16 requests in flight (greedy, 128 new
tokens, medians), peak GPU memory; whether a stop string still cuts the text and a
seeded sample is the same alone and in a batch of four on CUDA; and, for the 0.5B in
NF4 and bf16, pot's engine against ``model.init_continuous_batching()`` (the table of
``bench/engines.py``, on the GPU). ``--budget`` seconds bound the run: what does not
fit is skipped and said so.
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from backends import completions
from engines import PotEngine, TransformersEngine, growing
from engines import throughput as engine_throughput
from model import QUESTIONS, conversation

# The published shapes of Qwen2.5-Coder-Instruct (config.json of each hub repository).
ARCHITECTURES = {
    "tiny": dict(hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                 num_attention_heads=4, num_key_value_heads=2, tie_word_embeddings=True),
    "0.5b": dict(hidden_size=896, intermediate_size=4864, num_hidden_layers=24,
                 num_attention_heads=14, num_key_value_heads=2, tie_word_embeddings=True),
    "1.5b": dict(hidden_size=1536, intermediate_size=8960, num_hidden_layers=28,
                 num_attention_heads=12, num_key_value_heads=2, tie_word_embeddings=True),
    "7b": dict(hidden_size=3584, intermediate_size=18944, num_hidden_layers=28,
               num_attention_heads=28, num_key_value_heads=4, tie_word_embeddings=False,
               vocab_size=152064),
}  # fmt: skip
TOKENIZER_FILES = ("tokenizer.json", "tokenizer_config.json", "chat_template.jinja")


def tokenizer_folder(source: Path, target: Path) -> None:
    """Copy the tokenizer files, unpacking a gzipped ``tokenizer.json``."""
    target.mkdir(parents=True, exist_ok=True)
    for name in TOKENIZER_FILES:
        if (source / name).exists():
            shutil.copy(source / name, target / name)
        elif name == "tokenizer.json" and (source / f"{name}.gz").exists():
            with gzip.open(source / f"{name}.gz") as packed, open(target / name, "wb") as out:
                shutil.copyfileobj(packed, out)
        else:
            raise SystemExit(f"{source} has no {name}")


def random_model(arch: str, tokenizer: Path, folder: Path, device: str) -> Path:
    """Save a randomly initialised Qwen2 of ``arch``'s shape, with the real tokenizer."""
    import torch
    from transformers import AutoTokenizer, Qwen2Config, Qwen2ForCausalLM

    tokenizer_folder(tokenizer, folder)
    words = AutoTokenizer.from_pretrained(folder)
    shape = {"vocab_size": 151936, **ARCHITECTURES[arch]}
    config = Qwen2Config(
        **shape,
        max_position_embeddings=32768,
        rope_theta=1000000.0,
        rms_norm_eps=1e-6,
        eos_token_id=words.convert_tokens_to_ids("<|im_end|>"),
        pad_token_id=words.pad_token_id,
    )
    torch.manual_seed(0)
    with torch.device(device):
        model = Qwen2ForCausalLM(config).to(torch.bfloat16)
    model.save_pretrained(folder)
    del model
    if device.startswith("cuda"):
        torch.cuda.empty_cache()
    return folder


def gpu_mib(kind: str) -> float:
    import torch

    if not torch.cuda.is_available():
        return float("nan")
    value = torch.cuda.max_memory_allocated() if kind == "peak" else torch.cuda.memory_allocated()
    return value / 2**20


def rates(model: Any, concurrency: int, tokens: int, repeats: int) -> dict[str, float]:
    """Completion tokens / wall second with ``concurrency`` calls in flight (median)."""
    measured, produced = [], []
    for round_ in range(repeats):
        rate, counts = completions(model, concurrency, tokens, offset=100 * round_)
        measured.append(rate)
        produced.append(sum(counts) / concurrency)
    return {"tokens_per_s": statistics.median(measured), "tokens_per_row": min(produced)}


def checks(model: Any) -> dict[str, Any]:
    """Stop strings and seeded per-row sampling, on this device."""
    from pot.models import GenerationConfig, StopReason

    found: dict[str, Any] = {}
    ((free,),) = model.generate([conversation(QUESTIONS[0])], GenerationConfig(max_new_tokens=48))
    starts = [
        k for k in range(len(free.text) // 2, len(free.text) - 3) if not free.text[k].isspace()
    ]
    if starts:
        stop = free.text[starts[0] : starts[0] + 3]
        config = GenerationConfig(max_new_tokens=48, stop=[stop])
        ((cut,),) = model.generate([conversation(QUESTIONS[0])], config)
        expected = free.text[: free.text.find(stop)]
        found["stop_string_cuts"] = cut.stop_reason is StopReason.STOP and cut.text == expected
    else:
        found["stop_string_cuts"] = f"not tried: the free text was {free.text!r}"
    sampled = GenerationConfig(max_new_tokens=48, temperature=1.0, seed=7)
    ((alone,),) = model.generate([conversation(QUESTIONS[1])], sampled)
    others = [conversation(f"{QUESTIONS[0]} Then add {k}.") for k in range(3)]
    together = model.generate([conversation(QUESTIONS[1]), *others], sampled)
    found["seeded_sample_same_in_batch"] = together[0][0].text == alone.text
    shared = 0
    while shared < min(len(alone.text), len(together[0][0].text)) and (
        alone.text[shared] == together[0][0].text[shared]
    ):
        shared += 1
    found["seeded_sample_shared_chars"] = [shared, len(alone.text)]
    return found


def measure(folder: Path, quantization: str, args: argparse.Namespace) -> dict[str, Any]:
    import torch

    from pot.models.transformers import TransformersModel

    if torch.cuda.is_available():
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()
    before = gpu_mib("now")
    started = time.perf_counter()
    model = TransformersModel(str(folder), quantization=quantization, device=args.device,
                              progress=False)  # fmt: skip
    figures: dict[str, Any] = {
        "load_s": time.perf_counter() - started,
        "weights_mib": gpu_mib("now") - before,
    }
    model.generate([conversation(QUESTIONS[0])], _warm())
    if args.profile:
        profile(model)
    for concurrency in args.concurrency:
        figures[f"c{concurrency}"] = rates(model, concurrency, args.tokens, args.repeats)
        print(f"    C={concurrency}: {figures[f'c{concurrency}']}", flush=True)
    figures.update(checks(model))
    figures["peak_mib"] = gpu_mib("peak") - before
    return {"figures": figures, "model": model}


def profile(model: Any) -> None:
    """Where C = 1 spends its time: a bare ``model.generate`` on the same weights for
    comparison, and the batch worker's stack sampled every 2 ms (torch's profiler does
    not see the worker thread)."""
    import collections
    import traceback

    import torch

    from pot.models import GenerationConfig

    ids = torch.tensor([model.encode(conversation(QUESTIONS[1]))], device=model.device)
    bare = []
    for _ in range(2):
        started = time.perf_counter()
        out = model.model.generate(ids, max_new_tokens=64, min_new_tokens=64, do_sample=False)
        bare.append((out.shape[1] - ids.shape[1]) / (time.perf_counter() - started))
    print(f"    bare model.generate C=1: {max(bare):.1f} tokens/s", flush=True)
    config = GenerationConfig(max_new_tokens=64, max_repeats=0)
    done = threading.Event()
    thread = threading.Thread(
        target=lambda: (model.generate([conversation(QUESTIONS[1])], config), done.set())
    )
    started = time.perf_counter()
    thread.start()
    seen: collections.Counter[str] = collections.Counter()
    while not done.is_set():
        for ident, frame in sys._current_frames().items():
            names = [t.name for t in threading.enumerate() if t.ident == ident]
            if not names or names[0] != "pot-batch":
                continue
            stack = traceback.extract_stack(frame)
            inner = stack[-1]
            ours = next((f for f in reversed(stack) if "/pot/" in f.filename), inner)
            seen[f"{Path(ours.filename).name}:{ours.lineno} > {Path(inner.filename).name}:"
                 f"{inner.lineno} {inner.name}"] += 1  # fmt: skip
        time.sleep(0.002)
    thread.join()
    print(
        f"    pot C=1: {64 / (time.perf_counter() - started):.1f} tokens/s; worker samples:",
        flush=True,
    )
    total = sum(seen.values()) or 1
    for where, count in seen.most_common(15):
        print(f"      {100 * count / total:5.1f}%  {where}", flush=True)


def _warm() -> Any:
    from pot.models import GenerationConfig

    return GenerationConfig(max_new_tokens=8)


def engines(model: Any, args: argparse.Namespace) -> dict[str, Any]:
    """pot's engine vs transformers' manager on the same loaded model (as bench/engines.py)."""
    figures: dict[str, Any] = {}
    theirs = TransformersEngine(model, page_size=32, cache_mib=2048)
    pair = {"pot": PotEngine(model), "transformers": theirs}
    try:
        for engine in pair.values():
            engine_throughput(engine, model, 1, -1, 4)
        for round_ in range(args.repeats):
            for concurrency in (1, 4, 16):
                order = list(pair) if round_ % 2 == 0 else list(reversed(pair))
                for name in order:
                    wall, _, _ = engine_throughput(
                        pair[name], model, concurrency, round_, args.tokens
                    )
                    figures.setdefault(f"{name}_c{concurrency}", []).append(wall)
        figures = {key: statistics.median(values) for key, values in figures.items()}
        for name, engine in pair.items():
            figures[f"{name}_growing"] = growing(engine, model, 48, QUESTIONS[0] + " Show it.")
    finally:
        theirs.close()
    return figures


def report(results: dict[str, Any]) -> None:
    print("\nGPU figures (random weights at the real shapes; medians)")
    head = f"{'model':6}{'quant':6}{'load s':>8}{'weights MiB':>13}{'peak MiB':>10}"
    cols = [f"tok/s C={c}" for c in results["concurrency"]]
    print(head + "".join(f"{c:>13}" for c in cols))
    for key, entry in results["runs"].items():
        arch, quantization = key.split("/")
        line = f"{arch:6}{quantization:6}{entry['load_s']:>8.1f}{entry['weights_mib']:>13.0f}"
        line += f"{entry['peak_mib']:>10.0f}"
        line += "".join(f"{entry[f'c{c}']['tokens_per_s']:>13.1f}" for c in results["concurrency"])
        print(line)
    for key, entry in results["engines"].items():
        print(f"\npot's engine vs transformers' continuous batching, {key} (tokens/s)")
        for concurrency in (1, 4, 16):
            ours, theirs = entry[f"pot_c{concurrency}"], entry[f"transformers_c{concurrency}"]
            print(f"  C = {concurrency:<3} pot {ours:8.1f}  transformers {theirs:8.1f}  "
                  f"ratio {theirs / ours:.2f}")  # fmt: skip
        rounds = (entry["pot_growing"]["encoded_per_round"],
                  entry["transformers_growing"]["encoded_per_round"])  # fmt: skip
        print(f"  prompt tokens encoded per round: pot {rounds[0]}, transformers {rounds[1]}")
    for key, error in results["failed"].items():
        print(f"\nfailed: {key}: {error}")
    if results["skipped"]:
        print(f"\nskipped for time: {', '.join(results['skipped'])}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tokenizer", type=Path, required=True)
    parser.add_argument("--archs", default="0.5b,1.5b,7b")
    parser.add_argument("--quantizations", default="nf4,int8,none")
    parser.add_argument(
        "--engines", default="0.5b/nf4,0.5b/none", help="runs to compare engines on"
    )
    parser.add_argument("--concurrency", default="1,4,16")
    parser.add_argument("--tokens", type=int, default=128)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cuda")
    parser.add_argument("--budget", type=float, default=420.0, help="seconds; later steps skip")
    parser.add_argument("--profile", action="store_true", help="print where C = 1 spends time")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    args.concurrency = [int(c) for c in args.concurrency.split(",")]
    import torch

    started = time.perf_counter()
    results: dict[str, Any] = {"concurrency": args.concurrency, "runs": {}, "engines": {},
                               "skipped": [], "failed": {}, "torch": torch.__version__}  # fmt: skip
    if torch.cuda.is_available():
        results["gpu"] = torch.cuda.get_device_name()
    work = Path(tempfile.mkdtemp(prefix="pot-gpu-"))
    wanted_engines = set(args.engines.split(","))
    for arch in args.archs.split(","):
        folder = None
        for quantization in args.quantizations.split(","):
            key = f"{arch}/{quantization}"
            if time.perf_counter() - started > args.budget:
                results["skipped"].append(key)
                continue
            if folder is None:
                folder = random_model(arch, args.tokenizer, work / arch, args.device)
            print(f"{key}", flush=True)
            try:
                run = measure(folder, quantization, args)
            except Exception as error:  # one failing backend must not lose the others
                results["failed"][key] = f"{type(error).__name__}: {error}"
                print(f"  failed: {results['failed'][key]}", flush=True)
                continue
            results["runs"][key] = run["figures"]
            print(f"  {json.dumps(run['figures'])}", flush=True)
            if key in wanted_engines and time.perf_counter() - started < args.budget:
                try:
                    results["engines"][key] = engines(run["model"], args)
                    print(f"  engines: {json.dumps(results['engines'][key])}", flush=True)
                except Exception as error:
                    results["failed"][f"{key} engines"] = f"{type(error).__name__}: {error}"
                    print(f"  engines failed: {error}", flush=True)
            run["model"].close()
            del run
        if folder is not None:
            shutil.rmtree(folder, ignore_errors=True)
    results["seconds"] = time.perf_counter() - started
    report(results)
    if args.out:
        args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
