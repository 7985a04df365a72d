"""A tiny random Qwen2.5-Omni thinker and its processor files, built locally (no download).

``build_tiny_omni(directory)`` writes a folder laid out like a real Qwen2.5-Omni checkpoint, small
enough for CPU tests: a thinker with a 1-layer audio tower, a 1-block vision tower and a 2-layer,
64-wide language model (random weights, well under a million parameters because the vocabulary
is a ~1k byte-level BPE trained on the SED prompts), plus

- a byte-level BPE tokenizer (any text, CJK included, falls back to bytes) carrying the Omni
  special tokens and a chat template that renders audio / image / video parts the Qwen2.5-Omni way;
- ``preprocessor_config.json``: a Whisper feature extractor (16 kHz, ``num_mel_bins`` bands) and a
  Qwen2-VL image processor (14-px patches, 2x2 merge, temporal patch 2);
- ``video_preprocessor_config.json``: the Qwen2-VL video processor settings (used as is where
  torchvision works; elsewhere emoreason's frame patcher reads the same file).

The model's ``audio_token_id`` / ``image_token_id`` / ``video_token_id`` and the vision/audio
start/end ids are the tokenizer's ids of those tokens. Same seed, same files.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: Omni special tokens in the order Qwen2.5-Omni's vocabulary lists them.
OMNI_SPECIAL_TOKENS: tuple[str, ...] = (
    "<|endoftext|>",
    "<|im_start|>",
    "<|im_end|>",
    "<|AUDIO|>",
    "<|audio_bos|>",
    "<|audio_eos|>",
    "<|box_end|>",
    "<|quad_start|>",
    "<|quad_end|>",
    "<|vision_bos|>",
    "<|vision_eos|>",
    "<|vision_pad|>",
    "<|IMAGE|>",
    "<|VIDEO|>",
)

#: Named special tokens the Qwen2.5-Omni processor reads from its tokenizer (``tokenizer.<name>``).
NAMED_TOKENS: dict[str, str] = {
    "audio_token": "<|AUDIO|>",
    "audio_bos_token": "<|audio_bos|>",
    "audio_eos_token": "<|audio_eos|>",
    "image_token": "<|IMAGE|>",
    "video_token": "<|VIDEO|>",
    "vision_bos_token": "<|vision_bos|>",
    "vision_eos_token": "<|vision_eos|>",
}

DEFAULT_SYSTEM = "You are a helpful assistant."

#: Chat template: ChatML turns; media parts become ``<|audio_bos|><|AUDIO|><|audio_eos|>``,
#: ``<|vision_bos|><|IMAGE|><|vision_eos|>`` or ``<|vision_bos|><|VIDEO|><|vision_eos|>`` in
#: the order given, which the processor then expands to one placeholder per encoder token.
CHAT_TEMPLATE = (
    "{%- for message in messages %}"
    "{%- if loop.first and message['role'] != 'system' %}"
    "{{- '<|im_start|>system\\n" + DEFAULT_SYSTEM + "<|im_end|>\\n' }}"
    "{%- endif %}"
    "{{- '<|im_start|>' + message['role'] + '\\n' }}"
    "{%- if message['content'] is string %}{{- message['content'] }}"
    "{%- else %}{%- for part in message['content'] %}"
    "{%- if part['type'] == 'audio' %}{{- '<|audio_bos|><|AUDIO|><|audio_eos|>' }}"
    "{%- elif part['type'] == 'image' %}{{- '<|vision_bos|><|IMAGE|><|vision_eos|>' }}"
    "{%- elif part['type'] == 'video' %}{{- '<|vision_bos|><|VIDEO|><|vision_eos|>' }}"
    "{%- elif part['type'] == 'text' %}{{- part['text'] }}"
    "{%- endif %}{%- endfor %}{%- endif %}"
    "{{- '<|im_end|>\\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n' }}{%- endif %}"
)

PATCH_SIZE = 14
MERGE_SIZE = 2
TEMPORAL_PATCH_SIZE = 2
MEL_BINS = 16
SAMPLING_RATE = 16000
#: OpenAI CLIP normalisation, as Qwen2-VL's processors use.
IMAGE_MEAN = (0.48145466, 0.4578275, 0.40821073)
IMAGE_STD = (0.26862954, 0.26130258, 0.27577711)
#: Qwen2.5-Omni's processor defaults: image 4..16384 merged tokens, video 128..768 tokens/frame pair.
IMAGE_MIN_PIXELS, IMAGE_MAX_PIXELS = 56 * 56, 28 * 28 * 16384
VIDEO_MIN_PIXELS, VIDEO_MAX_PIXELS = 128 * 28 * 28, 768 * 28 * 28

_VOCAB_TARGET = 2048


def _bpe_corpus() -> list[str]:
    """Training text for the tiny BPE: the SED prompts (EN + ZH) and a few chat words."""
    from emoreason.prompts import sed_prompt

    return [
        sed_prompt("en"),
        sed_prompt("zh"),
        "system user assistant video audio image frames seconds emotion",
    ]


def build_tokenizer() -> Any:
    """A byte-level BPE ``PreTrainedTokenizerFast`` with the Omni special tokens and template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import PreTrainedTokenizerFast

    core = Tokenizer(models.BPE())
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    core.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=_VOCAB_TARGET,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False,
    )
    core.train_from_iterator(_bpe_corpus(), trainer=trainer)
    core.add_special_tokens(list(OMNI_SPECIAL_TOKENS))
    return PreTrainedTokenizerFast(
        tokenizer_object=core,
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        extra_special_tokens=dict(NAMED_TOKENS),
        chat_template=CHAT_TEMPLATE,
        model_max_length=32768,
    )


