"""The languages emoreason writes and reads (prompts, explanations, SABER text): one place."""

from __future__ import annotations

from typing import Literal, cast

Language = Literal["en", "zh"]
#: Every supported language, default first.
LANGUAGES: tuple[Language, ...] = ("en", "zh")


def check_language(lang: str) -> Language:
    """``lang`` as a :data:`Language`; ValueError naming the supported ones otherwise."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGUAGES)}")
    return cast(Language, lang)
