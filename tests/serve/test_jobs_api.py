"""The job API through the HTTP client: lifecycle, queue limits, size and duration limits, logs."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from emoreason.schema.labels import EMOTIONS
from emoreason.serve import ServeConfig, create_app
from emoreason.serve.app import probe_seconds


def make_client(analyzers, examples_dir, **config) -> TestClient:
    return TestClient(
        create_app(ServeConfig(examples_dir=str(examples_dir), **config), analyzers=analyzers)
    )


def test_a_job_goes_queued_running_done_and_offers_downloads(
    analyzers, perceiver, examples_dir, wait_for, short_clip
) -> None:
    client = make_client(analyzers, examples_dir)
    perceiver.gate.clear()
    reply = client.post("/jobs", files={"file": ("my clip.mp4", short_clip.read_bytes())})
    assert reply.status_code == 202, reply.text
    job = reply.json()
    assert job["status"] in ("queued", "running") and job["result"] is None
    assert job["name"] == "my clip.mp4" and job["media_url"] is None
    assert perceiver.entered.acquire(timeout=10)
    running = client.get(f"/jobs/{job['id']}").json()
    assert running["status"] == "running" and running["position"] == 0
    assert client.get(f"/jobs/{job['id']}/result.json").status_code == 409  # not finished
    perceiver.gate.set()
    done = wait_for(client, job["id"], "done")
    result = done["result"]
    assert result["emotion"] in EMOTIONS and result["source"] == "my clip.mp4"
    assert result["id"] == "my clip"
    assert done["clip_seconds"] == pytest.approx(probe_seconds(str(short_clip)), abs=0.05)
    assert not Path(perceiver.seen[-1]).exists()  # the uploaded copy is gone
    download = client.get(done["links"]["json"])
    assert download.status_code == 200 and download.json() == result
    assert 'filename="my_clip.json"' in download.headers["content-disposition"]
    report = client.get(done["links"]["report"])
    assert report.status_code == 200 and "<html" in report.text and "my clip" in report.text


def test_an_example_job_plays_from_the_examples_endpoint(
    analyzers, examples_dir, wait_for, short_clip
) -> None:
    client = make_client(analyzers, examples_dir)
    reply = client.post("/jobs", data={"example": "smile_angry_voice.mp4", "lang": "zh"})
    assert reply.status_code == 202, reply.text
    done = wait_for(client, reply.json()["id"], "done")
    assert done["media_url"] == "/examples/smile_angry_voice.mp4"
    assert done["result"]["language"] == "zh"
    clip = client.get(done["media_url"])
    assert clip.status_code == 200 and clip.content == short_clip.read_bytes()
    assert clip.headers["content-type"] == "video/mp4"
    partial = client.get(done["media_url"], headers={"Range": "bytes=0-99"})
    assert partial.status_code == 206 and len(partial.content) == 100  # the video can seek


def test_a_failed_job_names_the_uploaded_file_not_the_temporary_copy(
    analyzers, examples_dir, wait_for
) -> None:
    client = make_client(analyzers, examples_dir)
    job = client.post("/jobs", files={"file": ("broken.mp4", b"BAD bytes")}).json()
    failed = wait_for(client, job["id"], "error")
    assert failed["error"].startswith("broken.mp4: not a decodable video")
    assert "emoreason-" not in failed["error"]
    refused = client.get(f"/jobs/{job['id']}/report.html")
    assert refused.status_code == 409 and "not a decodable video" in refused.json()["error"]


def test_a_full_queue_answers_503_with_retry_after(
    analyzers, perceiver, examples_dir, wait_for, short_clip
) -> None:
    client = make_client(analyzers, examples_dir, queue_size=1)
    perceiver.gate.clear()
    first = client.post("/jobs", data={"example": "smile_angry_voice.mp4"}).json()
    assert perceiver.entered.acquire(timeout=10)  # the first one runs
    second = client.post("/jobs", data={"example": "happy_consistent.mp4"})
    assert second.status_code == 202 and second.json()["position"] == 1
    third = client.post("/jobs", files={"file": ("c.mp4", short_clip.read_bytes())})
    assert third.status_code == 503
    assert int(third.headers["Retry-After"]) >= 1
    assert "busy" in third.json()["error"]
    health = client.get("/health").json()  # the event loop answers while an analysis runs
    assert health["queue"]["running"] == 1 and health["queue"]["waiting"] == 1
    perceiver.gate.set()
    assert wait_for(client, first["id"], "done")["result"] is not None
    assert wait_for(client, second.json()["id"], "done")["result"] is not None
    again = client.post("/jobs", data={"example": "smile_angry_voice.mp4"})
    assert again.status_code == 202  # a slot is free again


def test_upload_size_is_limited_before_and_while_reading(analyzers, examples_dir) -> None:
    client = make_client(analyzers, examples_dir, max_upload_bytes=1000)
    huge = client.post("/jobs", files={"file": ("huge.mp4", b"x" * 200_000)})
    assert huge.status_code == 413 and "limited to 1000" in huge.json()["error"]  # Content-Length
    slightly = client.post("/jobs", files={"file": ("big.mp4", b"x" * 2000)})
    assert slightly.status_code == 413 and slightly.json()["error"].startswith("big.mp4: ")


def test_clip_duration_is_limited(analyzers, examples_dir, short_clip) -> None:
    client = make_client(analyzers, examples_dir, max_clip_seconds=2)
    seconds = probe_seconds(str(short_clip))
    assert seconds is not None and seconds > 2
    for request in (
        {"files": {"file": ("long.mp4", short_clip.read_bytes())}},
        {"data": {"example": "smile_angry_voice.mp4"}},
    ):
        reply = client.post("/jobs", **request)
        assert reply.status_code == 422
        assert re.search(r"lasts 4\.\d s; the limit is 2 s", reply.json()["error"])
    assert client.get("/health").json()["queue"]["waiting"] == 0


def test_bad_submissions_get_one_line_errors(analyzers, examples_dir) -> None:
    client = make_client(analyzers, examples_dir)
    neither = client.post("/jobs", data={"lang": "en"})
    assert neither.status_code == 422 and "exactly one of" in neither.json()["error"]
    both = client.post(
        "/jobs", files={"file": ("a.mp4", b"x")}, data={"example": "smile_angry_voice.mp4"}
    )
    assert both.status_code == 422
    french = client.post("/jobs", data={"example": "smile_angry_voice.mp4", "lang": "fr"})
    assert french.status_code == 422 and "expected 'en' or 'zh'" in french.json()["error"]
    unknown = client.get("/jobs/nope")
    assert unknown.status_code == 404 and "no job 'nope'" in unknown.json()["error"]
    missing_file = client.post("/analyze", data={"lang": "en"})
    assert missing_file.status_code == 422 and "\n" not in missing_file.json()["error"]


def test_analyze_waits_for_the_job_and_a_crash_is_a_500_that_the_worker_survives(
    analyzers, examples_dir, short_clip
) -> None:
    client = make_client(analyzers, examples_dir)
    crash = client.post("/analyze", files={"file": ("c.mp4", b"CRASH")})
    assert crash.status_code == 500 and "internal error" in crash.json()["error"]
    ok = client.post("/analyze", files={"file": ("ok.mp4", short_clip.read_bytes())})
    assert ok.status_code == 200 and ok.json()["source"] == "ok.mp4"
    assert client.get("/health").json()["queue"]["failed"] == 1


@pytest.mark.parametrize(
    "path",
    [
        "/examples/leak.mp4",  # a symlink leaving the folder
        "/examples/README.md",  # in the folder, but not a clip
        "/examples/sub",  # a folder
        "/examples/sub%2Fnested.mp4",
        "/examples/..%2Fsecret.mp4",
        "/examples/%2E%2E%2Fsecret.mp4",
        "/examples/%2Fetc%2Fpasswd",
        "/examples/..%5Csecret.mp4",
    ],
)
def test_the_examples_endpoint_serves_listed_clips_only(analyzers, examples_dir, path) -> None:
    client = make_client(analyzers, examples_dir)
    listed = client.get("/examples").json()
    assert [e["name"] for e in listed] == ["happy_consistent.mp4", "smile_angry_voice.mp4"]
    assert listed[1]["note"] == "sarcasm; audio-aligned" and listed[0]["note"] == ""
    reply = client.get(path)
    assert reply.status_code == 404
    assert b"outside the examples folder" not in reply.content and b"nested" not in reply.content
    name = path.removeprefix("/examples/").replace("%2F", "/").replace("%2E", ".")
    as_job = client.post("/jobs", data={"example": name})
    assert as_job.status_code == 422 and "no bundled example" in as_job.json()["error"]


def test_each_request_is_one_log_line_with_clip_seconds(
    analyzers, examples_dir, caplog, wait_for, short_clip
) -> None:
    client = make_client(analyzers, examples_dir)
    with caplog.at_level(logging.INFO, logger="emoreason.serve.access"):
        job = client.post("/jobs", data={"example": "smile_angry_voice.mp4"}).json()
        client.get("/health")
    lines = [r.getMessage() for r in caplog.records if r.name == "emoreason.serve.access"]
    assert len(lines) == 2
    post = re.fullmatch(r"POST /jobs 202 (\d+\.\d) ms clip=(\d+\.\d+)s", lines[0])
    assert post, lines[0]
    assert float(post.group(2)) == pytest.approx(probe_seconds(str(short_clip)), abs=0.01)
    assert re.fullmatch(r"GET /health 200 \d+\.\d ms clip=-", lines[1])
    wait_for(client, job["id"], "done")


def test_warm_up_runs_once_when_the_server_starts(analyzers, perceiver, examples_dir) -> None:
    app = create_app(ServeConfig(examples_dir=str(examples_dir), warm=True), analyzers=analyzers)
    with TestClient(app) as client:
        assert perceiver.entered.acquire(timeout=10)
        for _ in range(500):
            if client.get("/health").json()["queue"]["models"] == "ready":
                break
        assert client.get("/health").json()["queue"]["models"] == "ready"
        assert [Path(p).name for p in perceiver.seen] == ["happy_consistent.mp4"]


def test_an_unexpected_error_is_a_one_line_500_and_still_logged(
    analyzers, examples_dir, wait_for, caplog, monkeypatch
) -> None:
    import emoreason.pipeline.report as report

    app = create_app(ServeConfig(examples_dir=str(examples_dir)), analyzers=analyzers)
    client = TestClient(app, raise_server_exceptions=False)
    job = client.post("/jobs", data={"example": "smile_angry_voice.mp4"}).json()
    wait_for(client, job["id"], "done")
    monkeypatch.setattr(report, "report_html", lambda results: 1 / 0)
    with caplog.at_level(logging.INFO, logger="emoreason.serve.access"):
        broken = client.get(f"/jobs/{job['id']}/report.html")
    assert broken.status_code == 500
    assert broken.json() == {"error": "internal error (ZeroDivisionError: division by zero)"}
    lines = [r.getMessage() for r in caplog.records if r.name == "emoreason.serve.access"]
    assert len(lines) == 1 and re.match(rf"GET /jobs/{job['id']}/report.html 500 ", lines[0])
