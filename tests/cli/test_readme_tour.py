"""The README's tour runs as printed.

The commands between ``<!-- tour:begin -->`` and ``<!-- tour:end -->`` in README.md are run in
order, each as written, in a fresh folder whose ``examples`` is the repository's (as after
``make demo`` in a clone). A command whose comment says ``exits 1`` must exit 1 (a batch with the
two broken example files); every other command must exit 0. ``emoreason serve`` is started,
asked for /health and stopped (on a free port instead of the printed one). The Python snippet
under the tour is run too. A fast test checks that every command and option in the tour exists.
"""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emoreason.cli.app import app

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
EMOREASON = Path(sys.executable).with_name("emoreason")


def tour_lines() -> list[tuple[str, str]]:
    """(command, comment) for each command of the tour, in order."""
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- tour:begin -->(.*?)<!-- tour:end -->", text, re.S)
    assert block, "README.md has no <!-- tour:begin --> ... <!-- tour:end --> block"
    lines = []
    for raw in block.group(1).splitlines():
        line = raw.strip()
        if not line.startswith("emoreason"):
            continue
        command, _, comment = line.partition("  #")
        lines.append((command.strip(), comment.strip()))
    return lines


def python_snippet() -> str:
    text = README.read_text(encoding="utf-8")
    block = re.search(r"<!-- tour:end -->.*?```python\n(.*?)```", text, re.S)
    assert block, "README.md has no Python snippet after the tour"
    return block.group(1)


def test_the_tour_is_there_and_every_command_and_option_exists() -> None:
    lines = tour_lines()
    assert len(lines) >= 15
    runner = CliRunner()
    for command, _ in lines:
        words = shlex.split(command)[1:]
        path = [w for w in words[:2] if not w.startswith("-") and "/" not in w and "." not in w]
        help_text = runner.invoke(app, [*path, "--help"], env={"COLUMNS": "250"})
        assert help_text.exit_code == 0, f"{command}: {help_text.output}"
        for option in (w.split("=")[0] for w in words if w.startswith("--")):
            assert option in help_text.stdout, f"{command}: no option {option}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(words: list[str], cwd: Path) -> None:
    port = _free_port()
    words = [str(port) if w == "8000" else w for w in words]
    server = subprocess.Popen(
        [str(EMOREASON), *words], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5) as r:
                    assert r.status == 200
                    return
            except OSError:
                assert server.poll() is None, server.stdout.read().decode(errors="replace")
                time.sleep(1)
        pytest.fail("emoreason serve did not answer /health within 180 s")
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.slow
def test_every_tour_command_runs_as_written(tmp_path: Path) -> None:
    (tmp_path / "examples").symlink_to(ROOT / "examples")
    for command, comment in tour_lines():
        words = shlex.split(command)[1:]
        if words[0] == "serve":
            _serve(words, tmp_path)
            continue
        expected = 1 if "exits 1" in comment else 0
        done = subprocess.run(
            [str(EMOREASON), *words], cwd=tmp_path, capture_output=True, text=True, timeout=900
        )
        assert done.returncode == expected, (
            f"{command!r} exited {done.returncode} (expected {expected})\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
        assert "Traceback" not in done.stderr, f"{command!r}\n{done.stderr[-2000:]}"
    snippet = subprocess.run(
        [sys.executable, "-c", python_snippet()],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert snippet.returncode == 0, snippet.stderr[-3000:]