def thinker_config(token_ids: dict[str, int], vocab_size: int) -> Any:
    """A ``Qwen2_5OmniThinkerConfig``: 1-layer audio tower, 1-block vision tower, 2-layer LM."""
    from transformers.models.qwen2_5_omni.configuration_qwen2_5_omni import (
        Qwen2_5OmniThinkerConfig,
    )

    hidden = 64
    # head_dim 16 -> 8 rotary frequencies split over (time, height, width)
    rope = {"rope_type": "default", "rope_theta": 1_000_000.0, "mrope_section": [2, 3, 3]}
    return Qwen2_5OmniThinkerConfig(
        text_config={
            "hidden_size": hidden,
            "num_hidden_layers": 2,
            "num_attention_heads": 4,
            "num_key_value_heads": 2,
            "intermediate_size": 128,
            "vocab_size": vocab_size,
            "max_position_embeddings": 32768,
            "rope_parameters": rope,
            "tie_word_embeddings": False,
        },
        vision_config={
            "depth": 1,
            "hidden_size": 32,
            "intermediate_size": 64,
            "num_heads": 4,
            "out_hidden_size": hidden,
            "fullatt_block_indexes": [0],
            "patch_size": PATCH_SIZE,
            "spatial_merge_size": MERGE_SIZE,
            "temporal_patch_size": TEMPORAL_PATCH_SIZE,
        },
        audio_config={
            "encoder_layers": 1,
            "d_model": 32,
            "encoder_attention_heads": 4,
            "encoder_ffn_dim": 64,
            "output_dim": hidden,
            "num_mel_bins": MEL_BINS,
        },
        audio_token_index=token_ids["audio_token"],
        image_token_index=token_ids["image_token"],
        video_token_index=token_ids["video_token"],
        vision_start_token_id=token_ids["vision_bos_token"],
        vision_end_token_id=token_ids["vision_eos_token"],
        audio_start_token_id=token_ids["audio_bos_token"],
        audio_end_token_id=token_ids["audio_eos_token"],
        user_token_id=token_ids["user"],
        pad_token_id=token_ids["pad"],
        eos_token_id=token_ids["eos"],
    )


