"""A FastAPI app around one warm analyser per language, with a page for people at ``/``.

Endpoints (the JSON ones are in ``/openapi.json``; ``/docs`` renders them offline):

- ``GET /`` - the page: upload or pick an example, watch progress, read the result.
- ``POST /jobs`` - multipart: ``file`` (an upload) or ``example`` (a name from ``/examples``),
  optional ``lang``; 202 with the job (``id``, ``status``, queue ``position``).
- ``GET /jobs/{id}`` - the job's status; the analysis result once it is ``done``.
- ``GET /jobs/{id}/result.json`` and ``/jobs/{id}/report.html`` - downloads.
- ``POST /analyze`` - the same as a job, answered when it is done (the result JSON).
- ``GET /examples``, ``GET /examples/{name}`` - the bundled example clips (listed names only).
- ``GET /health`` - liveness, version, backend, queue; ``GET /schema`` - the result's schema.

Analyses run in one worker thread behind a bounded queue (:mod:`emoreason.serve.jobs`): the
event loop only receives uploads and answers polls. A full queue is a 503 with ``Retry-After``;
an upload over ``max_upload_bytes`` is a 413; a clip over ``max_clip_seconds`` or bad media is a
422. Every error body is ``{"error": "<one line>"}``. Each request is logged as one line on the
``emoreason.serve.access`` logger (method, path, status, ms, clip seconds).
"""

import asyncio
import contextlib
import logging
import os
import re
import threading
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

from fastapi import FastAPI, File, Form, Request, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from emoreason import __version__
from emoreason.errors import EmoreasonError
from emoreason.schema.result import AnalysisResult
from emoreason.serve.config import ServeConfig
from emoreason.serve.examples import ExampleShelf
from emoreason.serve.jobs import Job, JobQueue, QueueFull, set_stage
from emoreason.serve.page import add_page_routes
from emoreason.serve.uploads import UploadTooLarge, save_upload
from emoreason.serve.views import ERROR_RESPONSES, ExampleView, HealthView, JobView

access_log = logging.getLogger("emoreason.serve.access")
LANGUAGES = ("en", "zh")
#: Multipart framing around the file: a request this much over the upload limit is refused
#: from its Content-Length before the body is read.
_FRAMING_SLACK = 64 * 1024


def probe_seconds(path: str) -> float | None:
    """The container's duration in seconds (headers only, nothing decoded).

    None when it cannot be read: the analyser then reports what is wrong with the file.
    """
    import av

    try:
        with av.open(path, mode="r") as container:
            seconds = container.duration / av.time_base if container.duration else 0.0
            for stream in (*container.streams.video[:1], *container.streams.audio[:1]):
                if stream.duration and stream.time_base:
                    seconds = max(seconds, float(stream.duration * stream.time_base))
    except Exception:  # any unreadable container: not ours to judge here
        return None
    return seconds or None


class _StagedPerceiver:
    """The real perceiver, built on first use, that marks the job 'reasoning' once it returns."""

    def __init__(self, options: dict[str, Any]) -> None:
        self._options = options
        self._inner: Any = None

    def perceive(self, path: str) -> Any:
        from emoreason.pipeline.analyze import make_perceiver

        if self._inner is None:
            set_stage("loading models")
            self._inner = make_perceiver(self._options)
        set_stage("perception")
        evidence = self._inner.perceive(path)
        set_stage("reasoning")
        return evidence


def _real_analyzer(config: ServeConfig, lang: str) -> Any:
    from emoreason.pipeline.analyze import Analyzer

    return Analyzer(
        config.backend,
        lang,
        model=config.model,
        base_url=config.base_url,
        include_evidence=config.include_evidence,
        perceiver=_StagedPerceiver({}),
    )


def _error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(
        status_code=status, content={"error": " ".join(message.split())}, headers=headers
    )


def _download_name(name: str, suffix: str) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).stem).strip("._") or "clip"
    return f"{stem}{suffix}"


