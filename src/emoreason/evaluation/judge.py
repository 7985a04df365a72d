"""LLM judge through any OpenAI-compatible endpoint (vLLM, ``swift deploy``, llama.cpp server...).

EMER-style scores (1-10): *clue overlap* (how much of the reference's emotional evidence the
prediction covers) and *label overlap* (how close the emotions it concludes are). Our prompts
(EN, written for this project; EMER's own prompts are Chinese and unpublished as a version)
are versioned by :data:`JUDGE_PROMPT_VERSION`; the judge model and that version go into every
report so scores from different judges are never mixed up silently.

A reply is scored by the first number in it, which must lie in [1, 10]; anything else is a
judge failure (counted by the caller, never a crash). Requests: ``POST {base_url}/chat/completions``
with ``temperature=0``.
"""

from __future__ import annotations

import json
import re
from typing import Any

import httpx

from emoreason.errors import ConfigError, InputError

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


class ChatClient:
    """Minimal OpenAI-compatible chat client over httpx (``transport`` for tests)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"base_url must start with http:// or https://, got {base_url!r}")
        if not model:
            raise ConfigError(
                "a judge/extractor model name is required (e.g. --judge-model qwen2.5)"
            )
        self.base_url = base_url.rstrip("/")
        self.model = model
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers, transport=transport)

    def complete(self, prompt: str, *, json_mode: bool = False) -> str:
        """One user message -> the assistant's text. Raises InputError on HTTP/shape errors."""
        body: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": "user", "content": prompt}],
            "temperature": 0,
        }
        if json_mode:
            body["response_format"] = {"type": "json_object"}
        url = f"{self.base_url}/chat/completions"
        try:
            response = self._client.post(url, json=body)
            response.raise_for_status()
            data = response.json()
            return str(data["choices"][0]["message"]["content"] or "")
        except httpx.HTTPError as exc:
            raise InputError(f"request failed: {exc}", path=url) from exc
        except (KeyError, IndexError, TypeError, json.JSONDecodeError) as exc:
            raise InputError("reply is not an OpenAI chat completion", path=url) from exc

    def close(self) -> None:
        self._client.close()


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
        except InputError:
            return None

    def clue_overlap(self, reference: str, prediction: str) -> float | None:
        return self._score(CLUE_PROMPT.format(reference=reference, prediction=prediction))

    def label_overlap(self, reference: str, prediction: str) -> float | None:
        return self._score(LABEL_PROMPT.format(reference=reference, prediction=prediction))
