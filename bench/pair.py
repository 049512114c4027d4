"""``auto``'s first two programs: one batch of two rows against two calls one after another.

``auto`` opens every solve with two greedy programs from two prompts (pot's and the
minimal second-opinion prompt). It asks for them in one generation call
(``Generate(..., more=...)``); before, it asked for one, ran it, and then asked for the
other. This script times both ways on the same questions, in one process, on one
loaded model, alternating which goes first, and prints each question's seconds, the
medians, the median of the questions' ratios and the ratio of the totals, plus how
many replies differ between the two ways (batched greedy decoding on a CPU is not
bit-for-bit the same as decoding one row).

Run: ``python bench/pair.py --model qwen2.5-coder-0.5b --quantization gguf --limit 6``
(needs the model's extra and ``POT_DATA``; the machine may be shared: read the ratio).
"""

from __future__ import annotations

import argparse
import statistics
import time
from typing import Any

from pot.models import GenerationConfig, load_model
from pot.prompt_file import Prompt, default_prompt
from pot.prompts import OUTPUT_FENCE, SECOND_OPINION_SYSTEM
from pot.tasks import load_problems


def timed(
    model: Any, conversations: list[Any], config: GenerationConfig
) -> tuple[float, list[str]]:
    """Seconds for one call with ``conversations`` and the replies' texts."""
    started = time.perf_counter()
    batch = model.generate(conversations, config)
    return time.perf_counter() - started, [samples[0].text for samples in batch]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="qwen2.5-coder-0.5b")
    parser.add_argument("--quantization", default="gguf")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--task", default="gsm8k")
    parser.add_argument("--limit", type=int, default=6)
    parser.add_argument("--max-new-tokens", type=int, default=384)
    args = parser.parse_args()

    options: dict[str, Any] = {"quantization": args.quantization}
    if args.quantization == "gguf":
        options["threads"] = args.threads
    model = load_model(args.model, **options)
    pot, second = default_prompt("pot"), Prompt(system=SECOND_OPINION_SYSTEM, name="second")
    config = GenerationConfig(
        stop=[OUTPUT_FENCE], max_new_tokens=args.max_new_tokens, temperature=0.0, n=1
    )
    questions = [p.question for p in load_problems(args.task, limit=args.limit)]
    timed(model, [second.conversation(questions[0])], config)  # warm up
    one_by_one: list[float] = []
    batched: list[float] = []
    differ = 0
    print(f"{'#':>3} {'one by one s':>13} {'one batch s':>12} {'ratio':>6}")
    for index, question in enumerate(questions):
        pair = [pot.conversation(question), second.conversation(question)]
        ways = ["apart", "batch"] if index % 2 == 0 else ["batch", "apart"]
        texts: dict[str, list[str]] = {}
        for way in ways:
            if way == "batch":
                seconds, texts[way] = timed(model, pair, config)
                batched.append(seconds)
            else:
                first, one = timed(model, pair[:1], config)
                other, two = timed(model, pair[1:], config)
                one_by_one.append(first + other)
                texts[way] = one + two
        differ += sum(a != b for a, b in zip(texts["apart"], texts["batch"], strict=True))
        print(
            f"{index:>3} {one_by_one[-1]:>13.1f} {batched[-1]:>12.1f} "
            f"{batched[-1] / one_by_one[-1]:>6.2f}"
        )
    apart, together = statistics.median(one_by_one), statistics.median(batched)
    ratios = [b / a for a, b in zip(one_by_one, batched, strict=True)]
    print(
        f"median: one by one {apart:.1f} s, one batch {together:.1f} s; median of the "
        f"questions' ratios {statistics.median(ratios):.2f}, total "
        f"{sum(batched) / sum(one_by_one):.2f} ({args.model}@{args.quantization}, "
        f"{args.threads} threads, {len(questions)} questions); "
        f"replies that differ between the two ways: {differ} of {2 * len(questions)}"
    )


if __name__ == "__main__":
    main()
