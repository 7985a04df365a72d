"""``keep_divergence`` truncation and the preference collator (conflict scores, pair kinds)."""

from __future__ import annotations

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from training_fixtures import dpo_config

from emoreason.errors import ConfigError
from emoreason.training import CADPOTrainConfig, SFTTrainConfig
from emoreason.training.collators import ConflictPreferenceCollator, divergence_window
from emoreason.training.logprobs import concatenated_logps
from emoreason.training.run import build_ca_dpo_trainer


def reference_window(prompt, chosen, rejected, max_length, context):
    """Independent reference: walk both sequences token by token."""
    a, b = list(prompt) + list(chosen), list(prompt) + list(rejected)
    first_difference = len(prompt)
    while (
        first_difference < len(a)
        and first_difference < len(b)
        and a[first_difference] == b[first_difference]
    ):
        first_difference += 1
    # both tails must keep a token: back off onto the last shared token if a side ran out
    while first_difference >= min(len(a), len(b)) and first_difference > len(prompt):
        first_difference -= 1
    start = first_difference - context
    if max(len(a), len(b)) - max_length < start:
        start = max(len(a), len(b)) - max_length
    start = max(start, 0)
    return a[start:first_difference], a[first_difference:], b[first_difference:]


ids = st.lists(st.integers(0, 3), max_size=12)


@settings(deadline=None, max_examples=300)
@given(
    prompt=ids,
    chosen=st.lists(st.integers(0, 3), min_size=1, max_size=12),
    rejected=st.lists(st.integers(0, 3), min_size=1, max_size=12),
    max_length=st.integers(2, 30),
    context=st.integers(0, 8),
)
def test_window_matches_the_reference(prompt, chosen, rejected, max_length, context):
    got = divergence_window(prompt, chosen, rejected, max_length, context)
    want = reference_window(prompt, chosen, rejected, max_length, context)
    assert (got["prompt_ids"], got["chosen_ids"], got["rejected_ids"]) == want
    assert got["chosen_ids"] and got["rejected_ids"]
    # the window is a contiguous piece of each full sequence
    full = [*prompt, *chosen]
    window = got["prompt_ids"] + got["chosen_ids"]
    assert any(full[i : i + len(window)] == window for i in range(len(full) - len(window) + 1))


def test_window_keeps_context_before_a_late_difference():
    prompt = list(range(100, 110))
    shared = list(range(200, 260))
    got = divergence_window(prompt, [*shared, 1, 2, 3], [*shared, 4, 5], max_length=20, context=4)
    # tails are short, so the window is filled from the left up to max_length
    assert got["chosen_ids"] == [1, 2, 3] and got["rejected_ids"] == [4, 5]
    assert got["prompt_ids"] == shared[-17:]


def test_window_starts_context_tokens_before_an_early_difference():
    got = divergence_window([9, 9, 9], [1, 2, 3, *range(50)], [1, 2, 7, 8], 16, context=2)
    assert got["prompt_ids"] == [1, 2]
    assert got["chosen_ids"][:2] == [3, 0] and got["rejected_ids"] == [7, 8]


def _toy_examples(trainer, n=4):
    data = trainer.train_dataset
    return [{k: data[i][k] for k in ("prompt_ids", "chosen_ids", "rejected_ids")} for i in range(n)]


def test_margin_is_unchanged_when_everything_fits(
    tmp_path, tiny_model_dir, tiny_model, tiny_tokenizer
):
    """Shared tokens cancel: moving them into the prompt leaves log π(c) − log π(r) exact."""
    config = dpo_config(tmp_path, tiny_model_dir, truncation_mode="keep_divergence")
    trainer, _ = build_ca_dpo_trainer(config, model=tiny_model, tokenizer=tiny_tokenizer)
    examples = _toy_examples(trainer)
    pad = tiny_tokenizer.pad_token_id
    full = ConflictPreferenceCollator(pad_token_id=pad, max_length=None)(examples)
    window = trainer.data_collator(examples)
    assert window["completion_mask"].sum() < full["completion_mask"].sum()  # shared part moved
    model = trainer.model.eval()
    with torch.no_grad():
        torch.manual_seed(0)
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0, 0.3)
        a = concatenated_logps(
            model, full["input_ids"], full["attention_mask"], full["completion_mask"]
        )
        b = concatenated_logps(
            model, window["input_ids"], window["attention_mask"], window["completion_mask"]
        )
    # float32 sums of a few hundred nats: equal up to their rounding (~1e-4), not bit for bit
    torch.testing.assert_close(a.chosen - a.rejected, b.chosen - b.rejected, atol=5e-4, rtol=0)
    assert (a.chosen - a.rejected).abs().max() > 0.01  # and the margins are not trivially 0


def test_short_window_keeps_the_difference(tmp_path, tiny_model_dir, tiny_model, tiny_tokenizer):
    config = dpo_config(
        tmp_path, tiny_model_dir, max_length=24, truncation_mode="keep_divergence",
        divergence_context=8, max_steps=2,
    )  # fmt: skip
    trainer, report = build_ca_dpo_trainer(config, model=tiny_model, tokenizer=tiny_tokenizer)
    assert report.by_kind["truncated_to_max_length"] == 8  # counted, never silent
    examples = _toy_examples(trainer)
    batch = trainer.data_collator(examples)
    assert batch["input_ids"].shape[1] <= 24
    b = len(examples)
    for i in range(b):
        chosen = batch["input_ids"][i][batch["completion_mask"][i].bool()]
        rejected = batch["input_ids"][b + i][batch["completion_mask"][b + i].bool()]
        assert len(chosen) and len(rejected) and chosen[0] != rejected[0]
    trainer.train()  # and it trains
    assert trainer.state.global_step > 0


def test_keep_divergence_is_for_preference_training_only(tmp_path):
    base = {"model_path": "smollm2", "train_file": "x.jsonl", "output_dir": str(tmp_path)}
    with pytest.raises(ConfigError, match="truncation_mode"):
        SFTTrainConfig.from_dict({**base, "truncation_mode": "keep_divergence"})
    with pytest.raises(ConfigError, match="divergence_context"):
        CADPOTrainConfig.from_dict(
            {**base, "truncation_mode": "keep_divergence", "max_length": 16,
             "divergence_context": 16}
        )  # fmt: skip
    with pytest.raises(ConfigError, match="divergence_context"):
        CADPOTrainConfig.from_dict({**base, "divergence_context": -1})
