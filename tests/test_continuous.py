"""Continuous batching on the tiny Qwen2: rows joining a running batch get the
same tokens as alone, seeded samples do not depend on their neighbours, and
failures reach every caller."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pot.models import GenerationConfig, Message, ModelError, StopReason
from pot.models.continuous import ContinuousBatcher
from pot.models.kvcache import cache_of, layers_of
from pot.models.transformers import TransformersModel
from tests.waiting import wait_until

SYSTEM = Message(role="system", content="You write Python to solve problems.")


def ask(number: int) -> list[Message]:
    return [SYSTEM, Message(role="user", content=f"What is {number} squared, plus {number}?")]


def text_of(result: list[list]) -> str:
    ((generation,),) = result
    return generation.text


def calls_in(batcher: ContinuousBatcher) -> int:
    """Calls the batcher holds: waiting to be admitted, or decoding."""
    with batcher._lock:
        pending = len(batcher._pending)
    return pending + len({id(row.request) for row in list(batcher._rows)})


def run_staggered(model: TransformersModel, calls: list[tuple[list[Message], GenerationConfig]]):
    """Start one thread per call, each once the calls before it are decoding (or done),
    so later calls join a running batch."""
    batcher = model._batcher
    results: dict[int, object] = {}

    def call(index: int) -> None:
        conversation, config = calls[index]
        results[index] = model.generate([conversation], config)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(len(calls))]
    for index, thread in enumerate(threads):
        thread.start()
        wait_until(
            lambda started=index + 1: (
                not batcher._pending and calls_in(batcher) + len(results) == started
            ),
            f"call {index} to be admitted",
        )
    for thread in threads:
        thread.join()
    return [results[i] for i in range(len(calls))]


@pytest.fixture(scope="module")
def model(tiny_qwen: Path) -> TransformersModel:
    return TransformersModel(str(tiny_qwen), device="cpu")


@pytest.fixture(scope="module")
def reference(tiny_qwen: Path) -> TransformersModel:
    """transformers' own ``generate``, one call at a time, nothing cached."""
    return TransformersModel(str(tiny_qwen), device="cpu", prefix_cache=False, batching="static")


def test_rows_joining_a_running_batch_match_one_by_one(
    model: TransformersModel, reference: TransformersModel
) -> None:
    long = GenerationConfig(max_new_tokens=60)
    short = GenerationConfig(max_new_tokens=7)
    calls = [(ask(1), long), (ask(2), short), (ask(3), long), (ask(4), short)]
    steps = model._batcher.steps_run
    staggered = [text_of(result) for result in run_staggered(model, calls)]
    alone = [text_of(reference.generate([c], config)) for c, config in calls]
    assert staggered == alone
    assert model._batcher.most_rows >= 2, "no call ever joined a running batch"
    # sharing steps: fewer than the four calls' tokens one after another
    assert model._batcher.steps_run - steps < 60 + 7 + 60 + 7


def test_prefix_reuse_inside_a_running_batch(
    model: TransformersModel, reference: TransformersModel
) -> None:
    config = GenerationConfig(max_new_tokens=10)
    ((first,),) = model.generate([ask(5)], config)
    grown = [*ask(5), Message(role="assistant", content=first.text + "\n```output\n30\n```\n")]
    before = model.stats.reused_tokens
    results = run_staggered(model, [(ask(6), GenerationConfig(max_new_tokens=40)), (grown, config)])
    assert model.stats.reused_tokens - before >= len(model.encode(ask(5))) - 1
    assert text_of(results[1]) == text_of(reference.generate([grown], config))


def test_seeded_samples_do_not_depend_on_the_batch(model: TransformersModel) -> None:
    sampled = GenerationConfig(max_new_tokens=12, temperature=1.0, n=2, seed=11)
    (alone,) = model.generate([ask(7)], sampled)
    busy = GenerationConfig(max_new_tokens=40)
    results = run_staggered(model, [(ask(8), busy), (ask(7), sampled), (ask(9), busy)])
    (together,) = results[1]
    assert [g.text for g in together] == [g.text for g in alone]
    assert len(alone) == 2


