"""A Qwen2.5-Omni processor that works where torchvision does not.

:func:`load_omni_processor` returns transformers' ``Qwen2_5OmniProcessor`` when it loads (its
video processor needs torchvision), else :class:`FrameOmniProcessor`: the same call
(``processor(text=[...], videos=[frames], audio=[samples], return_tensors="pt")``) built from the
folder's tokenizer, Whisper feature extractor and video settings, with video pixels made by
:mod:`emoreason.reasoning.omni_video`. Placeholders are expanded as Qwen2.5-Omni's processor
does: each ``<|AUDIO|>`` becomes one token per audio-encoder output frame, each ``<|VIDEO|>``
one token per merged 2x2 patch window of each frame pair, each ``<|IMAGE|>`` likewise for a
picture. Audio and video stay separate streams (no ``use_audio_in_video`` interleaving).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.errors import ConfigError, InputError, ModelNotFoundError
from emoreason.reasoning.omni_video import VideoPatching, video_pixel_inputs, video_token_count

#: Seconds per temporal patch = temporal_patch_size / fps; Qwen2.5-Omni's processor default fps.
DEFAULT_FPS = 2.0


def audio_token_count(mel_frames: int) -> int:
    """``<|AUDIO|>`` tokens for ``mel_frames`` feature frames (conv stride 2, then 2x pooling)."""
    after_conv = (mel_frames - 1) // 2 + 1
    return (after_conv - 2) // 2 + 1


def _frames_array(video: Any) -> np.ndarray:
    frames = np.asarray(video) if not isinstance(video, list) else np.stack(video)
    if frames.ndim != 4 or frames.shape[-1] != 3:
        raise InputError(f"a video must be frames of shape (T, H, W, 3), got {frames.shape}")
    return frames.astype(np.uint8, copy=False)


class FrameOmniProcessor:
    """Qwen2.5-Omni processor calls on tokenizer + feature extractor + frame patcher (no torchvision)."""

    #: no transformers video processor: video pixels come from :mod:`omni_video`
    video_processor = None

    def __init__(
        self,
        tokenizer: Any,
        feature_extractor: Any,
        patching: VideoPatching,
        image_processor: Any = None,
        chat_template: str | None = None,
    ) -> None:
        self.tokenizer = tokenizer
        self.feature_extractor = feature_extractor
        self.image_processor = image_processor
        self.patching = patching
        self.chat_template = chat_template or getattr(tokenizer, "chat_template", None)
        self.audio_token = tokenizer.audio_token
        self.video_token = tokenizer.video_token
        self.image_token = tokenizer.image_token
        self._placeholder = re.compile(
            "|".join(re.escape(t) for t in (self.audio_token, self.video_token, self.image_token))
        )

    @classmethod
    def from_folder(cls, path: str | Path) -> FrameOmniProcessor:
        import transformers as tf

        folder = Path(path)
        local = {"local_files_only": True}
        try:
            tokenizer = tf.AutoTokenizer.from_pretrained(folder, **local)
            features = tf.AutoFeatureExtractor.from_pretrained(folder, **local)
        except Exception as exc:
            raise ModelNotFoundError(
                f"{folder}: cannot load the Omni tokenizer / feature extractor ({exc})"
            ) from None
        for name in ("audio_token", "video_token", "image_token"):
            if not getattr(tokenizer, name, None):
                raise ModelNotFoundError(
                    f"{folder}: the tokenizer has no {name} (not an Omni folder)"
                )
        try:
            images = tf.AutoImageProcessor.from_pretrained(folder, backend="pil", **local)
        except Exception:
            images = None  # pictures are optional; clips never need them
        return cls(tokenizer, features, VideoPatching.from_folder(folder), images)

    def apply_chat_template(self, conversation: Any, **kwargs: Any) -> Any:
        """The tokenizer's chat template (media parts become one placeholder each)."""
        kwargs.setdefault("chat_template", self.chat_template)
        return self.tokenizer.apply_chat_template(conversation, **kwargs)

    def _video_inputs(self, videos: Sequence[Any], options: dict[str, Any]) -> dict[str, Any]:
        size = options.get("size") or {}
        patching = self.patching.with_pixels(
            options.get("min_pixels", size.get("shortest_edge")),
            options.get("max_pixels", size.get("longest_edge")),
        )
        if options.get("do_resize") is False:
            patching = patching.with_pixels(1, 1 << 40)  # keep the caller's (already valid) size
        fps = float(options.get("fps") or DEFAULT_FPS)
        parts = [video_pixel_inputs(_frames_array(v), patching) for v in videos]
        return {
            "pixel_values_videos": np.concatenate([p["pixel_values_videos"] for p in parts]),
            "video_grid_thw": np.concatenate([p["video_grid_thw"] for p in parts]),
            "video_second_per_grid": np.full(
                len(parts), patching.temporal_patch_size / fps, dtype=np.float32
            ),
        }

    def _audio_inputs(self, audio: Sequence[Any]) -> dict[str, Any]:
        out = self.feature_extractor(
            [np.asarray(a, dtype=np.float32) for a in audio],
            sampling_rate=self.feature_extractor.sampling_rate,
            padding="max_length",
            return_attention_mask=True,
            return_tensors="np",
        )
        return {
            "input_features": out["input_features"],
            "feature_attention_mask": out["attention_mask"],
        }

    def _expand(self, texts: list[str], counts: dict[str, list[int]]) -> list[str]:
        queues = {token: list(reversed(n)) for token, n in counts.items()}
        expanded = []
        for text in texts:

            def one(match: re.Match[str]) -> str:
                token = match.group(0)
                if not queues[token]:
                    raise InputError(f"more {token} placeholders in the text than inputs given")
                return token * queues[token].pop()

            expanded.append(self._placeholder.sub(one, text))
        left = {token: len(q) for token, q in queues.items() if q}
        if left:
            raise InputError(f"inputs without a placeholder in the text: {left}")
        return expanded

    def __call__(
        self,
        text: str | list[str],
        images: Sequence[Any] | None = None,
        videos: Sequence[Any] | None = None,
        audio: Sequence[Any] | None = None,
        *,
        return_tensors: str | None = None,
        padding: bool | str = False,
        videos_kwargs: dict[str, Any] | None = None,
        **unused: Any,
    ) -> Any:
        """Expanded ``input_ids``/``attention_mask`` plus the media features, as Qwen2.5-Omni's."""
        from transformers import BatchFeature

        options = dict(videos_kwargs or {})
        if options.get("use_audio_in_video") or unused.get("use_audio_in_video"):
            raise ConfigError("use_audio_in_video is not supported here: pass the audio separately")
        texts = [text] if isinstance(text, str) else list(text)
        data: dict[str, Any] = {}
        counts: dict[str, list[int]] = {
            self.audio_token: [],
            self.video_token: [],
            self.image_token: [],
        }
        if audio:
            data.update(self._audio_inputs(audio))
            lengths = data["feature_attention_mask"].sum(-1)
            counts[self.audio_token] = [audio_token_count(int(n)) for n in lengths]
        if videos:
            data.update(self._video_inputs(videos, options))
            merge = self.patching.merge_size
            counts[self.video_token] = [video_token_count(g, merge) for g in data["video_grid_thw"]]
        if images:
            if self.image_processor is None:
                raise ModelNotFoundError("this folder has no image processor config")
            pictures = self.image_processor(list(images), return_tensors="np")
            data.update(pictures)
            merge = self.image_processor.merge_size
            counts[self.image_token] = [
                int(np.prod(g)) // merge**2 for g in pictures["image_grid_thw"]
            ]
        encoded = self.tokenizer(self._expand(texts, counts), padding=padding, padding_side="left")
        data.update(encoded)
        return BatchFeature(data, tensor_type=return_tensors)


def load_omni_processor(path: str | Path) -> tuple[Any, str]:
    """(processor, kind) for an Omni folder: transformers' own when it loads ("transformers"),
    else :class:`FrameOmniProcessor` ("emoreason-frames": its video processor needs torchvision)."""
    import transformers as tf

    try:
        processor = tf.AutoProcessor.from_pretrained(Path(path), local_files_only=True)
        if getattr(processor, "video_processor", None) is not None:
            return processor, "transformers"
    except Exception:  # torchvision missing or unusable (ImportError, RuntimeError, ...):
        pass  # patch frames ourselves; a broken folder is reported by FrameOmniProcessor
    return FrameOmniProcessor.from_folder(path), "emoreason-frames"
