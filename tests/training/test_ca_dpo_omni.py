"""CA-DPO and SED SFT on media rows with the tiny Qwen2.5-Omni thinker (CPU, example clips).

ms-swift rows with ``videos``/``audios`` load as training input (placeholders expanded per clip),
the collator builds ``[chosen; rejected]`` batches carrying the clips' audio features and video
pixels, the reference pass is the adapter-disabled model, and two CA-DPO steps lower the loss.
"""

from __future__ import annotations

import pytest
import torch
from training_fixtures import toy_record

from emoreason.errors import ConfigError, InputError
from emoreason.formats.jsonl import write_jsonl
from emoreason.formats.swift import saber_to_swift
from emoreason.reasoning.omni_processor import audio_token_count
from emoreason.reasoning.omni_video import video_token_count
from emoreason.training import CADPOTrainConfig, SFTTrainConfig
from emoreason.training.logprobs import concatenated_logps
from emoreason.training.media import media_inputs
from emoreason.training.run import (
    build_ca_dpo_trainer,
    build_sft_trainer,
    load_model_and_tokenizer,
    media_encoder_for,
)
from emoreason.training.sources import BuildReport
from emoreason.training.train_data import prepare_dataset
from omni_media import EXAMPLE_CLIP, VIDEO_OPTIONS, load_thinker, save_full_omni

CLIPS = [EXAMPLE_CLIP, EXAMPLE_CLIP.parent / "happy_consistent.mp4"]
LOG2 = 0.6931471805599453


def _rows(n: int = 4, preference: bool = True) -> list[dict]:
    rows = []
    for i in range(n):
        clip = str(CLIPS[i % len(CLIPS)])
        rejected = toy_record("happy", str(i)) if preference else None
        row = saber_to_swift(
            toy_record("sad", str(i)), video=clip, audio=clip, lang="en", rejected=rejected
        ).to_json()
        if preference:
            row["conflict"] = i / max(1, n - 1)
            row["kind"] = "label_flip"
        rows.append(row)
    return rows


def _config(tmp_path, omni_dir, rows, cls=CADPOTrainConfig, **overrides):
    path = tmp_path / "rows.jsonl"
    write_jsonl(path, rows)
    values = {
        "model_path": str(omni_dir),
        "train_file": str(path),
        "output_dir": str(tmp_path / "run"),
        "adapter": "mose",
        "max_steps": 2,
        "learning_rate": 1e-2,
        "per_device_train_batch_size": 2,
        "max_length": 1024,
        "save_steps": 100,
        "lora_r": 4,
        "seed": 0,
        "video_max_frames": 4,
        "video_min_pixels": VIDEO_OPTIONS["min_pixels"],
        "video_max_pixels": VIDEO_OPTIONS["max_pixels"],
        **overrides,
    }
    return cls.from_dict(values)


def test_a_full_omni_folder_trains_its_thinker(tmp_path, omni_dir):
    """model_type qwen2_5_omni (SABER-LLM's layout): the thinker, its own weights, no talker."""
    full = save_full_omni(omni_dir, tmp_path / "full")
    model, tokenizer = load_model_and_tokenizer(str(full), "bfloat16")
    assert type(model).__name__ == "Qwen2_5OmniThinkerForConditionalGeneration"
    assert {p.dtype for p in model.parameters()} == {torch.bfloat16}
    assert tokenizer.pad_token is not None
    reference = load_thinker(omni_dir).to(torch.bfloat16).state_dict()
    weights = model.state_dict()
    assert weights.keys() == reference.keys()
    assert all(torch.equal(weights[k], reference[k]) for k in reference)


def test_swift_media_rows_load_with_their_clips_placeholders(tmp_path, omni_dir):
    config = _config(tmp_path, omni_dir, _rows())
    model = load_thinker(omni_dir)
    media = media_encoder_for(model, config.model_path, config)
    assert media is not None
    report = BuildReport()
    dataset = prepare_dataset(
        config.train_file, media.tokenizer, config, preference=True, report=report, media=media
    )
    assert report.written == 4 and len(dataset) == 4
    row = dataset[0]
    assert row["videos"] == [str(CLIPS[0])] and row["audios"] == [str(CLIPS[0])]
    clip = media.features(row["videos"], row["audios"])
    grid = clip.tensors["video_grid_thw"][0]
    frames = int(clip.tensors["feature_attention_mask"].sum())
    cfg = model.config
    assert row["prompt_ids"].count(cfg.video_token_id) == video_token_count(grid, 2) > 0
    assert row["prompt_ids"].count(cfg.audio_token_id) == audio_token_count(frames) > 100  # ~5 s
    assert int(grid[0]) == 2  # 4 frames -> 2 frame pairs
    end = media.tokenizer.convert_tokens_to_ids("<|im_end|>")
    assert row["chosen_ids"][-2] == end and row["rejected_ids"][-2] == end  # "<|im_end|>\n"
    assert row["chosen_ids"] != row["rejected_ids"] and row["kind"] == "label_flip"


