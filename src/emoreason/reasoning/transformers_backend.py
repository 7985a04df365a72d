"""Reasoning with a local Hugging Face model directory (never downloads anything).

Any causal LM works on the SED prompt plus the perceived evidence as text. When the directory
holds a multimodal processor (Qwen2.5-Omni family, SABER-LLM weights) and ``send_media`` is on,
the clip's video and audio go in as chat content parts through the processor's chat template;
if that path fails the backend falls back to text and says so in ``media_status``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emoreason.config import ConfigLoading
from emoreason.errors import ConfigError, ModelNotFoundError
from emoreason.prompts import sed_prompt
from emoreason.reasoning.assemble import result_from_text
from emoreason.reasoning.consistency import ConsistencyConfig
from emoreason.reasoning.evidence_text import evidence_text
from emoreason.schema.evidence import Evidence
from emoreason.schema.result import AnalysisResult

DTYPES = ("auto", "float32", "bfloat16", "float16")


@dataclass
class TransformersConfig(ConfigLoading):
    """Model location, generation and media settings.

    Model: ``model_path``, ``dtype``, ``device``. Generation: ``max_new_tokens``,
    ``do_sample``, ``temperature``. Media: ``send_media``.
    """

    model_path: str = field(metadata={"help": "local model directory (config.json + weights)"})
    dtype: str = field(default="auto", metadata={"help": f"torch dtype: {'|'.join(DTYPES)}"})
    device: str = field(default="cpu", metadata={"help": "torch device, e.g. cpu or cuda:0"})
    max_new_tokens: int = field(default=768, metadata={"help": "generation limit"})
    do_sample: bool = field(default=False, metadata={"help": "sample instead of greedy decoding"})
    temperature: float = field(default=0.7, metadata={"help": "used only with do_sample"})
    send_media: bool = field(
        default=True, metadata={"help": "give video+audio to a multimodal processor if present"}
    )

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ConfigError(
                f"TransformersConfig.dtype must be one of {list(DTYPES)}, got {self.dtype!r}"
            )
        if self.max_new_tokens < 1:
            raise ConfigError("TransformersConfig.max_new_tokens must be >= 1")


def check_model_dir(path: str | Path) -> Path:
    """The model directory, or ModelNotFoundError saying what is missing."""
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelNotFoundError(
            f"model directory not found: {p} (give a local Hugging Face model folder with --model; "
            "nothing is downloaded)"
        )
    if not (p / "config.json").is_file():
        raise ModelNotFoundError(f"{p}: not a Hugging Face model folder (no config.json)")
    return p


class TransformersReasoner:
    name = "transformers"

    def __init__(
        self, config: TransformersConfig, consistency: ConsistencyConfig | None = None
    ) -> None:
        self.config = config
        self.consistency = consistency or ConsistencyConfig()
        self.path = check_model_dir(config.model_path)
        self._model: Any = None
        self._tokenizer: Any = None
        self._processor: Any = None
        self.media_status = "not used"

    def load(self) -> None:
        """Load tokenizer/processor and model once (local files only)."""
        if self._model is not None:
            return
        import torch
        import transformers as tf

        from emoreason.assets.hf_quiet import hf_progress_bars_off

        local = {"local_files_only": True}
        dtype = "auto" if self.config.dtype == "auto" else getattr(torch, self.config.dtype)
        try:
            self._tokenizer = tf.AutoTokenizer.from_pretrained(self.path, **local)
        except Exception as exc:
            raise ModelNotFoundError(f"{self.path}: cannot load a tokenizer ({exc})") from None
        if self.config.send_media:
            try:
                processor = tf.AutoProcessor.from_pretrained(self.path, **local)
                takes_media = any(
                    hasattr(processor, a) for a in ("video_processor", "feature_extractor")
                )
                self._processor = processor if takes_media else None
            except Exception:
                self._processor = None
        errors = []
        for auto in ("AutoModelForCausalLM", "AutoModelForImageTextToText", "AutoModel"):
            try:
                with hf_progress_bars_off():
                    model = getattr(tf, auto).from_pretrained(self.path, dtype=dtype, **local)
                if hasattr(model, "generate"):
                    self._model = model.to(self.config.device).eval()
                    return
            except Exception as exc:
                errors.append(f"{auto}: {type(exc).__name__}")
        raise ModelNotFoundError(
            f"{self.path}: no generative model could be loaded ({'; '.join(errors)})"
        )

    def prompt_text(self, evidence: Evidence, lang: str) -> str:
        return sed_prompt(lang) + "\n\n" + evidence_text(evidence, lang)  # type: ignore[arg-type]

    def _text_inputs(self, prompt: str) -> Any:
        tok = self._tokenizer
        if getattr(tok, "chat_template", None):
            messages = [{"role": "user", "content": prompt}]
            return tok.apply_chat_template(
                messages, add_generation_prompt=True, return_tensors="pt", return_dict=True
            )
        return tok(prompt, return_tensors="pt")

    def _media_inputs(self, evidence: Evidence, prompt: str) -> Any | None:
        if self._processor is None or not Path(evidence.clip.path).is_file():
            return None
        content: list[dict[str, Any]] = []
        if evidence.clip.has_video:
            content.append({"type": "video", "video": evidence.clip.path})
        if evidence.clip.has_audio:
            content.append({"type": "audio", "audio": evidence.clip.path})
        content.append({"type": "text", "text": prompt})
        try:
            inputs = self._processor.apply_chat_template(
                [{"role": "user", "content": content}],
                add_generation_prompt=True,
                tokenize=True,
                return_dict=True,
                return_tensors="pt",
            )
            self.media_status = "video+audio given to the processor"
            return inputs
        except Exception as exc:
            self.media_status = f"media not used ({type(exc).__name__}); text evidence only"
            return None

    def generate(self, evidence: Evidence, lang: str = "en") -> str:
        """The model's raw answer to the SED prompt for this clip."""
        import torch

        self.load()
        prompt = self.prompt_text(evidence, lang)
        inputs = (self._media_inputs(evidence, prompt) if self.config.send_media else None) or (
            self._text_inputs(prompt)
        )
        inputs = {k: v.to(self.config.device) if hasattr(v, "to") else v for k, v in inputs.items()}
        kwargs: dict[str, Any] = {"max_new_tokens": self.config.max_new_tokens}
        if self.config.do_sample:
            kwargs.update(do_sample=True, temperature=self.config.temperature)
        else:
            kwargs["do_sample"] = False
        if "Omni" in type(self._model).__name__:
            kwargs["return_audio"] = False  # text answer only
        pad = getattr(self._tokenizer, "pad_token_id", None)
        if pad is None:
            pad = getattr(self._tokenizer, "eos_token_id", None)
        if pad is not None:
            kwargs["pad_token_id"] = pad
        with torch.inference_mode():
            output = self._model.generate(**inputs, **kwargs)
        if isinstance(output, tuple):  # some omni models return (text_ids, audio)
            output = output[0]
        new_tokens = output[0, inputs["input_ids"].shape[1] :]  # (seq,) generated part only
        return self._tokenizer.decode(new_tokens, skip_special_tokens=True)

    def reason(self, evidence: Evidence, lang: str = "en") -> AnalysisResult:
        start = time.perf_counter()
        text = self.generate(evidence, lang)
        return result_from_text(
            evidence,
            text,
            lang=lang,
            backend=self.name,
            model=str(self.path),
            consistency_config=self.consistency,
            timings={"reasoning": round(time.perf_counter() - start, 4)},
        )
