"""The page's files, offline docs, the CJK font, settings, the CLI's warning and the job queue."""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from emoreason.errors import ConfigError, EmoreasonError
from emoreason.pipeline.report import COLORS
from emoreason.schema.labels import EMOTION_ZH
from emoreason.schema.saber import SABER_DIMENSIONS
from emoreason.serve import ServeConfig, create_app, exposure_warning, is_loopback
from emoreason.serve.jobs import Job, JobQueue, QueueFull
from emoreason.serve.page import STATIC, cjk_font_file

#: The one URL the page may contain: the SVG namespace (an identifier, never fetched).
ALLOWED_URLS = {"http://www.w3.org/2000/svg"}


@pytest.fixture
def client(analyzers) -> TestClient:
    return TestClient(create_app(ServeConfig(), analyzers=analyzers))


def test_the_page_and_its_files_load_nothing_from_elsewhere(client) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    for asset in re.findall(r'(?:src|href)="(/static/[^"]+)"', page.text):
        assert client.get(asset).status_code == 200, asset
    for name in ("index.html", "app.js", "app.css"):
        text = (STATIC / name).read_text(encoding="utf-8")
        urls = set(re.findall(r"(?:https?:)?//[\w.-]+\.[a-z]{2,}[^\s\"')]*", text))
        assert urls <= ALLOWED_URLS, (name, urls - ALLOWED_URLS)


def test_the_page_uses_the_projects_labels_dimensions_and_colours() -> None:
    script = (STATIC / "app.js").read_text(encoding="utf-8")
    for label, chinese in EMOTION_ZH.items():
        assert re.search(rf'{label}: "{chinese}"', script), label
    for label, colour in COLORS.items():
        assert re.search(rf'{label}: "{colour}"', script), label
    block = re.search(r"const DIMENSIONS = \[(.*?)\];", script, re.S)
    assert block and re.findall(r'"([\w.]+)"', block.group(1)) == list(SABER_DIMENSIONS)


def test_docs_are_served_from_this_machine(client) -> None:
    docs = client.get("/docs")
    if docs.status_code == 404:
        pytest.skip("swagger-ui-bundle-v2 (the serve extra) is not installed: no /docs")
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", docs.text)
    assert urls and all(u.startswith("/") for u in urls), urls
    assert client.get("/docs/assets/swagger-ui-bundle.js").status_code == 200
    assert client.get("/redoc").status_code == 404  # no offline ReDoc: dropped
    assert "/jobs" in client.get("/openapi.json").json()["paths"]


def test_the_cjk_font_is_one_face_with_chinese_glyphs(client) -> None:
    font = client.get("/fonts/cjk")
    if cjk_font_file() is None:
        assert font.status_code == 404
        pytest.skip("no CJK font installed here (Debian: fonts-wqy-microhei or fonts-noto-cjk)")
    assert font.status_code == 200 and font.content[:4] in (b"\x00\x01\x00\x00", b"OTTO")
    import io

    from fontTools.ttLib import TTFont

    cmap = TTFont(io.BytesIO(font.content)).getBestCmap()
    assert all(ord(ch) in cmap for ch in "开心悲伤愤怒")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [("127.0.0.1", True), ("127.8.0.3", True), ("::1", True), ("[::1]", True),
     ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.4", False),
     ("example.org", False)],
)  # fmt: skip
def test_only_loopback_hosts_pass_without_a_warning(host: str, loopback: bool) -> None:
    assert is_loopback(host) is loopback
    warning = exposure_warning(host)
    assert (warning is None) is loopback
    if warning:
        assert host in warning and "no authentication" in warning


def test_settings_are_validated(tmp_path: Path) -> None:
    for bad, field in (
        ({"max_clip_seconds": 0}, "max_clip_seconds"),
        ({"queue_size": -1}, "queue_size"),
        ({"keep_jobs": 0}, "keep_jobs"),
        ({"examples_dir": str(tmp_path / "missing")}, "examples_dir"),
    ):
        with pytest.raises(ConfigError, match=field):
            ServeConfig(**bad)
    assert ServeConfig(examples_dir=str(tmp_path)).examples == tmp_path


def test_the_cli_warns_when_bound_beyond_loopback(monkeypatch) -> None:
    import uvicorn

    from emoreason.cli.app import app

    started: list[dict] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.append(kw))
    runner = CliRunner()
    outside = runner.invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123", "--no-warm"])
    assert outside.exit_code == 0, outside.output
    assert "warning: binding to 0.0.0.0" in outside.output
    assert started[-1] == {"host": "0.0.0.0", "port": 8123, "log_level": "warning",
                           "access_log": False}  # fmt: skip
    inside = runner.invoke(app, ["serve", "--no-warm"])
    assert inside.exit_code == 0 and "warning" not in inside.output
    assert "http://127.0.0.1:8000/" in inside.output
    assert any(
        not isinstance(h, logging.NullHandler) for h in logging.getLogger("emoreason").handlers
    )


