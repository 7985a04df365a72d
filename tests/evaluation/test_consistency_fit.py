"""fit-consistency / predict-verdicts on a tiny cached set; the camer_verdict scorer."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from typer.testing import CliRunner

from emoreason.cli.app import app
from emoreason.evaluation import TaskRegistry, evaluate
from emoreason.evaluation.consistency_fit import (
    SEARCH_SPACE,
    LabelledClip,
    fit,
    load_set,
    score,
)
from emoreason.reasoning.consistency import ConsistencyConfig, analyze_consistency
from emoreason.schema import ClipInfo, EmotionHypothesis, Evidence, normalize_distribution

ROOT = Path(__file__).resolve().parents[2]
#: the hand-set thresholds (the fit's start), whatever the shipped defaults are
HANDSET_YAML = ROOT / "examples" / "conflicts" / "consistency_handset.yaml"
HANDSET = ConsistencyConfig.from_yaml(HANDSET_YAML)


def hyp(modality: str, label: str, peak: float, confidence: float) -> EmotionHypothesis:
    dist = normalize_distribution(
        {label: peak, "neutral" if label != "neutral" else "sad": 1 - peak}
    )
    return EmotionHypothesis(modality=modality, distribution=dist, confidence=confidence)


#: (id, ground-truth verdict, true emotion, speaker, hypotheses). Under the shipped defaults the
#: calm voices (neutral, confidence 0.42) are too weak to conflict: the fit must lower the
#: neutral threshold, but not so far that the weak voices of the consistent clips conflict.
def scenario() -> list[tuple[str, str, str, str, dict[str, EmotionHypothesis]]]:
    rows = []
    for i, speaker in enumerate(("11", "12", "13")):
        sad_face = hyp("visual", "sad", 0.7, 0.7)
        rows.append(
            (f"calm{i}", "video-aligned", "sad", speaker,
             {"visual": sad_face, "acoustic": hyp("acoustic", "neutral", 0.7, 0.42)})
        )  # fmt: skip
        rows.append(
            (f"same{i}", "consistent", "sad", speaker,
             {"visual": sad_face, "acoustic": hyp("acoustic", "sad", 0.6, 0.5)})
        )  # fmt: skip
        rows.append(
            (f"weak{i}", "consistent", "sad", speaker,
             {"visual": sad_face, "verbal": hyp("verbal", "sad", 0.8, 0.7),
              "acoustic": hyp("acoustic", "neutral", 0.7, 0.2)})
        )  # fmt: skip
    return rows


def clips() -> list[LabelledClip]:
    return [LabelledClip(i, v, e, g, h) for i, v, e, g, h in scenario()]


def write_cached_set(folder: Path) -> Path:
    """A built set whose every clip already has cached evidence (no perception needed)."""
    (folder / "clips").mkdir(parents=True)
    (folder / "evidence").mkdir()
    rows = []
    for ident, verdict, emotion, speaker, hyps in scenario():
        media = folder / "clips" / f"{ident}.mp4"
        media.write_bytes(ident.encode())
        evidence = Evidence(
            clip=ClipInfo(path=str(media), duration=1.0, has_video=True, has_audio=True),
            hypotheses=hyps,
        )
        payload = {
            "clip_sha256": hashlib.sha256(media.read_bytes()).hexdigest(),
            "evidence": evidence.model_dump(mode="json"),
        }
        (folder / "evidence" / f"{ident}.json").write_text(json.dumps(payload))
        rows.append({"id": ident, "media": f"clips/{ident}.mp4", "verdict": verdict,
                     "emotion": emotion, "audio_group": speaker})  # fmt: skip
    (folder / "labels.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return folder


def never(path: str):
    raise AssertionError(f"perceived {path} although its evidence is cached")


def test_score_matches_a_reference_count():
    data, cfg = clips(), HANDSET
    s = score(data, cfg)
    verdicts = [analyze_consistency(c.hypotheses, config=cfg) for c in data]
    right = [v.verdict.value == c.verdict for v, c in zip(verdicts, data, strict=True)]
    joint = [
        ok and v.resolution == c.emotion for ok, v, c in zip(right, verdicts, data, strict=True)
    ]
    assert s.verdict_accuracy == pytest.approx(sum(right) / len(data))
    assert s.joint_accuracy == pytest.approx(sum(joint) / len(data))
    per = {}
    for ok, c in zip(right, data, strict=True):
        per.setdefault(c.verdict, []).append(ok)
    assert s.balanced_verdict_accuracy == pytest.approx(
        sum(sum(v) / len(v) for v in per.values()) / len(per)
    )


def test_fit_improves_and_ends_at_a_local_optimum():
    data = clips()
    result = fit(data, HANDSET)
    assert result.before.verdict_accuracy < 1.0 and result.after.verdict_accuracy == 1.0
    assert 0.2 < result.config.neutral_conflict_min_confidence <= 0.42
    assert "neutral_conflict_min_confidence" in result.changed
    best = result.after.key()
    for name, values in SEARCH_SPACE.items():  # no single move improves the objective
        for value in values:
            assert score(data, replace(result.config, **{name: value})).key() <= best


def test_cached_evidence_is_reused_and_a_changed_clip_is_perceived_again(tmp_path):
    folder = write_cached_set(tmp_path / "set")
    assert len(load_set(folder, never)) == 9
    (folder / "clips" / "calm0.mp4").write_bytes(b"changed")
    seen = []

    def perceive(path: str) -> Evidence:
        seen.append(Path(path).name)
        return Evidence(clip=ClipInfo(path=path, duration=1.0, has_video=True, has_audio=True))

    loaded = {c.id: c for c in load_set(folder, perceive)}
    assert seen == ["calm0.mp4"] and not loaded["calm0"].hypotheses["visual"].available
    assert len(load_set(folder, never)) == 9  # and the new evidence was cached


def test_fit_command_writes_a_loadable_config(tmp_path):
    folder = write_cached_set(tmp_path / "dev")
    out = tmp_path / "consistency.yaml"
    args = [
        "fit-consistency",
        "--data",
        str(folder),
        "--out",
        str(out),
        "--start",
        str(HANDSET_YAML),
    ]
    res = CliRunner().invoke(app, args)
    assert res.exit_code == 0, res.output
    assert "before" in res.output and "after" in res.output and "cv" in res.output
    cfg = ConsistencyConfig.from_yaml(out)
    assert cfg.neutral_conflict_min_confidence <= 0.42
    assert out.read_text().startswith("# ConsistencyConfig fitted")
    report = json.loads(out.with_suffix(".fit.json").read_text())
    assert report["after"]["verdict_accuracy"] == 1.0 and report["n"] == 9
    assert 0.0 <= report["cv_leave_one_speaker_out"]["verdict_accuracy"] <= 1.0


def test_predictions_score_with_bootstrap_intervals(tmp_path):
    folder = write_cached_set(tmp_path / "test")
    preds = tmp_path / "preds.jsonl"
    res = CliRunner().invoke(app, ["predict-verdicts", "--data", str(folder), "--out", str(preds)])
    assert res.exit_code == 0, res.output
    rows = [json.loads(line) for line in preds.read_text().splitlines()]
    assert all(r["consistent"] == (r["verdict"] == "consistent") for r in rows)
    report = evaluate(TaskRegistry().get("camer_built"), folder, predictions=preds, n_resamples=200)
    expected = score(clips(), HANDSET).verdict_accuracy
    scores = report["scores"]
    assert scores["verdict_accuracy"]["value"] == pytest.approx(expected)
    assert scores["verdict_accuracy"]["ci_low"] <= expected <= scores["verdict_accuracy"]["ci_high"]
    assert "verdict_accuracy[video-aligned]" in scores
    assert "verdict_accuracy" in report["headline"]
