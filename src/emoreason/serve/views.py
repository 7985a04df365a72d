"""What the service answers, as typed models (they make ``/openapi.json`` precise)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from emoreason.schema.result import AnalysisResult

if TYPE_CHECKING:
    from emoreason.serve.jobs import Job


class ErrorView(BaseModel):
    error: str = Field(description="one line: what was wrong, naming the file or field")


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"model": ErrorView, "description": "a request that is not valid multipart"},
    404: {"model": ErrorView, "description": "unknown job or example"},
    409: {"model": ErrorView, "description": "the job has not finished (or failed)"},
    413: {"model": ErrorView, "description": "upload larger than the limit"},
    422: {"model": ErrorView, "description": "bad input: media, language, clip too long"},
    500: {"model": ErrorView, "description": "an internal error in the analyser"},
    503: {
        "model": ErrorView,
        "description": "the queue is full; see the Retry-After header (seconds)",
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}


class HealthView(BaseModel):
    status: Literal["ok"]
    version: str
    backend: str
    lang: str
    queue: dict[str, Any] = Field(description="waiting, running, capacity, completed, models")
    limits: dict[str, int | float]


class ExampleView(BaseModel):
    name: str
    bytes: int
    url: str
    note: str = Field(default="", description="what a good analysis of it says")


class JobView(BaseModel):
    """One job as the page polls it."""

    id: str
    status: Literal["queued", "running", "done", "error"]
    stage: str = Field(description="queued, loading models, perception, reasoning, done, error")
    name: str
    lang: Literal["en", "zh"]
    position: int = Field(description="place in the queue (1 = next); 0 once it runs")
    elapsed: float = Field(description="seconds since it started running")
    expected_seconds: float = Field(description="recent mean time of one analysis")
    clip_seconds: float | None = None
    error: str | None = None
    result: AnalysisResult | None = Field(default=None, description="present once done")
    media_url: str | None = Field(default=None, description="where to play the clip from")
    links: dict[str, str]

    @classmethod
    def of(cls, job: Job, position: int, mean_seconds: float, media_url: str | None) -> JobView:
        base = f"/jobs/{job.id}"
        links = {"self": base}
        if job.status == "done":
            links |= {"json": f"{base}/result.json", "report": f"{base}/report.html"}
        return cls(
            id=job.id,
            status=job.status,
            stage=job.stage,
            name=job.name,
            lang=job.lang,  # type: ignore[arg-type]
            position=position,
            elapsed=round(job.elapsed(), 3),
            expected_seconds=round(mean_seconds, 3),
            clip_seconds=job.clip_seconds,
            error=job.error,
            result=job.result if job.status == "done" else None,
            media_url=media_url,
            links=links,
        )