def test_rows_whose_tags_and_files_disagree_are_input_errors(tmp_path, omni_dir):
    rows = _rows(2)
    rows[1]["audios"] = []
    config = _config(tmp_path, omni_dir, rows)
    with pytest.raises(InputError, match=r"rows\.jsonl:2: audios: .*1 <audio> tag.*0 audio"):
        build_ca_dpo_trainer(config)
    silent = _rows(1)
    silent[0]["videos"] = silent[0]["audios"] = [str(EXAMPLE_CLIP.parent / "no_audio.mp4")]
    config = _config(tmp_path, omni_dir, silent)
    with pytest.raises(InputError, match=r"no_audio\.mp4: has no audio stream"):
        build_ca_dpo_trainer(config)


def test_over_length_media_rows_are_never_cut_inside_the_clip(tmp_path, omni_dir):
    config = _config(tmp_path, omni_dir, _rows(2), max_length=200)  # prompt ~410 tokens
    with pytest.raises(InputError, match="no row fits max_length=200"):
        build_ca_dpo_trainer(config)
    config = _config(
        tmp_path, omni_dir, _rows(2), max_length=450, truncation_mode="keep_divergence"
    )
    with pytest.raises(ConfigError, match="keep_divergence would cut the clip's placeholder"):
        build_ca_dpo_trainer(config)
    config = _config(tmp_path, omni_dir, _rows(2), max_length=450)  # keep_start: cut the answer
    trainer, report = build_ca_dpo_trainer(config)
    assert report.by_kind["truncated_to_max_length"] == 2
    batch = next(iter(trainer.get_train_dataloader()))
    assert batch["input_ids"].shape[1] == 450 and "input_features" in batch


