"""Reasoning with a local Hugging Face model directory (never downloads anything).

Any causal LM works on the SED prompt plus the perceived evidence as text. A Qwen2.5-Omni folder
(full model or thinker only, e.g. SABER-LLM's weights) also gets the clip itself: its frames and
its 16 kHz audio as two streams, in the layout SABER-LLM's inference uses
(:mod:`emoreason.reasoning.omni_media`). If that media path fails the reasoner raises an error
naming the cause; text evidence only is sent when asked (``send_media=False``, ``--text-only``).
Every result records what the model received in ``model_input``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from emoreason.config import ConfigLoading
from emoreason.errors import ConfigError, EmoreasonError, MediaError, ModelNotFoundError
from emoreason.prompts import sed_prompt
from emoreason.reasoning.assemble import result_from_text
from emoreason.reasoning.consistency import ConsistencyConfig
from emoreason.reasoning.evidence_text import evidence_text
from emoreason.reasoning.omni_loading import OMNI_MODEL_TYPES, load_omni_thinker, model_type_of
from emoreason.reasoning.omni_media import MediaLayout, omni_inputs, read_clip, received, text_only
from emoreason.reasoning.omni_processor import load_omni_processor
from emoreason.schema.evidence import Evidence
from emoreason.schema.model_input import ModelInput
from emoreason.schema.result import AnalysisResult

DTYPES = ("auto", "float32", "bfloat16", "float16")


@dataclass
class TransformersConfig(ConfigLoading):
    """Model location, generation and media settings.

    Model: ``model_path``, ``dtype``, ``device``. Generation: ``max_new_tokens``,
    ``do_sample``, ``temperature``. Media (Qwen2.5-Omni folders): ``send_media``, ``video_fps``,
    ``video_min_frames``, ``video_max_frames``, ``video_min_pixels``, ``video_max_pixels``
    (defaults: SABER-LLM's inference settings).
    """

    model_path: str = field(metadata={"help": "local model directory (config.json + weights)"})
    dtype: str = field(
        default="auto",
        metadata={
            "help": f"torch dtype: {'|'.join(DTYPES)} (auto: float32 on CPU, bfloat16 on GPU)"
        },
    )
    device: str = field(default="cpu", metadata={"help": "torch device, e.g. cpu, cuda or cuda:0"})
    max_new_tokens: int = field(default=768, metadata={"help": "generation limit"})
    do_sample: bool = field(default=False, metadata={"help": "sample instead of greedy decoding"})
    temperature: float = field(default=0.7, metadata={"help": "used only with do_sample"})
    send_media: bool = field(
        default=True,
        metadata={
            "help": "give an Omni model the clip's frames and audio (False: text evidence only)"
        },
    )
    video_fps: float = field(default=2.0, metadata={"help": "frames sampled per second"})
    video_min_frames: int = field(default=4, metadata={"help": "fewest frames per clip"})
    video_max_frames: int = field(default=40, metadata={"help": "most frames per clip"})
    video_min_pixels: int = field(default=128 * 28 * 28, metadata={"help": "smallest frame area"})
    video_max_pixels: int = field(
        default=50176, metadata={"help": "largest frame area (never below 1.05 x the smallest)"}
    )

    def __post_init__(self) -> None:
        if self.dtype not in DTYPES:
            raise ConfigError(
                f"TransformersConfig.dtype must be one of {list(DTYPES)}, got {self.dtype!r}"
            )
        if self.max_new_tokens < 1:
            raise ConfigError("TransformersConfig.max_new_tokens must be >= 1")
        if not self.device or self.device.split(":")[0] not in ("cpu", "cuda", "mps", "xpu"):
            raise ConfigError(
                f"TransformersConfig.device must be cpu, cuda, cuda:N, mps or xpu, got {self.device!r}"
            )
        self.layout  # noqa: B018 - validates the media caps now

    @property
    def layout(self) -> MediaLayout:
        """How an Omni model's clips are sampled (the ``video_*`` fields)."""
        return MediaLayout.from_video_fields(self)


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


def torch_dtype(name: str, device: str) -> Any:
    """The torch dtype for ``name``; ``auto``: float32 on CPU, bfloat16 on an accelerator."""
    import torch

    if name == "auto":
        return torch.float32 if device == "cpu" else torch.bfloat16
    return getattr(torch, name)


class TransformersReasoner:
    name = "transformers"

    def __init__(
        self, config: TransformersConfig, consistency: ConsistencyConfig | None = None
    ) -> None:
        self.config = config
        self.consistency = consistency or ConsistencyConfig()
        self.path = check_model_dir(config.model_path)
        self.model_type = model_type_of(self.path)
        self.is_omni = self.model_type in OMNI_MODEL_TYPES
        self._model: Any = None
        self._tokenizer: Any = None
        self._processor: Any = None
        self._video_processor_kind = ""

    def _check_device(self) -> None:
        import torch

        if self.config.device.startswith("cuda") and not torch.cuda.is_available():
            raise ConfigError(
                f"device {self.config.device!r}: torch sees no CUDA GPU here (use --device cpu)"
            )

    def load(self) -> None:
        """Load tokenizer, Omni processor (media on) and model once (local files only)."""
        if self._model is not None:
            return
        import transformers as tf

        from emoreason.assets.hf_quiet import hf_progress_bars_off

        self._check_device()
        local = {"local_files_only": True}
        dtype = torch_dtype(self.config.dtype, self.config.device.split(":")[0])
        try:
            self._tokenizer = tf.AutoTokenizer.from_pretrained(self.path, **local)
        except Exception as exc:
            raise ModelNotFoundError(f"{self.path}: cannot load a tokenizer ({exc})") from None
        if self.is_omni and self.config.send_media:
            self._processor, self._video_processor_kind = load_omni_processor(self.path)
        with hf_progress_bars_off():
            model = self._load_model(tf, dtype, local)
        self._model = model.to(self.config.device).eval()

    def _load_model(self, tf: Any, dtype: Any, local: dict[str, Any]) -> Any:
        if self.is_omni:  # a full model gives its thinker (no talker is built)
            return load_omni_thinker(self.path, dtype)
        errors = []
        for auto in ("AutoModelForCausalLM", "AutoModelForImageTextToText", "AutoModel"):
            try:
                model = getattr(tf, auto).from_pretrained(self.path, dtype=dtype, **local)
                if hasattr(model, "generate"):
                    return model
                errors.append(f"{auto}: {type(model).__name__} cannot generate")
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

    def _media_inputs(self, evidence: Evidence, prompt: str) -> tuple[dict[str, Any], ModelInput]:
        clip = evidence.clip
        if not Path(clip.path).is_file():
            raise MediaError(
                "clip file not found for the model's video/audio input", path=clip.path
            )
        try:
            media = read_clip(
                clip.path,
                has_video=clip.has_video,
                has_audio=clip.has_audio,
                layout=self.config.layout,
                patching=self._patching(),
            )
            inputs = omni_inputs(self._processor, prompt, media)
        except EmoreasonError:
            raise
        except Exception as exc:
            raise MediaError(
                f"the model's video/audio input failed ({type(exc).__name__}: {exc}); "
                "--text-only sends text evidence only",
                path=clip.path,
            ) from None
        ids = {
            "video": self._model.config.video_token_id,
            "audio": self._model.config.audio_token_id,
        }
        return inputs, received(inputs, media, ids, self._video_processor_kind)

    def _patching(self) -> Any:
        from emoreason.reasoning.omni_video import VideoPatching

        return VideoPatching.from_folder(self.path)

    def model_inputs(
        self, evidence: Evidence, lang: str = "en"
    ) -> tuple[dict[str, Any], ModelInput]:
        """The model's inputs for this clip and the record of what they carry."""
        self.load()
        prompt = self.prompt_text(evidence, lang)
        if self.is_omni and self.config.send_media:
            return self._media_inputs(evidence, prompt)
        inputs = dict(self._text_inputs(prompt))
        reason = "text only asked for (send_media off)" if self.is_omni else "text-only model"
        return inputs, text_only(inputs, reason)

    def generate_with_input(self, evidence: Evidence, lang: str = "en") -> tuple[str, ModelInput]:
        """The model's raw answer to the SED prompt for this clip, and what the model received."""
        import torch

        inputs, record = self.model_inputs(evidence, lang)
        inputs = {k: v.to(self.config.device) if hasattr(v, "to") else v for k, v in inputs.items()}
        if "pixel_values_videos" in inputs:  # the vision tower runs in the model's dtype
            inputs["pixel_values_videos"] = inputs["pixel_values_videos"].to(self._model.dtype)
        if "input_features" in inputs:
            inputs["input_features"] = inputs["input_features"].to(self._model.dtype)
        kwargs: dict[str, Any] = {"max_new_tokens": self.config.max_new_tokens}
        if self.config.do_sample:
            kwargs.update(do_sample=True, temperature=self.config.temperature)
        else:
            kwargs["do_sample"] = False
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
        return self._tokenizer.decode(new_tokens, skip_special_tokens=True), record

    def generate(self, evidence: Evidence, lang: str = "en") -> str:
        """The model's raw answer to the SED prompt for this clip."""
        return self.generate_with_input(evidence, lang)[0]

    def reason(self, evidence: Evidence, lang: str = "en") -> AnalysisResult:
        start = time.perf_counter()
        text, record = self.generate_with_input(evidence, lang)
        result = result_from_text(
            evidence,
            text,
            lang=lang,
            backend=self.name,
            model=str(self.path),
            consistency_config=self.consistency,
            timings={"reasoning": round(time.perf_counter() - start, 4)},
        )
        return result.model_copy(update={"model_input": record})
