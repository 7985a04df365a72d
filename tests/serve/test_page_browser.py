"""The page in a real headless Chromium (Debian's, driven by Playwright; nothing downloaded).

The server runs on a free loopback port in a thread. Most runs use the synthetic analyser
(fast, no models) behind the real reasoning backend; one slow run analyses a clip for real.
Screenshots are kept in ``test-artifacts/serve/`` (or ``$EMOREASON_TEST_ARTIFACTS``).
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from emoreason.schema.labels import EMOTIONS
from emoreason.serve import ServeConfig, create_app
from emoreason.serve.page import cjk_font_file
from emoreason.serve.testing import serve_in_thread, synthetic_analyzers

playwright_api = pytest.importorskip(
    "playwright.sync_api", reason="playwright (dev extra) is not installed"
)
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(os.environ.get("EMOREASON_TEST_ARTIFACTS", ROOT / "test-artifacts")) / "serve"
CJK = re.compile(r"[\u4e00-\u9fff]")


def chromium_path() -> str | None:
    return (
        os.environ.get("EMOREASON_CHROMIUM")
        or shutil.which("chromium")
        or next(
            (p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()),
            None,
        )
    )


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    executable = chromium_path()
    if executable is None:
        pytest.skip(
            "no system Chromium: install Debian's `chromium` (make test does, when run as root)"
        )
    with playwright_api.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    app = create_app(ServeConfig(), analyzers=synthetic_analyzers(delay=0.3))
    with serve_in_thread(app) as url:
        yield url


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.errors = []
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and page.errors.append(msg.text))
    yield page
    context.close()


def screenshot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    return path


def finished_result(page) -> dict:
    """The job's result as the API gives it (through the page's own download link)."""
    reply = page.request.get(page.eval_on_selector("#dl-json", "a => a.href"))
    assert reply.status == 200
    return reply.json()


def check_rendered_result(page, result: dict) -> None:
    """What the page shows is what the result says; the timeline is drawn."""
    shown = page.inner_text("#final-emotion")
    assert result["emotion"] in EMOTIONS and result["emotion"] in shown
    verdict = result["consistency"]["verdict"]
    assert page.get_attribute("#verdict-badge", "class") == f"badge {verdict}"
    if result["consistency"]["pattern"]:
        assert result["consistency"]["pattern"] in page.inner_text("#pattern")
    rows = page.locator("#modalities tr[data-modality]")
    assert rows.count() == len(result["hypotheses"])
    for name, hyp in result["hypotheses"].items():
        row = page.locator(f'#modalities tr[data-modality="{name}"]')
        if hyp["available"]:
            best = max(hyp["distribution"], key=hyp["distribution"].get)
            assert best in row.locator("td.label").inner_text()
            assert f"{hyp['confidence']:.2f}" in row.inner_text()
    assert page.locator("#saber dt").count() == 6
    assert page.locator("#saber dd").first.inner_text() == (result["saber"]["video_desc"] or "")
    cues = [c for m in result["evidence"]["modalities"].values() for c in m["cues"]]
    assert page.locator("#cues li").count() == max(len(cues), 1)
    with_timeline = [m for m, e in result["evidence"]["modalities"].items() if e["timeline"]]
    lines = page.locator("#timeline svg .line")
    assert lines.count() >= len(with_timeline) >= 1
    drawn = {
        p.get_attribute("data-modality") for p in page.locator("#timeline svg path.line").all()
    }
    assert drawn == {
        m for m in with_timeline if len(result["evidence"]["modalities"][m]["timeline"]) > 1
    }
    for path in page.locator("#timeline svg path.line").all():
        assert path.get_attribute("d").count("L") >= 1  # a line, not a dot


def test_an_uploaded_clip_is_analysed_drawn_and_seekable(page, base_url, short_clip) -> None:
    page.goto(base_url + "/")
    page.wait_for_function("document.querySelectorAll('#example option').length > 1")
    page.set_input_files("#file", str(short_clip))
    assert short_clip.name in page.inner_text("#chosen")
    page.click("#run")
    assert page.locator("#progress").is_visible()
    page.wait_for_selector("#final-emotion")
    result = finished_result(page)
    check_rendered_result(page, result)

    # Hover: the tooltip reads the scores of the nearest timeline point, as in the JSON.
    box = page.locator("#timeline svg").bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + 30)
    tip = page.locator("#timeline .tip")
    assert tip.is_visible()
    first = tip.locator("div[data-modality]").first
    modality = first.get_attribute("data-modality")
    match = re.search(r"@ (\d+\.\d\d) s: (\w+) (\d\.\d\d)", first.inner_text())
    assert match, first.inner_text()
    points = result["evidence"]["modalities"][modality]["timeline"]
    point = min(points, key=lambda p: abs(p["time"] - float(match.group(1))))
    assert abs(point["time"] - float(match.group(1))) < 0.006
    assert point["scores"][match.group(2)] == pytest.approx(float(match.group(3)), abs=0.006)
    assert match.group(2) == max(point["scores"], key=point["scores"].get)

    # Clicking a cue seeks the video (which plays the uploaded file beside the chart).
    page.wait_for_function("document.querySelector('#video').readyState >= 1")
    timed = page.locator("#cues button:not([disabled])")
    starts = [float(b.get_attribute("data-start")) for b in timed.all()]
    target = max(range(len(starts)), key=lambda i: starts[i])
    timed.nth(target).click()
    page.wait_for_function(
        f"Math.abs(document.querySelector('#video').currentTime - {starts[target]}) < 0.1"
    )
    assert page.locator("rect.cue.active").count() == 1
    playhead = float(page.get_attribute("#timeline .playhead", "x1"))
    guide_left = float(page.locator("#timeline svg rect").first.get_attribute("x"))
    assert playhead > guide_left  # moved right of the chart's start

    report = page.request.get(page.eval_on_selector("#dl-report", "a => a.href"))
    assert report.status == 200 and result["id"] in report.text()
    screenshot(page, "page_upload_en.png")
    assert page.errors == []


def test_the_chinese_page_analyses_a_bundled_example(page, base_url) -> None:
    page.goto(base_url + "/")
    page.click('.lang button[data-lang="zh"]')
    assert page.inner_text('[data-i18n="analyse"]') == "分析"
    page.wait_for_function("document.querySelectorAll('#example option').length > 1")
    page.select_option("#example", "happy_consistent.mp4")
    page.click("#run")
    page.wait_for_selector("#final-emotion")
    result = finished_result(page)
    assert result["language"] == "zh" and result["source"] == "happy_consistent.mp4"
    check_rendered_result(page, result)
    assert CJK.search(page.inner_text("#saber")) and "最终情绪" in page.inner_text("#verdict")
    assert page.get_attribute("#video", "src").endswith("/examples/happy_consistent.mp4")
    if cjk_font_file() is not None:  # a CJK font is there to render it
        loaded = page.evaluate(
            """async () => (await document.fonts.load('16px "emoreason CJK"', '开心')).length"""
        )
        assert loaded >= 1
    screenshot(page, "page_example_zh.png")
    assert page.errors == []


def test_a_dropped_file_is_the_one_analysed(page, base_url) -> None:
    page.goto(base_url + "/")
    page.evaluate(
        """async () => {
            const blob = await (await fetch('/examples/smile_angry_voice.mp4')).blob();
            const data = new DataTransfer();
            data.items.add(new File([blob], 'dropped clip.mp4', {type: 'video/mp4'}));
            const drop = new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true});
            document.querySelector('#drop').dispatchEvent(drop);
        }"""
    )
    assert "dropped clip.mp4" in page.inner_text("#chosen")
    page.click("#run")
    page.wait_for_selector("#final-emotion")
    assert finished_result(page)["source"] == "dropped clip.mp4"
    assert page.get_attribute("#video", "src").startswith("blob:")  # plays the dropped file
    assert page.errors == []


def test_a_busy_server_says_when_to_retry(page, browser, analyzers, perceiver, short_clip) -> None:
    app = create_app(ServeConfig(queue_size=0), analyzers=analyzers)
    perceiver.gate.clear()
    with serve_in_thread(app) as url:
        page.goto(url + "/")
        page.request.post(url + "/jobs", multipart={"example": "smile_angry_voice.mp4"})
        assert perceiver.entered.acquire(timeout=10)  # one analysis holds the only slot
        page.set_input_files("#file", str(short_clip))
        page.click("#run")
        page.wait_for_selector("#error:not([hidden])")
        assert re.search(r"busy: try again in \d+ s", page.inner_text("#error"))
        assert not page.locator("#progress").is_visible()
        perceiver.gate.set()
    screenshot(page, "page_busy.png")


@pytest.mark.slow
def test_a_real_analysis_in_the_browser(page, short_clip) -> None:
    """The rules backend on real perception (models load once): the page shows its result."""
    app = create_app(ServeConfig())
    with serve_in_thread(app) as url:
        page.goto(url + "/")
        page.wait_for_function("document.querySelectorAll('#example option').length > 1")
        page.select_option("#example", short_clip.name)
        page.click("#run")
        page.wait_for_selector("#final-emotion, #error:not([hidden])", timeout=240_000)
        assert page.locator("#error").is_hidden(), page.inner_text("#error")
        result = finished_result(page)
        check_rendered_result(page, result)
        path = screenshot(page, "page_real_en.png")
    (ARTIFACTS / "page_real_en.json").write_text(json.dumps(result, ensure_ascii=False))
    assert path.stat().st_size > 10_000
    assert page.errors == []
