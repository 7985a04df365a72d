"""Media rows for a multimodal model: ms-swift ``<video>``/``<audio>`` rows to thinker inputs.

A Qwen2.5-Omni thinker reads a clip as encoder embeddings written over placeholder tokens: one
``<|VIDEO|>`` per merged vision patch, one ``<|AUDIO|>`` per audio-encoder frame. Training on
ms-swift rows therefore needs, per row:

* the prompt as chat content parts: every ``<video>`` tag of the user text takes the row's next
  ``videos`` entry, every ``<audio>`` tag the next ``audios`` entry (a path to a clip or a sound
  file: its first audio stream, as its own stream), in the order of the tags;
* the prompt's token ids with every placeholder expanded to the clip's encoder length: the
  processor does that from the decoded frames and samples (:meth:`MediaEncoder.prompt_ids`);
* at collation, the clip's features for every row of the batch (:meth:`MediaEncoder.collate`):
  ``input_features``/``feature_attention_mask`` for audio, ``pixel_values_videos``/
  ``video_grid_thw``/``video_second_per_grid`` for video, concatenated in row order (the model
  writes them over the placeholders in that order).

Clips are read exactly as ``analyze --backend transformers`` gives them to the model, in
SABER-LLM's inference layout (:class:`~emoreason.reasoning.omni_media.MediaLayout`: frames at
``fps``, between ``min_frames`` and ``max_frames``, an even count spread over the clip, each
resized to the vision encoder's area bounds; audio as its own 16 kHz stream, at most the 30 s
Whisper window), so the model trains on the inputs it will see. Features of the last
``cache_size`` clips are kept: a pair's chosen and rejected rows, and a clip seen again, are
decoded once.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch

from emoreason.errors import ConfigError, InputError
from emoreason.reasoning.omni_media import MediaLayout, clip_audio, read_clip
from emoreason.reasoning.omni_video import VideoPatching

#: Dataset columns of a media row: the paths of its videos and audios (strings, tag order).
MEDIA_COLUMNS: tuple[str, ...] = ("videos", "audios")
#: Model inputs the processor adds beside ``input_ids``/``attention_mask``.
MEDIA_INPUT_KEYS: tuple[str, ...] = (
    "input_features",
    "feature_attention_mask",
    "pixel_values_videos",
    "video_grid_thw",
    "video_second_per_grid",
)
#: The ms-swift tags and the chat content part each becomes.
MEDIA_TAGS: dict[str, str] = {"<video>": "video", "<audio>": "audio"}
_TAG_PATTERN = re.compile("|".join(re.escape(tag) for tag in MEDIA_TAGS))
#: Seconds of audio the Whisper encoder takes in one window (longer audio is cut there).
AUDIO_WINDOW_SECONDS = 30.0


def media_inputs(batch: Mapping[str, Any]) -> dict[str, torch.Tensor]:
    """The media model inputs present in ``batch`` (empty for a text-only batch)."""
    return {k: batch[k] for k in MEDIA_INPUT_KEYS if batch.get(k) is not None}


def content_parts(text: str) -> list[dict[str, str]]:
    """``"<video><audio>Describe"`` -> ``[{type: video}, {type: audio}, {type: text, ...}]``."""
    parts: list[dict[str, str]] = []
    at = 0
    for match in _TAG_PATTERN.finditer(text):
        if match.start() > at:
            parts.append({"type": "text", "text": text[at : match.start()]})
        parts.append({"type": MEDIA_TAGS[match.group(0)]})
        at = match.end()
    if at < len(text):
        parts.append({"type": "text", "text": text[at:]})
    return parts


def media_conversation(
    prompt: Sequence[Mapping[str, str]], videos: Sequence[str], audios: Sequence[str]
) -> list[dict[str, Any]]:
    """Chat messages with each ``<video>``/``<audio>`` tag as a content part (tags checked)."""
    counts = {"video": 0, "audio": 0}
    messages: list[dict[str, Any]] = []
    for message in prompt:
        parts = content_parts(str(message["content"]))
        for part in parts:
            if part["type"] in counts:
                counts[part["type"]] += 1
        media = any(part["type"] != "text" for part in parts)
        messages.append(
            {"role": message["role"], "content": parts if media else message["content"]}
        )
    for kind, paths in (("video", videos), ("audio", audios)):
        if counts[kind] != len(paths):
            raise InputError(
                f"the prompt has {counts[kind]} <{kind}> tag(s) but the row lists "
                f"{len(paths)} {kind} file(s)",
                field=f"{kind}s",
            )
    return messages


@dataclass
class ClipFeatures:
    """One row's media as model inputs (leading dimension: the row's media items)."""

    tensors: dict[str, torch.Tensor]
    video_tokens: int
    audio_tokens: int


def read_video(path: str, layout: MediaLayout, patching: VideoPatching) -> tuple[np.ndarray, float]:
    """``(frames (T, H, W, 3) uint8 at the encoder's size, sampling rate)`` of ``path``."""
    clip = read_clip(path, has_video=True, has_audio=False, layout=layout, patching=patching)
    if clip.frames is None or clip.frame_rate is None:  # pragma: no cover - read_clip raises
        raise InputError("no video frame could be read", path=path)
    return clip.frames, clip.frame_rate


def read_audio(path: str) -> np.ndarray:
    """The first audio stream of ``path`` as 16 kHz mono float32, at most the Whisper window."""
    samples, _, _ = clip_audio(path, AUDIO_WINDOW_SECONDS)
    if samples is None:
        raise InputError(
            "has no audio stream; remove its <audio> tag or list a file with sound", path=path
        )
    return samples


class MediaEncoder:
    """Row media to model inputs through the model's processor (see the module docstring).

    ``processor`` is called as a Qwen2.5-Omni processor is: ``processor(text=[...],
    videos=[frames] | None, audio=[samples] | None, return_tensors="pt", videos_kwargs=...)``
    returning the expanded ``input_ids`` and the media features; ``processor.apply_chat_template``
    renders content parts. ``layout`` and ``patching`` say how frames are sampled and sized
    (defaults: SABER-LLM's layout, Qwen2.5-Omni's patching); ``video_token_id`` and
    ``audio_token_id`` are the model's placeholder ids, used to check that no placeholder was cut
    from a sequence.
    """

    def __init__(
        self,
        processor: Any,
        layout: MediaLayout | None = None,
        patching: VideoPatching | None = None,
        *,
        video_token_id: int | None = None,
        audio_token_id: int | None = None,
        cache_size: int = 64,
    ) -> None:
        if cache_size < 1:
            raise ConfigError(f"MediaEncoder.cache_size must be >= 1, got {cache_size}")
        self.processor = processor
        self.layout = layout or MediaLayout()
        self.patching = patching or getattr(processor, "patching", None) or VideoPatching()
        self.video_token_id = video_token_id
        self.audio_token_id = audio_token_id
        self.cache_size = cache_size
        self._cache: OrderedDict[tuple[tuple[str, ...], tuple[str, ...]], ClipFeatures] = (
            OrderedDict()
        )

    @property
    def tokenizer(self) -> Any:
        return getattr(self.processor, "tokenizer", self.processor)

    def _render(self, messages: list[dict[str, Any]], generation_prompt: bool) -> str:
        return self.processor.apply_chat_template(
            messages, tokenize=False, add_generation_prompt=generation_prompt
        )

    def _process(
        self, messages: list[dict[str, Any]], videos: Sequence[str], audios: Sequence[str]
    ) -> tuple[list[int], ClipFeatures]:
        text = self._render(messages, generation_prompt=True)
        kwargs: dict[str, Any] = {"text": [text], "return_tensors": "pt"}
        if videos:
            clips = [read_video(path, self.layout, self.patching) for path in videos]
            kwargs["videos"] = [frames for frames, _ in clips]
            # frames are sampled and sized already (as analyze does): normalise and patch only
            kwargs["videos_kwargs"] = {
                "fps": clips[0][1],
                "do_sample_frames": False,
                "do_resize": False,
            }
        if audios:
            kwargs["audio"] = [read_audio(path) for path in audios]
        output = self.processor(**kwargs)
        input_ids = output["input_ids"][0].tolist()
        tensors = {k: torch.as_tensor(output[k]) for k in MEDIA_INPUT_KEYS if k in output}
        return input_ids, ClipFeatures(
            tensors=tensors,
            video_tokens=self._count(input_ids, self.video_token_id),
            audio_tokens=self._count(input_ids, self.audio_token_id),
        )

    @staticmethod
    def _count(ids: Sequence[int], token: int | None) -> int:
        return 0 if token is None else sum(1 for t in ids if t == token)

    def prompt_ids(
        self, prompt: Sequence[Mapping[str, str]], videos: Sequence[str], audios: Sequence[str]
    ) -> list[int]:
        """Token ids of the prompt (generation prompt included), placeholders expanded."""
        messages = media_conversation(prompt, videos, audios)
        ids, features = self._process(messages, videos, audios)
        self._remember((tuple(videos), tuple(audios)), features)
        return ids

    def completion_ids(self, prompt: Sequence[Mapping[str, str]], completion: str) -> list[int]:
        """Token ids of an assistant answer as the chat template closes it (end of turn included)."""
        messages = [{"role": m["role"], "content": str(m["content"])} for m in prompt]
        head = self._render(messages, generation_prompt=True)
        full = self._render([*messages, {"role": "assistant", "content": completion}], False)
        if not full.startswith(head):
            raise ConfigError(
                "the chat template does not render a prompt as the start of prompt + answer; "
                "media rows need a template that does (Qwen2.5-Omni's does)"
            )
        return list(self.tokenizer(full[len(head) :], add_special_tokens=False)["input_ids"])

    def features(self, videos: Sequence[str], audios: Sequence[str]) -> ClipFeatures:
        """The media inputs of one row (decoded once per clip while in the cache)."""
        key = (tuple(videos), tuple(audios))
        if key in self._cache:
            self._cache.move_to_end(key)
            return self._cache[key]
        parts = [{"type": "video"} for _ in videos] + [{"type": "audio"} for _ in audios]
        _, features = self._process([{"role": "user", "content": parts}], videos, audios)
        self._remember(key, features)
        return features

    def _remember(self, key: tuple[tuple[str, ...], tuple[str, ...]], value: ClipFeatures) -> None:
        self._cache[key] = value
        self._cache.move_to_end(key)
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def collate(
        self, rows: Sequence[tuple[Sequence[str], Sequence[str]]], input_ids: torch.Tensor
    ) -> dict[str, torch.Tensor]:
        """Media inputs for batch rows ``(videos, audios)`` in order, checked against ``input_ids``.

        Raises InputError when a row holds fewer placeholders than its clip's features fill
        (the sequence was cut inside the media by ``max_length``).
        """
        clips = [self.features(videos, audios) for videos, audios in rows]
        for index, clip in enumerate(clips):
            row = input_ids[index].tolist()
            for kind, token, expected in (
                ("video", self.video_token_id, clip.video_tokens),
                ("audio", self.audio_token_id, clip.audio_tokens),
            ):
                found = self._count(row, token)
                if found != expected:
                    raise InputError(
                        f"batch row {index} keeps {found} of its {expected} {kind} placeholder "
                        "tokens: max_length cuts the media; raise max_length (or use "
                        "truncation_mode keep_start)",
                        field="max_length",
                    )
        return concatenate_features([clip.tensors for clip in clips])


def concatenate_features(items: Sequence[Mapping[str, torch.Tensor]]) -> dict[str, torch.Tensor]:
    """Row features joined along the media dimension; audio frames padded to the longest."""
    out: dict[str, torch.Tensor] = {}
    for key in MEDIA_INPUT_KEYS:
        present = [item[key] for item in items if key in item]
        if not present:
            continue
        if key in ("input_features", "feature_attention_mask"):
            frames = max(t.shape[-1] for t in present)
            present = [
                torch.nn.functional.pad(t, (0, frames - t.shape[-1])) for t in present
            ]  # (n, [mel,] frames) -> (n, [mel,] longest)
        out[key] = torch.cat(present, dim=0)
    return out
