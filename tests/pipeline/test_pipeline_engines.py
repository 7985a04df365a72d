"""Engines and output on the fake analyser: one row per input, resume, idempotence, files.

The fake analyser (``emoreason.pipeline.testing``) runs the real rules reasoner on synthetic
evidence, so these tests exercise the pool, the shards and every derived file in seconds. The
Ray tests start a local Ray instance (slow: tens of seconds on a loaded machine).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emoreason.cli.app import app
from emoreason.errors import ConfigError, InputError
from emoreason.pipeline.config import PipelineConfig
from emoreason.pipeline.run import run_pipeline
from emoreason.pipeline.shards import iter_rows

CLIPS = Path(__file__).resolve().parents[2] / "examples" / "clips"
FAKE = "emoreason.pipeline.testing:build_fake_analyzer"


@pytest.fixture(scope="module")
def ray_local():
    """A local Ray instance (no dashboard, no usage statistics), shut down after the module."""
    from emoreason.pipeline.engines.ray_engine import LOOPBACK_ENV

    with pytest.MonkeyPatch.context() as patch:
        for key, value in LOOPBACK_ENV.items():  # before Ray's import: loopback only
            patch.setenv(key, value)
        ray = pytest.importorskip("ray")
        ray.init(num_cpus=2, include_dashboard=False, _node_ip_address="127.0.0.1")
        assert ray.nodes()[0]["NodeManagerAddress"] == "127.0.0.1"
        yield ray
        ray.shutdown()


def fake_config(**kw) -> PipelineConfig:
    base = {
        "analyzer": FAKE,
        "stages": ("annotate", "qc", "instructions"),
        "workers": 2,
        "languages": ("en", "zh"),
    }
    return PipelineConfig(**{**base, **kw})


def make_inputs(folder: Path, n: int) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        (folder / f"clip{i:03d}.mp4").write_bytes(b"x")
    (folder / "broken_clip.mp4").write_bytes(b"x")
    return folder


def rows_by_id(output: Path) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for row in iter_rows(output / "rows"):
        out.setdefault(row["id"], []).append(row)
    return out


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def check_one_row_per_input(output: Path, expected_ids: set[str]) -> dict[str, dict]:
    rows = rows_by_id(output)
    assert set(rows) == expected_ids
    assert all(len(v) == 1 for v in rows.values()), {k: len(v) for k, v in rows.items()}
    return {k: v[0] for k, v in rows.items()}


def test_local_engine_one_row_per_input_and_derived_files(tmp_path):
    inputs = make_inputs(tmp_path / "in", 9)
    out = tmp_path / "out"
    events = []
    summary = run_pipeline(inputs, out, fake_config(shard_size=4), on_progress=events.append)
    ids = {f"clip{i:03d}" for i in range(9)} | {"broken_clip"}
    rows = check_one_row_per_input(out, ids)
    assert summary.status == {"ok": 9, "error": 1}
    assert rows["broken_clip"]["status"] == "error"
    assert "not a decodable video" in rows["broken_clip"]["error"]
    assert len(list((out / "rows").glob("part-*.jsonl"))) == 3  # 10 rows, 4 per shard
    assert {r["worker"] for r in rows.values()} and len({r["worker"] for r in rows.values()}) <= 2
    # progress: a start event then one per clip, counting up to the total
    assert [e.done for e in events] == list(range(11))
    assert events[-1].total == 10 and events[-1].failed == 1 and events[-1].eta == 0
    # records: one per clip and language, in Parquet
    import pyarrow.parquet as pq

    table = pq.read_table(out / "records.parquet")
    assert table.num_rows == 18
    assert sorted(set(table.column("lang").to_pylist())) == ["en", "zh"]
    # QC report and the consistent / inconsistent split
    report = json.loads((out / "qc" / "report.json").read_text())
    assert report["inputs"] == 10 and report["languages"]["en"]["records"] == 9
    split = len(read_jsonl(out / "qc" / "consistent.jsonl")) + len(
        read_jsonl(out / "qc" / "inconsistent.jsonl")
    )
    assert split == 9 and (out / "qc" / "report.md").read_text().startswith("# Quality control")
    # instructions: our rows carry ids, the ms-swift files only the ms-swift keys
    sft = read_jsonl(out / "instructions" / "sft.jsonl")
    assert len(sft) == 18 and {r["lang"] for r in sft} == {"en", "zh"}
    assert all(
        set(r) == {"messages", "videos", "audios"}
        for r in read_jsonl(out / "instructions" / "sft.swift.jsonl")
    )
    pairs = read_jsonl(out / "instructions" / "pairs.swift.jsonl")
    assert pairs and all("rejected_response" in r for r in pairs)
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == {"error": 1, "ok": 9} and manifest["inputs"] == 10
    assert manifest["config"]["analyzer"] == FAKE and manifest["versions"]["pyarrow"]
    assert manifest["runs"][0]["processed"] == 10 and "total" in manifest["stage_seconds"]


def test_corpus_labels_travel_to_rows_records_and_the_report(tmp_path):
    inputs = tmp_path / "ravdess" / "Actor_01"
    inputs.mkdir(parents=True)
    names = ["01-01-03-01-01-01-01", "01-01-04-02-02-01-01", "01-01-02-01-01-02-01"]
    for name in names:
        (inputs / f"{name}.mp4").write_bytes(b"x")
    out = tmp_path / "out"
    run_pipeline(tmp_path / "ravdess", out, fake_config(workers=1, languages=("en",)))
    rows = check_one_row_per_input(out, set(names))
    assert [rows[n]["label"] for n in names] == ["happy", "sad", "neutral"]
    assert rows[names[2]]["source_label"] == "calm" and rows[names[0]]["speaker"] == "ravdess_01"
    import pyarrow.parquet as pq

    table = pq.read_table(out / "records.parquet").to_pylist()
    assert {r["id"]: r["label"] for r in table} == {n: rows[n]["label"] for n in names}
    report = json.loads((out / "qc" / "report.json").read_text())
    agree = sum(rows[n]["label"] == rows[n]["emotion"] for n in names)
    assert report["label_agreement"]["labelled_records"] == 3
    assert report["label_agreement"]["agree"] == agree
    # the statement RAVDESS fixes is the reference of the ASR check (the fake hears other words)
    assert all(rows[n]["qc"]["en"]["asr_wer"] > 0.5 for n in names)


def test_existing_output_needs_resume_and_a_resume_is_idempotent(tmp_path):
    inputs = make_inputs(tmp_path / "in", 4)
    out = tmp_path / "out"
    run_pipeline(inputs, out, fake_config(workers=1))
    records = (out / "qc" / "consistent.jsonl").read_bytes()
    with pytest.raises(InputError, match="--resume"):
        run_pipeline(inputs, out, fake_config(workers=1))
    again = run_pipeline(inputs, out, fake_config(workers=1), resume=True)
    assert again.processed == 0 and again.resumed == 5
    assert (out / "qc" / "consistent.jsonl").read_bytes() == records
    assert len(json.loads((out / "manifest.json").read_text())["runs"]) == 2
    # new inputs are picked up by a resume; --retry-errors reruns only the failed clip
    (inputs / "clip100.mp4").write_bytes(b"x")
    more = run_pipeline(inputs, out, fake_config(workers=1), resume=True, retry_errors=True)
    assert more.processed == 2 and more.resumed == 4
    check_one_row_per_input(out, {f"clip{i:03d}" for i in (0, 1, 2, 3, 100)} | {"broken_clip"})
    fresh = run_pipeline(inputs, out, fake_config(workers=1), overwrite=True)
    assert (
        fresh.processed == 6 and len(json.loads((out / "manifest.json").read_text())["runs"]) == 1
    )


def test_clean_stage_filters_the_bad_example_clips_with_reasons(tmp_path):
    out = tmp_path / "out"
    config = fake_config(stages=("clean", "annotate", "qc"), min_side=300)
    run_pipeline(CLIPS, out, config)
    rows = check_one_row_per_input(out, {p.stem for p in CLIPS.glob("*.mp4")})
    reasons = {k: " ".join(r.get("reasons") or []) for k, r in rows.items()}
    assert reasons["not_a_video"].startswith("unreadable") and reasons["truncated"].startswith(
        "unreadable"
    )
    assert reasons["no_audio"].startswith("no_audio")
    assert reasons["silent"].startswith("no_speech: silent audio")
    assert all(
        rows[k]["status"] == "filtered" for k in ("not_a_video", "truncated", "no_audio", "silent")
    )
    # probe facts are kept on every readable clip
    assert rows["sad_consistent"]["probe"]["duration"] > 1
    strict = fake_config(stages=("clean",), min_side=10_000, max_duration=2.0)
    run_pipeline(CLIPS, tmp_path / "strict", strict)
    strict_rows = rows_by_id(tmp_path / "strict")
    assert "low_resolution" in " ".join(strict_rows["sad_consistent"][0]["reasons"])
    assert "too_long" in " ".join(strict_rows["sad_consistent"][0]["reasons"])


def test_model_checks_read_the_perception_output():
    from emoreason.pipeline.stages import model_reasons
    from emoreason.pipeline.testing import fake_evidence
    from emoreason.schema import ModalityEvidence

    evidence = fake_evidence("/x/happy.mp4")
    assert model_reasons(evidence, PipelineConfig()) == []
    no_face = evidence.model_copy(
        update={
            "modalities": {
                **evidence.modalities,
                "face": ModalityEvidence(modality="face", available=False, status="no face in 0/9"),
            },
            "transcript": evidence.transcript.model_copy(update={"text": " "}),
        }
    )
    reasons = model_reasons(no_face, PipelineConfig())
    assert reasons == ["no_speech: no words recognised", "no_face: no face in 0/9"]
    assert model_reasons(no_face, PipelineConfig(model_checks=False)) == []
    assert model_reasons(no_face, PipelineConfig(require_face=False)) == reasons[:1]


def test_a_bad_analyser_turns_every_clip_into_an_error_row(tmp_path):
    inputs = make_inputs(tmp_path / "in", 3)
    config = fake_config(analyzer="emoreason.pipeline.testing:no_such_factory", workers=1)
    summary = run_pipeline(inputs, tmp_path / "out", config)
    assert summary.status == {"error": 4}
    rows = check_one_row_per_input(
        tmp_path / "out", {f"clip{i:03d}" for i in range(3)} | {"broken_clip"}
    )
    assert all("cannot be loaded" in r["error"] for r in rows.values())


def test_a_clip_that_kills_its_worker_is_the_only_casualty(tmp_path):
    inputs = make_inputs(tmp_path / "in", 5)
    (inputs / "crash_me.mp4").write_bytes(b"x")
    summary = run_pipeline(inputs, tmp_path / "out", fake_config(languages=("en",)))
    ids = {f"clip{i:03d}" for i in range(5)} | {"broken_clip", "crash_me"}
    rows = check_one_row_per_input(tmp_path / "out", ids)
    assert rows["crash_me"]["error_type"] == "WorkerCrash"
    assert summary.status == {"ok": 5, "error": 2} and summary.engine["worker_crashes"] == 1
    assert rows["broken_clip"]["error_type"] == "MediaError"


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("engine", "spark", "engine must be one of"),
        ("workers", 0, "workers must be >= 1"),
        ("stages", ("clean", "paint"), "stages must be some of"),
        ("languages", ("fr",), "languages must be some of"),
        ("analyzer", "nocolon", "module:function"),
    ],
)
def test_config_validation(field, value, message):
    with pytest.raises(ConfigError, match=message):
        PipelineConfig(**{field: value})


def test_yaml_and_flags_build_the_same_config(tmp_path):
    path = tmp_path / "pipeline.yaml"
    path.write_text("engine: local\nworkers: 3\nlanguages: [zh]\nmax_wer: 0.2\n")
    config = PipelineConfig.from_yaml(path).with_overrides(workers=1, engine=None)
    assert (config.workers, config.engine, config.languages, config.max_wer) == (
        1,
        "local",
        ("zh",),
        0.2,
    )
    path.write_text("worker: 3\n")
    with pytest.raises(ConfigError, match="unknown key 'worker'"):
        PipelineConfig.from_yaml(path)


def test_cli_run_prints_a_summary_and_exits_1_on_errors(tmp_path):
    inputs = make_inputs(tmp_path / "in", 2)
    config = tmp_path / "pipeline.yaml"
    config.write_text(f"analyzer: '{FAKE}'\nstages: [annotate, qc, instructions]\n")
    args = ["pipeline", "run", "--input", str(inputs), "--output", str(tmp_path / "out"),
            "--config", str(config), "--workers", "1", "--lang", "en"]  # fmt: skip
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert "SFT rows" in result.output and "clips/s" in result.output
    again = CliRunner().invoke(app, args)
    assert again.exit_code == 2 and "--resume" in again.output
    bad = CliRunner().invoke(app, [*args, "--engine", "spark", "--resume"])
    assert bad.exit_code == 2 and "'local'," in bad.output  # typer's choice error lists them


@pytest.mark.slow
def test_ray_engine_one_row_per_input(tmp_path, ray_local):
    inputs = make_inputs(tmp_path / "in", 6)
    (inputs / "crash_me.mp4").write_bytes(b"x")  # kills its actor
    out = tmp_path / "out"
    summary = run_pipeline(inputs, out, fake_config(engine="ray", workers=2))
    ids = {f"clip{i:03d}" for i in range(6)} | {"broken_clip", "crash_me"}
    rows = check_one_row_per_input(out, ids)
    assert summary.status == {"ok": 6, "error": 2} and summary.engine["engine"] == "ray"
    assert rows["broken_clip"]["error_type"] == "MediaError"
    assert rows["crash_me"]["error_type"] == "WorkerCrash"
    assert len(read_jsonl(out / "instructions" / "sft.jsonl")) == 12
    # the same rows as the local engine, apart from timings and worker ids
    run_pipeline(inputs, tmp_path / "local", fake_config(workers=2))
    local = {k: v[0] for k, v in rows_by_id(tmp_path / "local").items()}
    for key, row in rows.items():
        assert row.get("results", {}).keys() == local[key].get("results", {}).keys()
        if row["status"] == "ok":
            assert row["results"]["en"]["saber"] == local[key]["results"]["en"]["saber"]
