"""Analysis results for training-data tests: synthetic evidence through the real rules reasoner."""

from __future__ import annotations

from pathlib import Path

import synthetic_evidence
from emoreason.formats.jsonl import write_jsonl
from emoreason.formats.swift import saber_to_swift
from emoreason.reasoning.rules import RulesReasoner
from emoreason.schema import AnalysisResult, AudioDesc, ErrorRow, SaberRecord
from emoreason.training import CADPOTrainConfig

SCENARIOS = ("consistent_sad", "consistent_happy", "masking", "sarcasm", "missing_audio")


def make_results(media_dir: Path, scenarios=SCENARIOS, lang: str = "en") -> list[AnalysisResult]:
    """One analysis per scenario, with a (tiny, fake) media file per clip in ``media_dir``."""
    reasoner = RulesReasoner()
    results = []
    for name in scenarios:
        media = media_dir / f"{name}.mp4"
        media.write_bytes(b"not decoded by training")
        evidence = synthetic_evidence.make_evidence(name, path=str(media))
        result = reasoner.reason(evidence, lang)
        results.append(result.model_copy(update={"id": name, "source": str(media)}))
    return results


def error_row() -> ErrorRow:
    return ErrorRow(id="broken", source="broken.mp4", error="cannot decode")


def toy_record(emotion: str, detail: str = "") -> SaberRecord:
    return SaberRecord(
        video_desc="a room",
        audio_desc=AudioDesc(speech_content="hello", acoustic_feat="soft voice"),
        facial_exp_desc=f"face {emotion} {detail}".strip(),
        body_lang_desc="still",
        sentiment_analysis=f"the person is {emotion}",
    )


def write_toy_pairs(path: Path, n: int = 8, media: str | None = None) -> Path:
    """``n`` preference rows: grounded 'sad' chosen over a 'happy' rejected, conflicts spread."""
    rows = []
    for i in range(n):
        row = saber_to_swift(
            toy_record("sad", str(i)), video=media, lang="en", rejected=toy_record("happy", str(i))
        ).to_json()
        row["conflict"] = i / max(1, n - 1)
        rows.append(row)
    write_jsonl(path, rows)
    return path


def write_toy_sft(path: Path, n: int = 8) -> Path:
    rows = [saber_to_swift(toy_record("sad", str(i)), lang="en").to_json() for i in range(n)]
    write_jsonl(path, rows)
    return path


def dpo_config(tmp_path, model_dir, **overrides):
    """A CA-DPO config on 8 toy pairs written under ``tmp_path`` (small, fast defaults)."""
    values = {
        "model_path": str(model_dir),
        "train_file": str(write_toy_pairs(tmp_path / "pairs.jsonl")),
        "output_dir": str(tmp_path / "run"),
        "max_steps": 4,
        "learning_rate": 1e-2,
        "per_device_train_batch_size": 4,
        "max_length": 512,
        "save_steps": 100,
        "lora_r": 4,
    }
    values.update(overrides)
    return CADPOTrainConfig.from_dict(values)