def test_stop_strings_and_lengths(model: TransformersModel) -> None:
    ((free,),) = model.generate([ask(3)], GenerationConfig(max_new_tokens=12))
    stop = free.text[len(free.text) // 2 :][:3]
    config = GenerationConfig(max_new_tokens=12, stop=[stop])
    ((cut,),) = model.generate([ask(3)], config)
    assert cut.stop_reason is StopReason.STOP and cut.stop_string == stop
    assert cut.text == free.text[: free.text.find(stop)]
    ((one,),) = model.generate([ask(3)], GenerationConfig(max_new_tokens=1))
    assert one.completion_tokens == 1


def test_a_failing_step_reaches_every_caller_and_the_next_call_works(
    tiny_qwen: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    model = TransformersModel(str(tiny_qwen), device="cpu", prefix_cache=False)
    batcher = model._batcher
    real = batcher._step
    joined = threading.Event()

    def broken() -> None:
        # the first failing step waits until all three calls are in the batcher
        if not joined.is_set():
            wait_until(lambda: calls_in(batcher) == 3, "the three calls to reach the batcher")
            joined.set()
        raise RuntimeError("boom")

    monkeypatch.setattr(batcher, "_step", broken)
    errors: list[BaseException] = []

    def call(number: int) -> None:
        try:
            model.generate([ask(number)], GenerationConfig(max_new_tokens=5))
        except (RuntimeError, TimeoutError) as error:
            errors.append(error)

    threads = [threading.Thread(target=call, args=(i,)) for i in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert [str(error) for error in errors] == ["boom"] * 3
    monkeypatch.setattr(batcher, "_step", real)
    ((generation,),) = model.generate([ask(1)], GenerationConfig(max_new_tokens=3))
    assert generation.completion_tokens >= 1


def test_batching_is_checked(tiny_qwen: Path) -> None:
    with pytest.raises(ValueError, match="continuous or static"):
        TransformersModel(str(tiny_qwen), device="cpu", batching="dynamic")  # type: ignore[arg-type]


def test_turning_the_prefix_cache_off_reaches_the_batcher(tiny_qwen: Path) -> None:
    model = TransformersModel(str(tiny_qwen), device="cpu")
    model.prefix_cache = None
    model.generate([ask(2)], GenerationConfig(max_new_tokens=3))
    before = model.stats.reused_tokens
    model.generate([ask(2)], GenerationConfig(max_new_tokens=3))
    assert model.stats.reused_tokens == before


def test_closing_stops_the_worker_and_refuses_new_calls(tiny_qwen: Path) -> None:
    """What pot does for every model at interpreter exit (see test_models_real for the
    abort it prevents)."""
    model = TransformersModel(str(tiny_qwen), device="cpu")
    model.generate([ask(1)], GenerationConfig(max_new_tokens=3))
    model._batcher.close()
    assert not [thread for thread in threading.enumerate() if thread.name == "pot-batch"]
    with pytest.raises(ModelError, match="closed"):
        model.generate([ask(1)], GenerationConfig(max_new_tokens=3))


def test_keys_and_values_survive_a_round_trip_through_the_public_cache_api(
    model: TransformersModel,
) -> None:
    """What the engine does to the model's cache (read its layers, rebuild one with
    ``Cache.update``) gives the same next-token logits as running the whole prompt,
    on whichever transformers version is installed."""
    import torch
    from transformers import DynamicCache

    ids = torch.tensor([model.encode(ask(4))])
    config = model.model.config
    with torch.inference_mode():
        whole = model.model(input_ids=ids).logits[0, -1].float()
        head = model.model(input_ids=ids[:, :-1], cache=DynamicCache(config=config), use_cache=True)
        rebuilt = cache_of(layers_of(head.cache), config)
        assert rebuilt.get_seq_length() == ids.shape[1] - 1
        last = model.model(input_ids=ids[:, -1:], cache=rebuilt, use_cache=True).logits[0, -1]
    torch.testing.assert_close(last.float(), whole, rtol=0.02, atol=0.02)
    assert int(last.argmax()) == int(whole.argmax())
