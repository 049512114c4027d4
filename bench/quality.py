"""How much each CPU quantization changes the model: teacher-forced KL divergence to bf16.

Accuracy on a few hundred problems cannot tell 1 point apart (the paired interval of
two runs on 300 problems is about +-4 points), so this measures the quantization
itself, as llama.cpp's ``perplexity --kl-divergence`` does: the same token ids go
through bf16 of the GGUF (the reference) and through each quantization, and at every
position of the model's reply it compares the next-token distributions:

- KL: mean, median and 99th percentile of KL(bf16 || quantization), in nats;
- top-1: how often the quantization's most likely token is bf16's (greedy decoding
  follows the same path while they agree);
- ppl: perplexity of the reply's actual tokens under each model (bf16 included);
- forward s: seconds of all its forward passes (logits at every position; not a
  speed benchmark, see ``bench/backends.py``).

The texts are real replies: each record of pot results files (``--texts``; the first
program or text of sample 0 of each problem) is put back after its question with
pot's ``plain`` system prompt, and only the reply's tokens are scored. Each backend
loads once; every text goes through all of them in turn, so nothing large is kept.

    python bench/quality.py --model qwen2.5-coder-0.5b --texts runs/a.jsonl runs/b.jsonl --limit 150

Backends: ``nf4``, ``int8``, ``gguf`` (llama.cpp on the GGUF file itself, its own
quantization; the token ids are the Hugging Face tokenizer's, which the GGUF shares).
bf16 here is bf16 of the GGUF: Qwen's original bf16 weights are on the hub.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


@dataclass
class Scores:
    """Per-position figures of one backend against the reference."""

    kl: list[float] = field(default_factory=list)
    same_top: int = 0
    nll: float = 0.0
    tokens: int = 0
    seconds: float = 0.0

    def add(self, reference: Any, mine: Any, ids: list[int], start: int) -> None:
        """Count one text: ``reference`` and ``mine`` are log-probabilities, a row a
        reply position."""
        import torch

        vocab = min(reference.shape[-1], mine.shape[-1])
        ref, got = reference[:, :vocab], mine[:, :vocab]
        self.kl += (ref.exp() * (ref - got)).sum(-1).clamp_min(0).tolist()
        self.same_top += int((ref.argmax(-1) == got.argmax(-1)).sum())
        actual = torch.tensor(ids[start:])
        self.nll -= float(got.gather(1, actual[:, None]).sum())
        self.tokens += len(actual)

    def line(self) -> list[str]:
        ordered = sorted(self.kl)
        p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else 0.0
        return [
            f"{statistics.fmean(self.kl):.3g}" if self.kl else "-",
            f"{statistics.median(self.kl):.3g}" if self.kl else "-",
            f"{p99:.3g}" if self.kl else "-",
            f"{100 * self.same_top / self.tokens:.2f}" if self.kl else "-",
            f"{math.exp(self.nll / max(self.tokens, 1)):.4f}",
            f"{self.seconds:.0f}",
        ]


def replies(paths: list[str], limit: int) -> Iterator[tuple[str, str]]:
    """(question, reply) of sample 0 of ``limit`` problems of each pot results file,
    spread evenly over the file (a file in task order gives every task its share)."""
    for path in paths:
        found = []
        for line in Path(path).read_text().splitlines():
            trace = json.loads(line).get("trace") or {}
            steps = [s for s in trace.get("steps", []) if s.get("sample") == 0]
            written = [s["text"] for s in steps if s.get("kind") in ("code", "text")]
            if written and written[0].strip():
                found.append((trace["question"], written[0]))
        step = max(len(found) / limit, 1.0)
        yield from (found[int(i * step)] for i in range(min(limit, len(found))))


def token_ids(tokenizer: Any, question: str, reply: str) -> tuple[list[int], int]:
    """The conversation's token ids and where the reply starts."""
    from pot.modes import Mode
    from pot.prompts import SYSTEMS

    opening = [
        {"role": "system", "content": SYSTEMS[Mode.PLAIN]},
        {"role": "user", "content": question},
    ]
    prompt = tokenizer.apply_chat_template(opening, add_generation_prompt=True, tokenize=False)
    prompt_ids = tokenizer(prompt, add_special_tokens=False)["input_ids"]
    reply_ids = tokenizer(reply, add_special_tokens=False)["input_ids"]
    return prompt_ids + reply_ids, len(prompt_ids)  # the reply as generated: after the prompt


class Transformers:
    def __init__(self, alias: str, quantization: str, threads: int) -> None:
        from pot.models.transformers import TransformersModel

        self.model = TransformersModel(
            alias, quantization=quantization, threads=threads, prefix_cache=False
        )
        self.tokenizer = self.model.tokenizer

    def log_probs(self, ids: list[int], start: int) -> Any:
        """Log-probabilities of the next token at positions start-1 .. len-2."""
        import torch

        keep = len(ids) - start + 1
        with torch.inference_mode():
            out = self.model.model(
                input_ids=torch.tensor([ids]), logits_to_keep=keep, use_cache=False
            )
        return torch.log_softmax(out.logits[0, :-1].float(), dim=-1)


class Llama:
    def __init__(self, alias: str, threads: int) -> None:
        import llama_cpp

        from pot.models.llamacpp import gguf_file

        self.llm = llama_cpp.Llama(
            model_path=str(gguf_file(alias)),
            n_ctx=4096,
            n_threads=threads,
            n_threads_batch=threads,
            logits_all=True,
            verbose=False,
        )

    def log_probs(self, ids: list[int], start: int) -> Any:
        import numpy as np
        import torch

        self.llm.reset()
        self.llm.eval(ids)
        logits = np.array(self.llm.scores[start - 1 : len(ids) - 1], dtype=np.float32)
        return torch.log_softmax(torch.from_numpy(logits), dim=-1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--texts", nargs="+", required=True, help="pot results files")
    parser.add_argument("--limit", type=int, default=150, help="texts a file")
    parser.add_argument("--backends", default="nf4,int8,gguf")
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    names = args.backends.split(",")
    reference = Transformers(args.model, "none", args.threads)
    backends = {
        name: Llama(args.model, args.threads)
        if name == "gguf"
        else Transformers(args.model, name, args.threads)
        for name in names
    }
    scores = {"bf16": Scores(), **{name: Scores() for name in names}}
    texts = list(replies(args.texts, args.limit))
    for number, (question, reply) in enumerate(texts, 1):
        ids, start = token_ids(reference.tokenizer, question, reply)
        ref = None
        for name, backend in {"bf16": reference, **backends}.items():
            began = time.perf_counter()
            mine = backend.log_probs(ids, start)
            scores[name].seconds += time.perf_counter() - began
            ref = mine if ref is None else ref
            scores[name].add(ref, mine, ids, start)
        if number % 25 == 0 and number < len(texts):  # a run stopped early still says
            table(f"{args.model}: {number} of {len(texts)} replies", scores)
    table(f"{args.model}: {len(texts)} replies", scores)


def table(title: str, scores: dict[str, Scores]) -> None:
    print(f"\n{title}, {scores['bf16'].tokens} tokens scored")
    print("| backend | KL mean | KL median | KL p99 | top-1 = bf16 % | ppl | forward s |")
    print("|---|---|---|---|---|---|---|")
    for name, score in scores.items():
        print(f"| {name} | " + " | ".join(score.line()) + " |", flush=True)


if __name__ == "__main__":
    main()
