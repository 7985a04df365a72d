"""The one OpenAI-compatible chat-completions client (the ``openai`` reasoning backend, the LLM
judge and the LLM cue extractor all use it).

``POST {base_url}/chat/completions``; the reply's ``choices[0].message.content`` (a string, or a
list of text parts) is returned as text. A server that is busy or failing (HTTP 429 or 5xx) is
asked again after ``backoff``, ``2 * backoff``, ``4 * backoff`` ... seconds (or the
``Retry-After`` it sent), each wait at most ``max_backoff``, at most ``retries`` more times.
Anything else (an unreachable address, 4xx, a reply that is not a chat completion) fails at
once with a one-line :class:`~emoreason.errors.BackendError`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

from emoreason.errors import BackendError, ConfigError

#: Status codes worth asking again: rate limited, or the server failed on its side.
RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


def reply_text(data: Any) -> str:
    """``choices[0].message.content`` of a chat completion as text; ValueError if absent."""
    try:
        content = data["choices"][0]["message"]["content"]
    except (KeyError, IndexError, TypeError):
        raise ValueError("no choices[0].message.content") from None
    if isinstance(content, list):  # content parts
        content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return str(content or "")


class ChatClient:
    """OpenAI-compatible chat client over httpx with bounded retries (``transport`` for tests)."""

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str | None = None,
        timeout: float = 60.0,
        transport: httpx.BaseTransport | None = None,
        *,
        retries: int = 3,
        backoff: float = 1.0,
        max_backoff: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not base_url.startswith(("http://", "https://")):
            raise ConfigError(f"base_url must start with http:// or https://, got {base_url!r}")
        if not model:
            raise ConfigError("a model name is required (e.g. --judge-model qwen2.5)")
        if retries < 0 or backoff < 0 or max_backoff < 0 or timeout <= 0:
            raise ConfigError("retries, backoff and max_backoff must be >= 0, timeout > 0")
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.retries, self.backoff, self.max_backoff = retries, backoff, max_backoff
        self._sleep = sleep
        headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
        self._client = httpx.Client(timeout=timeout, headers=headers, transport=transport)

    @property
    def url(self) -> str:
        return f"{self.base_url}/chat/completions"

    def wait_before(self, attempt: int, response: httpx.Response) -> float:
        """Seconds to wait before retry ``attempt`` (0-based): Retry-After or the doubling rule."""
        try:
            asked = float(response.headers.get("Retry-After", ""))
        except ValueError:
            asked = self.backoff * 2**attempt
        return min(max(asked, 0.0), self.max_backoff)

    def chat(self, messages: list[dict[str, Any]], **params: Any) -> str:
        """``messages`` (and extra body fields such as ``max_tokens``) -> the assistant's text."""
        body = {"model": self.model, "messages": messages, **params}
        for attempt in range(self.retries + 1):
            try:
                response = self._client.post(self.url, json=body)
            except httpx.HTTPError as exc:
                raise BackendError(
                    f"cannot reach {self.url}: {type(exc).__name__}: {exc}"
                ) from None
            if response.status_code in RETRY_STATUS and attempt < self.retries:
                self._sleep(self.wait_before(attempt, response))
                continue
            break
        if response.status_code != 200:
            snippet = " ".join(response.text.split())[:200]
            tries = (
                f" (after {self.retries + 1} tries)" if response.status_code in RETRY_STATUS else ""
            )
            raise BackendError(f"{self.url} answered HTTP {response.status_code}{tries}: {snippet}")
        try:
            return reply_text(response.json())
        except (ValueError, json.JSONDecodeError):
            raise BackendError(
                f"{self.url}: reply is not a chat completion (no choices[0].message.content)"
            ) from None

    def complete(self, prompt: str, *, json_mode: bool = False) -> str:
        """One user message at temperature 0 -> the assistant's text."""
        extra: dict[str, Any] = {"response_format": {"type": "json_object"}} if json_mode else {}
        return self.chat([{"role": "user", "content": prompt}], temperature=0, **extra)

    def close(self) -> None:
        self._client.close()
