"""The real analyser over the example clips (bad ones included), one worker, local and Ray.

Slow: real perception models (about a minute per engine on a free 2-core machine).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from emoreason.pipeline.config import PipelineConfig
from emoreason.pipeline.run import run_pipeline
from emoreason.pipeline.shards import iter_rows

CLIPS = Path(__file__).resolve().parents[2] / "examples" / "clips"
# what the clean stage must say about each bad clip (examples/clips/README.md)
FILTERED = {
    "not_a_video": "unreadable",
    "truncated": "unreadable",
    "no_audio": "no_audio",
    "silent": "no_speech",
    "no_face": "no_face",
}


def run_engine(tmp_path: Path, engine: str) -> dict[str, dict]:
    out = tmp_path / engine
    config = PipelineConfig(engine=engine, workers=1, languages=("en", "zh"))
    summary = run_pipeline(CLIPS, out, config)
    rows = list(iter_rows(out / "rows"))
    ids = [r["id"] for r in rows]
    assert sorted(ids) == sorted(p.stem for p in CLIPS.glob("*.mp4"))  # one row per input
    assert summary.status.get("error", 0) == 0
    by_id = {r["id"]: r for r in rows}
    for clip, reason in FILTERED.items():
        assert by_id[clip]["status"] == "filtered"
        assert by_id[clip]["reasons"][0].startswith(reason), by_id[clip]["reasons"]
    ok = {k: r for k, r in by_id.items() if r["status"] == "ok"}
    assert set(ok) == {p.stem for p in CLIPS.glob("*.mp4")} - set(FILTERED)
    assert ok["sad_consistent"]["emotion"] == "sad"
    assert ok["happy_consistent"]["emotion"] == "happy"
    # the garbled transcript is flagged: no WER against it, and no record quotes it
    garbled = ok["garbled_speech"]["qc"]["en"]
    assert garbled["wer_status"] == "transcript_unreliable"
    assert not garbled["quotes_unreliable_transcript"]
    # records, QC report and instruction files exist and agree with the rows
    report = json.loads((out / "qc" / "report.json").read_text())
    assert report["languages"]["en"]["records"] == len(ok)
    assert report["languages"]["en"]["wer"]["computed"] >= 3
    sft = (out / "instructions" / "sft.jsonl").read_text().splitlines()
    assert len(sft) == sum(
        1 for r in ok.values() for lang in ("en", "zh") if r["qc"][lang]["passed"]
    )
    assert (out / "instructions" / "pairs.swift.jsonl").stat().st_size > 0
    import pyarrow.parquet as pq

    assert pq.read_table(out / "records.parquet").num_rows == 2 * len(ok)
    return by_id


@pytest.mark.slow
def test_real_analyser_over_the_example_clips_local_and_ray(tmp_path):
    local = run_engine(tmp_path, "local")
    pytest.importorskip("ray")
    ray_rows = run_engine(tmp_path, "ray")
    for clip, row in local.items():
        assert ray_rows[clip]["status"] == row["status"]
        assert ray_rows[clip].get("emotion") == row.get("emotion")