def test_batches_carry_the_clips_for_chosen_and_rejected_and_the_reference_is_the_base(
    tmp_path, omni_dir
):
    config = _config(tmp_path, omni_dir, _rows())
    trainer, _ = build_ca_dpo_trainer(config)
    batch = next(iter(trainer.get_train_dataloader()))
    rows = batch["input_ids"].shape[0]
    assert rows == 4  # 2 pairs: [chosen; rejected]
    media = media_inputs(batch)
    assert set(media) == {
        "input_features",
        "feature_attention_mask",
        "pixel_values_videos",
        "video_grid_thw",
        "video_second_per_grid",
    }
    assert media["input_features"].shape[0] == rows == media["video_grid_thw"].shape[0]
    assert torch.equal(media["video_grid_thw"][:2], media["video_grid_thw"][2:])
    assert media["pixel_values_videos"].shape[0] == int(media["video_grid_thw"].prod(-1).sum())
    model = trainer.model
    with torch.no_grad():  # a trained-looking adapter, so policy and reference differ
        for name, p in model.named_parameters():
            if "lora_B" in name:
                p.normal_(0.0, 0.05)
    args = (batch["input_ids"], batch["attention_mask"], batch["completion_mask"], media)
    with torch.no_grad():
        ref_chosen, ref_rejected = trainer.compute_ref_log_probs(model, batch)
        policy = trainer._policy_logps(model, batch)
        base = concatenated_logps(load_thinker(omni_dir), *args)
    torch.testing.assert_close(ref_chosen, base.chosen, rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(ref_rejected, base.rejected, rtol=1e-5, atol=1e-4)
    assert (policy.chosen - ref_chosen).abs().max() > 1e-3
    with torch.no_grad():  # without the clips the same tokens score differently
        blind = concatenated_logps(load_thinker(omni_dir), *args[:3])
    assert (blind.chosen - base.chosen).abs().max() > 1e-3


@pytest.mark.parametrize(
    ("adapter", "dtype"), [("mose", "float32"), ("lora", "float32"), ("mose", "bfloat16")]
)
def test_two_ca_dpo_steps_on_media_pairs_lower_the_loss(tmp_path, omni_dir, adapter, dtype):
    config = _config(tmp_path, omni_dir, _rows(), adapter=adapter, eta=1.0, dtype=dtype)
    trainer, report = build_ca_dpo_trainer(config)
    assert report.written == 4 and trainer.ref_model is None
    batch = next(iter(trainer.get_train_dataloader()))
    frozen = {n: p.detach().clone() for n, p in trainer.model.named_parameters()}
    trainable = {n for n, p in trainer.model.named_parameters() if p.requires_grad}
    assert not any("audio_tower" in n or ".visual." in n for n in trainable)  # LM only
    weights = {p.dtype for n, p in trainer.model.named_parameters() if n not in trainable}
    assert weights == {getattr(torch, dtype)}
    assert {p.dtype for n, p in trainer.model.named_parameters() if n in trainable} == {
        torch.float32
    }
    trainer.model.train()
    with torch.no_grad():
        before = trainer.compute_loss(trainer.model, dict(batch)).item()
    trainer.train()
    with torch.no_grad():
        after = trainer.compute_loss(trainer.model, dict(batch)).item()
    assert trainer.state.global_step == 2
    # the adapter starts as the base model: every pair at log 2, weighted 1 + η·conflict
    pair_weights = 1.0 + batch["conflict"]
    assert before == pytest.approx(LOG2 * float(pair_weights.mean()), abs=1e-4)
    assert after < before - 0.05
    logs = [h for h in trainer.state.log_history if "rewards/margins" in h]
    assert len(logs) == 2 and logs[-1]["rewards/margins"] > 0
    moved = {
        n for n, p in trainer.model.named_parameters() if not torch.equal(p.detach(), frozen[n])
    }
    assert moved and moved <= trainable


def test_sed_sft_on_media_rows_trains_on_the_answer_only(tmp_path, omni_dir):
    config = _config(tmp_path, omni_dir, _rows(preference=False), cls=SFTTrainConfig)
    trainer, report = build_sft_trainer(config)
    assert report.written == 4
    batch = next(iter(trainer.get_train_dataloader()))
    assert batch["input_features"].shape[0] == batch["input_ids"].shape[0] == 2
    cfg = trainer.model.config
    labelled = batch["labels"] != -100
    for token in (cfg.video_token_id, cfg.audio_token_id):
        assert not labelled[batch["input_ids"] == token].any()  # the clip is never a target
    answer = trainer.train_dataset[0]
    assert int(labelled[0].sum()) == sum(1 for x in answer["labels"] if x != -100)
    trainer.train()
    losses = [h["loss"] for h in trainer.state.log_history if "loss" in h]
    assert len(losses) == 2 and losses[1] < losses[0]


def test_precomputed_reference_on_media_pairs_equals_the_on_the_fly_one(tmp_path, omni_dir):
    config = _config(tmp_path, omni_dir, _rows(), precompute_ref_logps=True)
    trainer, _ = build_ca_dpo_trainer(config)
    batch = next(iter(trainer.get_train_dataloader()))
    assert "ref_chosen_logps" in batch and "input_features" in batch
    with torch.no_grad():
        chosen, rejected = trainer.compute_ref_log_probs(trainer.model, batch)
    torch.testing.assert_close(batch["ref_chosen_logps"], chosen, rtol=1e-5, atol=1e-3)
    torch.testing.assert_close(batch["ref_rejected_logps"], rejected, rtol=1e-5, atol=1e-3)


def test_mose_gradients_are_the_same_with_activation_checkpointing(tmp_path, omni_dir):
    # TRL checkpoints activations by default: backward re-runs each decoder layer, which must
    # see the step's modality ids again (else every token counts as text there)
    config = _config(tmp_path, omni_dir, _rows())
    trainer, _ = build_ca_dpo_trainer(config)
    with torch.no_grad():  # non-zero experts, so every MoSE parameter has a gradient
        for name, p in trainer.model.named_parameters():
            if "lora_B" in name:
                p.normal_(0.0, 0.05)
    batch = next(iter(trainer.get_train_dataloader()))
    trainer.current_gradient_accumulation_steps = 1  # as the training loop sets it
    grads = []
    for checkpointing in (True, False):
        if checkpointing:
            trainer.model.gradient_checkpointing_enable()
        else:
            trainer.model.gradient_checkpointing_disable()
        trainer.model.zero_grad(set_to_none=True)
        trainer.training_step(trainer.model, dict(batch))
        grads.append(
            {n: p.grad.clone() for n, p in trainer.model.named_parameters() if p.grad is not None}
        )
    assert trainer.model.is_gradient_checkpointing is False
    # the visual expert learns wherever a visual token's output reaches the answer: in the
    # last layer only through keys and values (its queries and o_proj shape the visual rows)
    last = ("layers.1.self_attn.q_proj", "layers.1.self_attn.o_proj")
    visual = [n for n in grads[1] if "lora_B_visual" in n and not any(x in n for x in last)]
    assert len(visual) == 6 and all(grads[1][n].abs().max() > 0 for n in visual)
    assert grads[0].keys() == grads[1].keys()
    for name in grads[1]:
        torch.testing.assert_close(grads[0][name], grads[1][name], rtol=1e-4, atol=1e-7)


def test_the_omni_example_config_loads_with_saber_llm_layout():
    path = EXAMPLE_CLIP.parents[1] / "training" / "ca_dpo_omni_mose.yaml"
    config = CADPOTrainConfig.from_yaml(path)
    layout = config.media_layout()
    assert (config.adapter, config.dtype) == ("mose", "bfloat16")
    assert (layout.fps, layout.max_frames, layout.max_pixels) == (2.0, 40, 50176)
    with pytest.raises(ConfigError, match="dtype"):
        CADPOTrainConfig.from_dict({**config.to_dict(), "dtype": "float16"})
