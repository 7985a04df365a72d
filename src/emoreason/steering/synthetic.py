"""Synthetic multimodal contexts for text-only LLMs: text plus stand-in audio / visual spans.

A context spec (YAML or JSON) lists segments in order::

    segments:
      - text: "Subtitle: I'm fine, really."   # tokenized with the model's tokenizer
      - audio: 16          # 16 synthetic audio tokens (modality id 1)
      - visual: 256        # 256 synthetic visual tokens (modality id 2)
      - text_tokens: 8     # 8 random text tokens (no tokenizer needed)
      - text: "How does the speaker feel?"
    max_new_tokens: 16     # optional, default 16
    seed: 0                # optional: seeds the synthetic token ids

Synthetic tokens are ids drawn uniformly from the vocabulary with ``seed``; only their modality
id marks them as audio or visual, which is all AR and UAP look at.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
import yaml

from emoreason.errors import InputError
from emoreason.steering.reallocation import AUDIO, TEXT, VISUAL

SEGMENT_KINDS = ("text", "text_tokens", "audio", "visual")
_SPEC_KEYS = ("segments", "max_new_tokens", "seed")


@dataclass(frozen=True)
class ContextSegment:
    """One span of the context: ``kind`` in SEGMENT_KINDS; ``text`` or ``length``."""

    kind: str
    text: str | None = None
    length: int = 0


@dataclass(frozen=True)
class ContextSpec:
    """An ordered list of segments and the generation length."""

    segments: tuple[ContextSegment, ...]
    max_new_tokens: int = 16
    seed: int = 0
    source: str = field(default="<spec>", compare=False)


def default_context_spec(
    audio: int = 16, visual: int = 256, max_new_tokens: int = 16
) -> ContextSpec:
    """A subtitle, one dense audio span, a long visual span and a question."""
    return ContextSpec(
        segments=(
            ContextSegment("text", text='Subtitle: "I\'m fine, really." Audio:'),
            ContextSegment("audio", length=audio),
            ContextSegment("text", text=" Video:"),
            ContextSegment("visual", length=visual),
            ContextSegment("text", text=" Which emotion does the speaker feel? Answer:"),
        ),
        max_new_tokens=max_new_tokens,
    )


def parse_context_spec(data: Any, source: str = "<spec>") -> ContextSpec:
    """Validate a parsed spec mapping; errors name the source and the field."""
    if not isinstance(data, dict):
        raise InputError("expected a mapping with a 'segments' list", path=source)
    unknown = sorted(set(data) - set(_SPEC_KEYS))
    if unknown:
        raise InputError(
            f"unknown key(s) {', '.join(unknown)}; valid keys: {', '.join(_SPEC_KEYS)}",
            path=source,
        )
    raw = data.get("segments")
    if not isinstance(raw, list) or not raw:
        raise InputError("expected a non-empty list of segments", path=source, field="segments")
    segments = [_parse_segment(item, i, source) for i, item in enumerate(raw)]
    max_new = data.get("max_new_tokens", 16)
    if isinstance(max_new, bool) or not isinstance(max_new, int) or max_new < 1:
        raise InputError(
            f"got {max_new!r}; expected an integer >= 1", path=source, field="max_new_tokens"
        )
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise InputError(f"got {seed!r}; expected an integer", path=source, field="seed")
    return ContextSpec(tuple(segments), max_new_tokens=max_new, seed=seed, source=source)


def _parse_segment(item: Any, index: int, source: str) -> ContextSegment:
    where = f"segments[{index}]"
    if not isinstance(item, dict) or len(item) != 1:
        raise InputError(
            f"expected a mapping with exactly one of {', '.join(SEGMENT_KINDS)}",
            path=source,
            field=where,
        )
    ((kind, value),) = item.items()
    if kind not in SEGMENT_KINDS:
        raise InputError(
            f"unknown segment kind {kind!r}; valid: {', '.join(SEGMENT_KINDS)}",
            path=source,
            field=where,
        )
    if kind == "text":
        if not isinstance(value, str) or not value:
            raise InputError("expected a non-empty string", path=source, field=f"{where}.text")
        return ContextSegment("text", text=value)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(
            f"got {value!r}; expected a token count >= 1", path=source, field=f"{where}.{kind}"
        )
    return ContextSegment(kind, length=value)


def load_context_spec(path: str | Path) -> ContextSpec:
    """Read a spec from a ``.json``, ``.yaml`` or ``.yml`` file."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"cannot read context spec: {exc.strerror or exc}", path=path) from exc
    try:
        data = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as exc:
        mark = getattr(exc, "problem_mark", None)
        line = getattr(exc, "lineno", None) or (mark.line + 1 if mark is not None else None)
        message = "not valid JSON" if isinstance(exc, json.JSONDecodeError) else "not valid YAML"
        message = f"{message}: {getattr(exc, 'problem', None) or getattr(exc, 'msg', exc)}"
        raise InputError(message, path=path, line=line) from exc
    return parse_context_spec(data, source=str(path))


def build_context(
    spec: ContextSpec, vocab_size: int, tokenizer: Any | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """Token ids and modality ids, both (1, seq) LongTensors, for ``spec``.

    ``text`` segments need a tokenizer (``text_tokens`` segments do not).
    """
    generator = torch.Generator().manual_seed(spec.seed)
    ids: list[torch.Tensor] = []
    kinds: list[torch.Tensor] = []
    for index, segment in enumerate(spec.segments):
        if segment.kind == "text":
            if tokenizer is None:
                raise InputError(
                    "text segments need a tokenizer in the model folder; use "
                    "'text_tokens: N' for random text tokens",
                    path=spec.source,
                    field=f"segments[{index}].text",
                )
            tokens = torch.tensor(
                tokenizer(segment.text, add_special_tokens=False)["input_ids"], dtype=torch.long
            )
            modality = TEXT
        else:
            tokens = torch.randint(0, vocab_size, (segment.length,), generator=generator)
            modality = {"text_tokens": TEXT, "audio": AUDIO, "visual": VISUAL}[segment.kind]
        ids.append(tokens)
        kinds.append(torch.full_like(tokens, modality))
    return torch.cat(ids)[None], torch.cat(kinds)[None]  # (1, seq) each
