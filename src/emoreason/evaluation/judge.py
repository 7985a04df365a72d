"""LLM judge through any OpenAI-compatible endpoint (vLLM, ``swift deploy``, llama.cpp server...).

EMER-style scores (1-10): *clue overlap* (how much of the reference's emotional evidence the
prediction covers) and *label overlap* (how close the emotions it concludes are). Our prompts
(EN, written for this project; EMER's own prompts are Chinese and unpublished as a version)
are versioned by :data:`JUDGE_PROMPT_VERSION`; the judge model and that version go into every
report so scores from different judges are never mixed up silently.

A reply is scored by the first number in it, which must lie in [1, 10]; anything else is a
judge failure (counted by the caller, never a crash). Requests go through the shared
:class:`~emoreason.chat_client.ChatClient` (``temperature=0``, retried on 429/5xx).
"""

from __future__ import annotations

import re

from emoreason.chat_client import ChatClient
from emoreason.errors import BackendError

JUDGE_PROMPT_VERSION = "emoreason-judge-v1"

CLUE_PROMPT = """You compare two descriptions of the same person in a video.
Reference description:
{reference}

Predicted description:
{prediction}

Step 1: list the emotional clues (facial, vocal, verbal, bodily, contextual) in the reference.
Step 2: list those in the prediction.
Step 3: rate from 1 (no overlap) to 10 (all reference clues covered, nothing contradicting)
how well the prediction's clues overlap the reference's.
Answer with the score first, as "Score: N", then one sentence of reason."""

LABEL_PROMPT = """Reference emotion(s) of a person: {reference}
Predicted emotion(s): {prediction}
Rate from 1 (unrelated or opposite) to 10 (same emotions) how much the predicted emotions
overlap the reference emotions. Synonyms count as the same emotion.
Answer with the score first, as "Score: N", then one sentence of reason."""

_NUMBER = re.compile(r"(\d+(?:\.\d+)?)")

__all__ = ["JUDGE_PROMPT_VERSION", "ChatClient", "LLMJudge", "parse_score"]


def parse_score(reply: str, low: float = 1.0, high: float = 10.0) -> float | None:
    """The first number of a judge reply if it lies in [low, high], else None."""
    match = _NUMBER.search(reply or "")
    if match is None:
        return None
    value = float(match.group(1))
    return value if low <= value <= high else None


class LLMJudge:
    """EMER clue / label overlap scores (1-10) from an OpenAI-compatible model."""

    prompt_version = JUDGE_PROMPT_VERSION

    def __init__(self, client: ChatClient) -> None:
        self.client = client

    @property
    def model(self) -> str:
        return self.client.model

    def info(self) -> dict[str, str]:
        return {
            "model": self.client.model,
            "prompt_version": self.prompt_version,
            "endpoint": self.client.base_url,
        }

    def _score(self, prompt: str) -> float | None:
        try:
            return parse_score(self.client.complete(prompt))
        except BackendError:
            return None

    def clue_overlap(self, reference: str, prediction: str) -> float | None:
        return self._score(CLUE_PROMPT.format(reference=reference, prediction=prediction))

    def label_overlap(self, reference: str, prediction: str) -> float | None:
        return self._score(LABEL_PROMPT.format(reference=reference, prediction=prediction))