def _upload(tmp_path: Path, name: str) -> Job:
    path = tmp_path / name
    path.write_bytes(b"clip")
    return Job(name=name, lang="en", path=str(path), cleanup=True)


def test_stopping_the_queue_fails_waiting_jobs_and_removes_their_uploads(tmp_path) -> None:
    release = threading.Event()
    queue = JobQueue(lambda job: release.wait(10) and "result", capacity=2)
    running, waiting = _upload(tmp_path, "a.mp4"), _upload(tmp_path, "b.mp4")
    queue.submit(running)
    for _ in range(500):
        if running.status == "running":
            break
        time.sleep(0.01)
    queue.submit(waiting)
    also_waiting = queue.submit(_upload(tmp_path, "c.mp4"))  # capacity 2: two may wait
    with pytest.raises(QueueFull) as full:
        queue.submit(_upload(tmp_path, "d.mp4"))
    assert full.value.retry_after >= 1
    stopper = threading.Thread(target=queue.stop)
    stopper.start()
    assert waiting.future.exception(5) is not None and waiting.status == "error"
    release.set()
    stopper.join(10)
    assert running.future.result(5) == "result"
    assert also_waiting.status == "error"
    assert not any(os.path.exists(j.path) for j in (running, waiting, also_waiting))


def test_finished_jobs_are_forgotten_beyond_keep(tmp_path) -> None:
    queue = JobQueue(lambda job: job.name, capacity=10, keep=2)
    jobs = [queue.submit(_upload(tmp_path, f"{i}.mp4")) for i in range(4)]
    assert [j.future.result(5) for j in jobs] == ["0.mp4", "1.mp4", "2.mp4", "3.mp4"]
    queue.submit(_upload(tmp_path, "4.mp4")).future.result(5)
    kept = [j for j in jobs if queue.get(j.id) is not None]
    assert len(kept) <= 2 and queue.get(jobs[0].id) is None
    failing = JobQueue(lambda job: (_ for _ in ()).throw(EmoreasonError("x.mp4: bad")))
    job = failing.submit(_upload(tmp_path, "x.mp4"))
    with pytest.raises(EmoreasonError, match="bad"):
        job.future.result(5)
    assert job.error == "x.mp4: bad" and not job.internal


def _serve(monkeypatch, args: list[str]) -> tuple[Any, list[Any]]:
    """Run ``emoreason serve ARGS`` with uvicorn replaced: (result, the configs it would serve)."""
    import uvicorn

    import emoreason.serve
    from emoreason.cli.app import app

    served: list[Any] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: None)
    monkeypatch.setattr(emoreason.serve, "create_app", served.append)
    return CliRunner().invoke(app, ["serve", *args]), served


def test_a_serve_config_file_with_flags_on_top(monkeypatch, tmp_path: Path) -> None:
    path = tmp_path / "serve.yaml"
    path.write_text("port: 8200\nqueue_size: 2\nlang: zh\nwarm: false\n")
    result, served = _serve(monkeypatch, ["--config", str(path), "--queue-size", "5"])
    assert result.exit_code == 0, result.output
    config = served[-1]
    assert (config.port, config.lang, config.warm) == (8200, "zh", False)  # from the file
    assert config.queue_size == 5  # a flag given beats the file
    assert config.backend == "rules" and config.max_upload_bytes == 200 * 1024 * 1024  # defaults
    assert "http://127.0.0.1:8200/" in result.output


@pytest.mark.parametrize(
    ("text", "line", "key"),
    [
        ("port: 8200\n\nqueue_sise: 2\n", 3, "queue_sise"),
        ("lang: en\nport: 99999\n", 2, "port"),
        ("host: 127.0.0.1\nwarm: sometimes\n", 2, "warm"),
        ("backend: rulez\n", 1, "backend"),
        ("max_clip_seconds: [1]\n", 1, "max_clip_seconds"),
    ],
)
def test_a_bad_serve_config_names_file_line_and_key(monkeypatch, tmp_path, text, line, key):
    path = tmp_path / "serve.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        ServeConfig.from_yaml(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:{line}: ") and key in message and "\n" not in message
    result, served = _serve(monkeypatch, ["--config", str(path)])
    assert result.exit_code != 0 and not served
    assert f"serve.yaml:{line}:" in result.output and key in result.output
    assert "Traceback" not in result.output


def test_serve_choices_are_listed_and_checked(monkeypatch) -> None:
    result, served = _serve(monkeypatch, ["--backend", "rulez"])
    assert result.exit_code == 2 and not served
    assert "rules" in result.output and "transformers" in result.output
    result, _ = _serve(monkeypatch, ["--lang", "fr"])
    assert result.exit_code == 2 and "'en'" in result.output and "'zh'" in result.output
