"""Checks on Chinese text: which Latin-script words it keeps outside quoted outside text."""

from __future__ import annotations

import re

#: Latin-script words Chinese text may keep: units, names of measures, language codes, and an
#: exception's class name (outside text).
KEPT_IN_ZH = {"Hz", "dB", "dBFS", "jitter", "shimmer", "VADER", "en", "zh", "de", "RuntimeError"}


def latin_words(zh_text: str) -> set[str]:
    """Latin-script words of a Chinese text outside “quoted” outside text, less KEPT_IN_ZH."""
    unquoted = re.sub(r"“[^”]*”", "", zh_text)
    return set(re.findall(r"[A-Za-z]{2,}", unquoted)) - KEPT_IN_ZH
