"""build-sft and build-pairs on analyses from synthetic evidence (real rules reasoner)."""

from __future__ import annotations

import json

import pytest
from training_fixtures import error_row, make_results

from emoreason.errors import InputError
from emoreason.formats.jsonl import write_jsonl
from emoreason.formats.swift import SwiftRow, swift_to_saber
from emoreason.prompts import SED_PROMPT_EN, SED_PROMPT_ZH
from emoreason.schema import SABER_DIMENSIONS
from emoreason.training.pairs import build_pair_rows, build_pairs_file, flip_targets
from emoreason.training.sft_data import build_sft_file, build_sft_rows
from emoreason.training.sources import detect_emotion, flip_conclusion


@pytest.fixture
def results(tmp_path):
    return make_results(tmp_path)


def test_sft_rows_are_swift_rows_in_sed_order(results):
    rows, report = build_sft_rows(results, languages=("en", "zh"))
    assert report.written == len(rows) == 2 * len(results)
    for row in rows:
        swift = SwiftRow.model_validate(row)
        prompt = swift.messages[0].content
        assert prompt.startswith("<video>")
        assert (SED_PROMPT_ZH if row["lang"] == "zh" else SED_PROMPT_EN) in prompt
        target = swift.messages[-1].content
        keys = list(json.loads(target))
        assert keys == [
            "video_desc",
            "audio_desc",
            "facial_exp_desc",
            "body_lang_desc",
            "sentiment_analysis",
        ]
        assert not swift_to_saber(swift).missing_dimensions()
    no_audio = next(r for r in rows if r["id"] == "missing_audio:en")
    assert no_audio["audios"] == [] and "<audio>" not in no_audio["messages"][0]["content"]


def test_sft_from_file_skips_and_counts_error_rows(tmp_path, results):
    path = tmp_path / "results.jsonl"
    write_jsonl(path, [*results, error_row()])
    rows, report = build_sft_file(path)
    assert len(rows) == len(results)
    assert report.skipped["analysis_error"] == 1
    assert report.read == len(results) + 1


def test_missing_media_errors_or_is_counted(tmp_path, results):
    (tmp_path / "masking.mp4").unlink()
    with pytest.raises(InputError, match="media file not found"):
        build_sft_rows(results, missing_media="error")
    rows, report = build_sft_rows(results, missing_media="skip")
    assert len(rows) == len(results) - 1 and report.skipped["missing_media"] == 1


def test_pairs_have_every_kind_and_differ_in_emotion(results):
    rows, report = build_pair_rows(results, languages=("en",), max_hallucinations=3, max_flips=1)
    kinds = {row["kind"] for row in rows}
    assert {"ablation_visual_only", "ablation_audio_only", "hallucination", "label_flip"} <= kinds
    for row in rows:
        SwiftRow.model_validate(row)
        assert row["rejected_response"] != row["messages"][-1]["content"]
        assert row["rejected_emotion"] != row["chosen_emotion"]
        assert 0.0 <= row["conflict"] <= 1.0
    # consistent clips: ablation lands on the same emotion -> dropped and counted
    assert report.skipped["same_emotion_ablation_visual_only"] >= 1
    assert sum(report.by_kind.values()) == len(rows) == report.written


def test_conflict_score_follows_consistency(results):
    rows, _ = build_pair_rows(results, kinds=("label_flip",))
    by_clip = {row["clip_id"]: row["conflict"] for row in rows}
    assert by_clip["sarcasm"] > 0.5 > by_clip["consistent_sad"]


def test_ablation_rejected_is_unimodal(results):
    rows, _ = build_pair_rows([r for r in results if r.id == "sarcasm"], kinds=("ablation",))
    visual = next(r for r in rows if r["kind"] == "ablation_visual_only")
    assert visual["rejected_emotion"] == "happy" and visual["chosen_emotion"] == "angry"


def test_hallucination_takes_one_dimension_and_reasoning_from_another_clip(results):
    rows, _ = build_pair_rows(results, kinds=("hallucination",), max_hallucinations=2)
    donors = {r.id: r.saber for r in results}
    for row in rows:
        chosen = swift_to_saber(SwiftRow.model_validate(row))
        rejected = json.loads(row["rejected_response"])
        changed = [d for d in SABER_DIMENSIONS if _dim(rejected, d) != chosen.dimension(d)]
        assert changed[-1] == "sentiment_analysis" and len(changed) == 2
        assert any(_dim(rejected, changed[0]) == s.dimension(changed[0]) for s in donors.values())


def _dim(record: dict, name: str) -> str:
    if name.startswith("audio_desc."):
        return record["audio_desc"][name.split(".", 1)[1]]
    return record[name]


def test_label_flip_changes_only_the_conclusion():
    text = "Evidence: face → sad (lips down). Final emotion: sad (verdict: consistent)."
    flipped = flip_conclusion(text, "sad", "happy", "en")
    assert (
        flipped == "Evidence: face → sad (lips down). Final emotion: happy (verdict: consistent)."
    )
    zh = "证据：面部 → 悲伤。最终情绪：悲伤。"
    assert flip_conclusion(zh, "sad", "happy", "zh") == "证据：面部 → 悲伤。最终情绪：开心。"


def test_flip_targets_take_the_other_valence():
    assert set(flip_targets("sad", {}, 7)) == {"happy", "neutral", "surprised"}
    assert flip_targets("happy", {"angry": 0.3, "sad": 0.1}, 1) == ["angry"]


def test_identical_and_duplicate_rejections_are_counted(results):
    rows, _ = build_pair_rows(results, kinds=("label_flip",), max_flips=1)
    rows2, report2 = build_pair_rows([*results, *results], kinds=("label_flip",), max_flips=1)
    assert len(rows2) == len(rows)
    assert report2.skipped["duplicate_label_flip"] == len(rows)


def test_pairs_from_saber_jsonl_without_evidence(tmp_path, results):
    path = tmp_path / "saber.jsonl"
    rows = [{**r.saber.model_dump(), "id": r.id, "emotion": r.emotion} for r in results]
    write_jsonl(path, rows)
    pairs, report = build_pairs_file(path, kinds=("ablation", "label_flip"))
    assert report.skipped["ablation_needs_evidence"] == len(results)
    assert {p["kind"] for p in pairs} == {"label_flip"}


def test_unrecognised_row_names_the_line(tmp_path):
    path = tmp_path / "bad.jsonl"
    path.write_text('{"hello": 1}\n', encoding="utf-8")
    with pytest.raises(InputError, match=r"bad.jsonl:1: unrecognised row"):
        build_pairs_file(path)


def test_detect_emotion():
    assert detect_emotion("The speaker sounds angry.", "en") == "angry"
    assert detect_emotion("happy face, sad words", "en") is None
    assert detect_emotion("最终情绪：愤怒", "zh") == "angry"


def test_sft_rows_round_trip_as_input(tmp_path, results):
    rows, _ = build_sft_rows(results, languages=("zh",))
    path = tmp_path / "sft.jsonl"
    write_jsonl(path, rows)
    again, report = build_sft_file(path, languages=("zh", "en"))
    assert [r["messages"] for r in again] == [r["messages"] for r in rows]
    assert report.skipped["no_text_in_en"] == len(rows)  # no evidence: no EN text to make
