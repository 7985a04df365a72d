"""transformers backend on a tiny random Llama + a tokenizer built in the test (no downloads)."""

from __future__ import annotations

import json

import pytest

from emoreason.errors import ConfigError, ModelNotFoundError
from emoreason.prompts import sed_prompt
from emoreason.reasoning import create_backend
from emoreason.reasoning.transformers_backend import TransformersConfig, TransformersReasoner
from emoreason.schema.model_input import ModelInput
from synthetic_evidence import make_evidence


@pytest.fixture(scope="module")
def tiny_model_dir(tmp_path_factory):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import LlamaConfig, LlamaForCausalLM, PreTrainedTokenizerFast

    path = tmp_path_factory.mktemp("tiny_llama")
    words = ["[PAD]", "[UNK]", "[BOS]", "[EOS]", "scene", "face", "sad", "happy", "the", "voice"]
    words += [f"w{i}" for i in range(128 - len(words))]
    core = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="[UNK]"))
    core.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core,
        unk_token="[UNK]",
        pad_token="[PAD]",
        bos_token="[BOS]",
        eos_token="[EOS]",
    )
    tokenizer.save_pretrained(path)
    config = LlamaConfig(
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        intermediate_size=64,
        vocab_size=128,
        pad_token_id=0,
        bos_token_id=2,
        eos_token_id=3,
    )
    LlamaForCausalLM(config).save_pretrained(path)
    return path


def test_tiny_model_runs_end_to_end(tiny_model_dir):
    reasoner = TransformersReasoner(
        TransformersConfig(model_path=str(tiny_model_dir), max_new_tokens=8)
    )
    ev = make_evidence("masking")
    result = reasoner.reason(ev, "en")
    assert result.backend == "transformers" and result.model == str(tiny_model_dir)
    # a random model writes no SABER text: the parser reports what is missing, nothing invented
    assert result.missing and set(result.missing) <= {
        "video_desc",
        "audio_desc.speech_content",
        "audio_desc.acoustic_feat",
        "facial_exp_desc",
        "body_lang_desc",
        "sentiment_analysis",
    }
    # the consistency verdict still comes from the evidence
    assert result.consistency.pattern == "masking"
    # a text model gets the evidence as text, and the result says so
    assert (
        result.model_input.media == "text" and result.model_input.text_reason == "text-only model"
    )
    assert result.model_input.text_tokens > 0
    assert "reasoning" in result.timings


def test_prompt_holds_sed_steps_and_evidence(tiny_model_dir):
    reasoner = TransformersReasoner(TransformersConfig(model_path=str(tiny_model_dir)))
    ev = make_evidence("sarcasm")
    for lang in ("en", "zh"):
        prompt = reasoner.prompt_text(ev, lang)
        assert prompt.startswith(sed_prompt(lang))
        assert "lip corners pulled up (smile)" in prompt and "ruined everything" in prompt


def test_model_output_goes_through_the_parser(tiny_model_dir, monkeypatch):
    reasoner = TransformersReasoner(TransformersConfig(model_path=str(tiny_model_dir)))
    answer = {
        "video_desc": "a face",
        "audio_desc": {"speech_content": "great", "acoustic_feat": "loud"},
        "facial_exp_desc": "smile",
        "body_lang_desc": "still",
        "sentiment_analysis": "Sarcastic: the final emotion is angry.",
    }
    monkeypatch.setattr(
        reasoner,
        "generate_with_input",
        lambda ev, lang="en": (
            "```json\n" + json.dumps(answer) + "\n```",
            ModelInput(media="text", text_reason="test", text_tokens=5),
        ),
    )
    result = reasoner.reason(make_evidence("sarcasm"))
    assert result.missing == [] and result.emotion == "angry"
    assert result.model_input == ModelInput(media="text", text_reason="test", text_tokens=5)
    assert result.saber.audio_desc.acoustic_feat == "loud"


def test_missing_model_dir_is_a_clear_error(tmp_path):
    with pytest.raises(ModelNotFoundError, match="model directory not found"):
        TransformersReasoner(TransformersConfig(model_path=str(tmp_path / "nope")))
    with pytest.raises(ModelNotFoundError, match=r"no config\.json"):
        TransformersReasoner(TransformersConfig(model_path=str(tmp_path)))
    with pytest.raises(ConfigError, match="--model PATH"):
        create_backend("transformers")
    with pytest.raises(ConfigError, match="dtype"):
        TransformersConfig(model_path=str(tmp_path), dtype="int3")


def test_registry_knows_backends(tiny_model_dir):
    assert create_backend("rules").name == "rules"
    assert create_backend("transformers", model=str(tiny_model_dir)).name == "transformers"
    with pytest.raises(ConfigError, match=r"unknown backend 'gpt'.*rules"):
        create_backend("gpt")
    with pytest.raises(ConfigError, match="unknown key 'bogus' for TransformersConfig"):
        create_backend("transformers", model=str(tiny_model_dir), options={"bogus": 1})


@pytest.mark.slow
def test_real_small_llm_with_chat_template():
    """SmolLM2-135M-Instruct (package-shipped, converted locally): the chat-template path."""
    assets = pytest.importorskip("emoreason.assets")
    try:
        path = assets.smollm2_dir()
    except Exception as exc:  # the asset package may be absent on a minimal install
        pytest.skip(f"SmolLM2 not available: {exc}")
    reasoner = TransformersReasoner(TransformersConfig(model_path=str(path), max_new_tokens=12))
    result = reasoner.reason(make_evidence("consistent_sad"), "en")
    assert result.backend == "transformers" and result.consistency.resolution == "sad"
    # whatever the model wrote went through the parser: non-empty text lands somewhere
    assert len(result.missing) < 6
