"""AR and UAP on the tiny Qwen2.5-Omni thinker fed real processor outputs (video frames + audio).

Audio and visual key masks come from the placeholder positions of the processor's input_ids (the
positions that hold the audio and vision encoders' embeddings). AR moves attention only in heads
that pass its rule (checked against the loop reference of ``ar_tiny``), restores the model after
its block, and the UAP diagnostics and heatmap run on the omni input.
"""

from __future__ import annotations

import json
import math

import pytest
import torch
from ar_tiny import naive_reallocation

from emoreason.adapters.mose import modality_ids_from_inputs
from emoreason.steering import (
    AR_ATTENTION,
    AUDIO,
    VISUAL,
    ARConfig,
    attention_reallocation,
    diagnose_modality_bias,
    save_uap_heatmap,
)
from emoreason.steering.attention import decoder_attention_modules
from omni_media import EXAMPLE_CLIP, load_processor, load_thinker, omni_inputs

RULE = ARConfig(alpha=0.6, tau=0.0, kappa=1.0)  # heads above their layer's mean ratio


@pytest.fixture(scope="module")
def inputs(omni_dir):
    return omni_inputs(load_processor(omni_dir))


@pytest.fixture
def model(omni_dir):
    return load_thinker(omni_dir)


def test_decoder_layers_of_the_thinker_only(model):
    modules = decoder_attention_modules(model)
    assert sorted(modules) == [0, 1]
    assert all(
        ".language_model." in name for name, m in model.named_modules() if m in modules.values()
    )


def test_ar_moves_attention_only_in_heads_that_pass_its_rule(model, inputs):
    ids = modality_ids_from_inputs(inputs, model.config)
    audio, visual = ids == AUDIO, ids == VISUAL
    assert audio.any() and visual.any()
    calls: list[tuple[int, torch.Tensor, torch.Tensor]] = []
    with torch.no_grad(), attention_reallocation(model, RULE, ids) as state:
        process = state.process

        def spy(layer_idx: int, probs: torch.Tensor) -> torch.Tensor:
            out = process(layer_idx, probs)
            calls.append((layer_idx, probs.clone(), out.clone()))
            return out

        state.process = spy  # record what AR received and returned, per layer
        model(**inputs)
    assert [layer for layer, _, _ in calls] == [0, 1]
    moved = kept = 0
    for layer, before, after in calls:
        expected, biased = naive_reallocation(
            before.double(), audio, visual, RULE.alpha, RULE.tau, RULE.kappa, False
        )
        assert biased[0].tolist() == [h in state.biased_heads.get(layer, []) for h in range(4)]
        for head in range(before.shape[1]):
            if biased[0, head]:
                moved += 1
                torch.testing.assert_close(
                    after[0, head].double(), expected[0, head], rtol=1e-5, atol=1e-6
                )
                assert not torch.equal(after[0, head], before[0, head])
            else:
                kept += 1
                assert torch.equal(after[0, head], before[0, head])  # untouched, bit for bit
    assert moved and kept  # the rule split the heads


def test_ar_restores_the_model(model, inputs):
    ids = modality_ids_from_inputs(inputs, model.config)
    text_config = model.config.get_text_config(decoder=True)
    before_impl = text_config._attn_implementation
    hooks = {n: len(m._forward_pre_hooks) for n, m in model.named_modules()}
    with torch.no_grad():
        reference = model(**inputs).logits
        with attention_reallocation(model, RULE, ids) as state:
            assert text_config._attn_implementation == AR_ATTENTION
            assert model.config.vision_config._attn_implementation != AR_ATTENTION  # towers alone
            steered = model(**inputs).logits
        after = model(**inputs).logits
    assert state.biased_heads
    assert (steered - reference).abs().max() > 1e-6  # AR did change the answer's scores
    assert text_config._attn_implementation == before_impl
    assert {n: len(m._forward_pre_hooks) for n, m in model.named_modules()} == hooks
    assert torch.equal(after, reference)


def test_ar_generate_and_uap_heatmap_on_an_omni_input(model, inputs, tmp_path):
    ids = modality_ids_from_inputs(inputs, model.config)
    report = diagnose_modality_bias(
        model, inputs["input_ids"], ids, RULE, max_new_tokens=4, model_inputs=inputs
    )
    assert report.modality_counts == {
        "text": int((ids == 0).sum()),
        "audio": int((ids == AUDIO).sum()),
        "visual": int((ids == VISUAL).sum()),
    }
    for side in (report.before, report.after):
        assert len(side.generated_ids[0]) == 4
        assert all(rows == 4 for layer in side.uap.rows for rows in layer)  # one per new token
        assert all(0.0 <= x <= 1.0 for layer in side.uap.audio for x in layer)
    assert report.before.biased_heads  # detection ran (alpha 0) on the omni keys
    # AR moves audio attention to the visual keys: the audio share drops
    assert report.after.uap.mean() < report.before.uap.mean() - 0.05
    path = save_uap_heatmap(tmp_path / "uap.png", report.before.uap, report.after.uap)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = report.to_dict()
    assert summary["prompt_tokens"] == inputs["input_ids"].shape[1]
    assert not math.isnan(summary["after"]["audio_uap_mean"])


def test_diagnose_cli_on_an_example_clip(omni_dir, tmp_path):
    from typer.testing import CliRunner

    from emoreason.cli.app import app

    out = tmp_path / "out"
    args = ["diagnose", str(omni_dir), "--clip", str(EXAMPLE_CLIP), "-o", str(out)]
    result = CliRunner().invoke(app, [*args, "--tau", "0", "--max-new-tokens", "2"])
    assert result.exit_code == 0, result.output
    summary = json.loads((out / "uap_summary.json").read_text())
    counts = summary["modality_counts"]
    assert counts["audio"] > 100 and counts["visual"] > 100  # ~5.5 s of sound, 12 frames
    assert summary["clip"] == str(EXAMPLE_CLIP)
    assert summary["before"]["biased_heads"]
    assert (out / "uap_heatmap.png").read_bytes()[:4] == b"\x89PNG"
    text_model = CliRunner().invoke(app, [*args[:1], str(tmp_path), *args[2:]])
    assert text_model.exit_code != 0
    assert "not a Qwen2.5-Omni model folder" in text_model.output