def create_app(
    config: ServeConfig | None = None,
    analyzers: dict[str, Any] | None = None,
    probe: Callable[[str], float | None] | None = None,
) -> FastAPI:
    """Build the app.

    ``analyzers`` maps language -> an object with ``analyze(path, clip_id) -> AnalysisResult``
    (tests and benchmarks inject fast fakes); missing languages get the real
    :class:`~emoreason.pipeline.analyze.Analyzer`, built once and kept warm. ``probe`` returns a
    clip's duration in seconds or None (default: the container's duration via PyAV).
    """
    config = config or ServeConfig()
    pool: dict[str, Any] = dict(analyzers or {})
    pool_lock = threading.Lock()
    clip_seconds_of = probe or probe_seconds
    shelf = ExampleShelf(config.examples)

    def analyzer_for(lang: str) -> Any:
        with pool_lock:
            if lang not in pool:
                pool[lang] = _real_analyzer(config, lang)
            return pool[lang]

    def run(job: Job) -> AnalysisResult:
        try:
            result = analyzer_for(job.lang).analyze(job.path, clip_id=Path(job.name).stem)
        except EmoreasonError as exc:
            raise EmoreasonError(str(exc).replace(job.path, job.name)) from None
        if job.clip_seconds is None and result.evidence is not None:
            job.clip_seconds = result.evidence.clip.duration
        return result.model_copy(update={"source": job.name})

    def warm_up() -> None:
        analyzer = analyzer_for(config.lang)
        clip = shelf.warmup_clip()
        if clip is not None:
            analyzer.analyze(str(clip), clip_id="warm-up")

    jobs = JobQueue(
        run,
        capacity=config.queue_size,
        keep=config.keep_jobs,
        warmup=warm_up if config.warm else None,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        jobs.start()
        yield
        await run_in_threadpool(jobs.stop, 2.0)  # a running analysis is abandoned, not awaited

    app = FastAPI(
        title="emoreason",
        version=__version__,
        description="Evidence-grounded multimodal emotion analysis of one clip at a time.",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.jobs = jobs
    app.state.config = config

    @app.middleware("http")
    async def log_each_request(request: Request, call_next: Any) -> Response:
        started = time.perf_counter()
        length = request.headers.get("content-length", "")
        if (
            request.method == "POST"
            and length.isdigit()
            and int(length) > config.max_upload_bytes + _FRAMING_SLACK
        ):
            response: Response = _error(
                413, f"request of {length} bytes: uploads are limited to {config.max_upload_bytes}"
            )
        else:
            try:
                response = await call_next(request)
            except Exception:
                log_line(request, 500, started)
                raise
        log_line(request, response.status_code, started)
        return response

    def log_line(request: Request, status: int, started: float) -> None:
        seconds = getattr(request.state, "clip_seconds", None)
        access_log.info(
            "%s %s %d %.1f ms clip=%s",
            request.method,
            request.url.path,
            status,
            (time.perf_counter() - started) * 1000,
            f"{seconds:.2f}s" if seconds is not None else "-",
        )

    @app.exception_handler(StarletteHTTPException)
    async def one_line_http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail), headers=getattr(exc, "headers", None))

    @app.exception_handler(Exception)
    async def one_line_internal_error(_: Request, exc: Exception) -> JSONResponse:
        return _error(500, f"internal error ({type(exc).__name__}: {exc})")

    @app.exception_handler(RequestValidationError)
    async def one_line_validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0] if exc.errors() else {"loc": (), "msg": "invalid request"}
        where = ".".join(str(part) for part in first.get("loc", ()))
        return _error(422, f"{where}: {first.get('msg', 'invalid')}")

    def view(job: Job) -> JobView:
        return JobView.of(job, jobs.position(job), jobs.mean_seconds, shelf.url(job))

    async def accept(
        request: Request, upload: UploadFile | None, example: str | None, lang: str | None
    ) -> Job | JSONResponse:
        """Validate one submission and queue it, or say in one line why not."""
        lang = lang or config.lang
        if lang not in LANGUAGES:
            return _error(422, f"lang: expected 'en' or 'zh', got {lang!r}")
        if (upload is None) == (not example):
            return _error(
                422, "send exactly one of 'file' (an upload) or 'example' (see GET /examples)"
            )
        if example:
            path = shelf.path(example)
            if path is None:
                return _error(422, f"example: no bundled example named {example!r}")
            job = Job(name=example, lang=lang, path=str(path), example=True)
        else:
            assert upload is not None
            try:
                tmp, name = await run_in_threadpool(save_upload, upload, config.max_upload_bytes)
            except UploadTooLarge as exc:
                return _error(413, str(exc))
            job = Job(name=name, lang=lang, path=tmp, cleanup=True)
        job.clip_seconds = await run_in_threadpool(clip_seconds_of, job.path)
        request.state.clip_seconds = job.clip_seconds
        refusal: JSONResponse | None = None
        if job.clip_seconds is not None and job.clip_seconds > config.max_clip_seconds:
            refusal = _error(
                422,
                f"{job.name}: the clip lasts {job.clip_seconds:.1f} s; "
                f"the limit is {config.max_clip_seconds:g} s",
            )
        else:
            try:
                jobs.submit(job)
            except QueueFull as exc:
                refusal = _error(503, str(exc), headers={"Retry-After": str(exc.retry_after)})
        if refusal is not None and job.cleanup:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(job.path)
        return refusal or job

    @app.get("/health", response_model=HealthView)
    def health() -> HealthView:
        return HealthView(
            status="ok",
            version=__version__,
            backend=config.backend,
            lang=config.lang,
            queue=jobs.stats(),
            limits={
                "max_upload_bytes": config.max_upload_bytes,
                "max_clip_seconds": config.max_clip_seconds,
                "queue_size": config.queue_size,
            },
        )

    @app.get("/schema")
    def schema() -> dict[str, Any]:
        return AnalysisResult.model_json_schema()

    @app.post("/jobs", status_code=202, response_model=JobView, responses=ERROR_RESPONSES)
    async def submit_job(
        request: Request,
        file: UploadFile | None = File(None, description="the clip (video or audio)"),
        example: str | None = Form(None, description="or the name of a bundled example"),
        lang: str | None = Form(None, description="language of the text: en or zh"),
    ) -> Any:
        accepted = await accept(request, file, example, lang)
        return accepted if isinstance(accepted, JSONResponse) else view(accepted)

    def find(request: Request, job_id: str) -> Job | JSONResponse:
        job = jobs.get(job_id)
        if job is None:
            return _error(404, f"no job {job_id!r} (unknown, or finished long ago)")
        request.state.clip_seconds = job.clip_seconds
        return job

    @app.get("/jobs/{job_id}", response_model=JobView, responses=ERROR_RESPONSES)
    def job_status(request: Request, job_id: str) -> Any:
        job = find(request, job_id)
        return job if isinstance(job, JSONResponse) else view(job)

    def finished(request: Request, job_id: str) -> AnalysisResult | JSONResponse:
        job = find(request, job_id)
        if isinstance(job, JSONResponse):
            return job
        if job.status != "done":
            return _error(
                409, f"job {job_id} is {job.status}" + (f": {job.error}" * bool(job.error))
            )
        return job.result

    @app.get("/jobs/{job_id}/result.json", responses=ERROR_RESPONSES)
    def job_result(request: Request, job_id: str) -> Any:
        result = finished(request, job_id)
        if isinstance(result, JSONResponse):
            return result
        disposition = f'attachment; filename="{_download_name(result.source, ".json")}"'
        return JSONResponse(
            content=result.model_dump(mode="json"),
            headers={"Content-Disposition": disposition},
        )

    @app.get(
        "/jobs/{job_id}/report.html",
        response_model=None,
        responses={200: {"content": {"text/html": {}}, "description": "the report"}}
        | ERROR_RESPONSES,
    )
    def job_report(request: Request, job_id: str) -> Any:
        from emoreason.pipeline.report import report_html

        result = finished(request, job_id)
        if isinstance(result, JSONResponse):
            return result
        disposition = f'attachment; filename="{_download_name(result.source, ".html")}"'
        return HTMLResponse(report_html([result]), headers={"Content-Disposition": disposition})

    @app.post("/analyze", responses=ERROR_RESPONSES)
    async def analyze(
        request: Request,
        file: UploadFile = File(..., description="the clip (video or audio)"),
        lang: str | None = Form(None, description="language of the text: en or zh"),
    ) -> Any:
        accepted = await accept(request, file, None, lang)
        if isinstance(accepted, JSONResponse):
            return accepted
        try:
            result = await asyncio.wrap_future(accepted.future)
        except EmoreasonError as exc:
            return _error(500 if accepted.internal else 422, str(exc))
        return JSONResponse(content=result.model_dump(mode="json"))

    @app.get("/examples", response_model=list[ExampleView])
    def examples() -> list[ExampleView]:
        return shelf.views()

    @app.get(
        "/examples/{name}",
        response_model=None,
        responses={
            200: {"content": {"video/*": {}, "audio/*": {}}, "description": "the clip"},
            404: ERROR_RESPONSES[404],
        },
    )
    def example_clip(name: str) -> Any:
        path = shelf.path(name)
        if path is None:
            return _error(404, f"no bundled example named {name!r}")
        return FileResponse(path, media_type=shelf.media_type(path))

    add_page_routes(app)
    return app
