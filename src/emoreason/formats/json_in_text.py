"""JSON objects inside a model's free text: the one way every reader of model replies finds them
(the SED parser, the cue extractor, the answer parser).

Candidates are the positions where an object can start (a ``{`` followed by a key's quote or
the closing brace); each is decoded with the standard decoder from there, so text after the
object is ignored. Objects nested in a decoded object are candidates too (a wrapper such as
``{"response": {...}}`` still yields its inner record). At most ``max_candidates`` starts are
tried and a value nested beyond the recursion limit is skipped, so hostile text stays cheap.
"""

from __future__ import annotations

import json
import re
from typing import Any

_OBJECT_START = re.compile(r"\{\s*[\"}]")
_FENCE = re.compile(r"```(?:json|JSON)?\s*\n?(.*?)```", re.DOTALL)
#: At most this many candidate starts are tried per text.
MAX_JSON_CANDIDATES = 256


def json_objects(text: str, *, max_candidates: int = MAX_JSON_CANDIDATES) -> list[dict[str, Any]]:
    """Every JSON object found in ``text``, in order of where it starts."""
    decoder = json.JSONDecoder()
    objects: list[dict[str, Any]] = []
    for tried, match in enumerate(_OBJECT_START.finditer(text or "")):
        if tried >= max_candidates:
            break
        try:
            value, _ = decoder.raw_decode(text, match.start())
        except (json.JSONDecodeError, RecursionError):  # not JSON, or nested beyond the limit
            continue
        if isinstance(value, dict):
            objects.append(value)
    return objects


def fenced_blocks(text: str) -> list[str]:
    """The contents of Markdown code fences (```json ... ```), in order."""
    return _FENCE.findall(text or "")