def preprocessor_config() -> dict[str, Any]:
    """One ``preprocessor_config.json`` for the Whisper feature extractor and the image processor."""
    from transformers import WhisperFeatureExtractor

    features = WhisperFeatureExtractor(
        feature_size=MEL_BINS, sampling_rate=SAMPLING_RATE, return_attention_mask=True
    ).to_dict()
    features.pop("mel_filters", None)  # recomputed from the settings on load
    image = {
        "image_processor_type": "Qwen2VLImageProcessor",
        "do_resize": True,
        "do_rescale": True,
        "do_normalize": True,
        "do_convert_rgb": True,
        "rescale_factor": 1 / 255,
        "image_mean": list(IMAGE_MEAN),
        "image_std": list(IMAGE_STD),
        "size": {"shortest_edge": IMAGE_MIN_PIXELS, "longest_edge": IMAGE_MAX_PIXELS},
        "patch_size": PATCH_SIZE,
        "temporal_patch_size": TEMPORAL_PATCH_SIZE,
        "merge_size": MERGE_SIZE,
    }
    return {**features, **image, "processor_class": "Qwen2_5OmniProcessor"}


def video_preprocessor_config() -> dict[str, Any]:
    """Qwen2-VL video processor settings (frames are sampled by the caller)."""
    return {
        "video_processor_type": "Qwen2VLVideoProcessor",
        "do_resize": True,
        "do_rescale": True,
        "do_normalize": True,
        "do_convert_rgb": True,
        "do_sample_frames": False,
        "rescale_factor": 1 / 255,
        "image_mean": list(IMAGE_MEAN),
        "image_std": list(IMAGE_STD),
        "size": {"shortest_edge": VIDEO_MIN_PIXELS, "longest_edge": VIDEO_MAX_PIXELS},
        "patch_size": PATCH_SIZE,
        "temporal_patch_size": TEMPORAL_PATCH_SIZE,
        "merge_size": MERGE_SIZE,
        "processor_class": "Qwen2_5OmniProcessor",
    }


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def build_tiny_omni(directory: Path, seed: int = 0) -> Path:
    """Write a tiny random Qwen2.5-Omni thinker + processor files into ``directory``; return it.

    Loads back with ``local_files_only=True``: the model with
    ``AutoModelForImageTextToText``, the tokenizer, feature extractor and image processor with
    their Auto classes, and the whole ``AutoProcessor`` where torchvision is importable.
    """
    import torch
    from transformers.models.qwen2_5_omni.modeling_qwen2_5_omni import (
        Qwen2_5OmniThinkerForConditionalGeneration,
    )

    from emoreason.assets.hf_quiet import hf_progress_bars_off

    directory = Path(directory).expanduser()
    directory.mkdir(parents=True, exist_ok=True)
    tokenizer = build_tokenizer()
    ids = {name: tokenizer.convert_tokens_to_ids(tok) for name, tok in NAMED_TOKENS.items()}
    ids["user"] = tokenizer("user", add_special_tokens=False).input_ids[0]
    ids["pad"] = tokenizer.pad_token_id
    ids["eos"] = tokenizer.eos_token_id
    vocab_size = -(-len(tokenizer) // 64) * 64  # round up, as real checkpoints pad the table
    config = thinker_config(ids, vocab_size)
    generator_state = torch.random.get_rng_state()
    torch.manual_seed(seed)
    try:
        model = Qwen2_5OmniThinkerForConditionalGeneration(config).eval()
    finally:
        torch.random.set_rng_state(generator_state)
    model.generation_config.eos_token_id = ids["eos"]
    model.generation_config.pad_token_id = ids["pad"]
    with hf_progress_bars_off():
        model.save_pretrained(directory)
    tokenizer.init_kwargs["processor_class"] = "Qwen2_5OmniProcessor"
    tokenizer.save_pretrained(directory)
    _write_json(directory / "preprocessor_config.json", preprocessor_config())
    _write_json(directory / "video_preprocessor_config.json", video_preprocessor_config())
    _write_json(
        directory / "emoreason_tiny_omni.json",
        {
            "what": "tiny random Qwen2.5-Omni thinker for smoke tests (untrained: answers are noise)",
            "seed": seed,
            "parameters": sum(p.numel() for p in model.parameters()),
        },
    )
    return directory
