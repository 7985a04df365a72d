"""Each loader on fixture files in its published layout; bad rows counted, never a crash."""

from __future__ import annotations

import json

import pytest
from eval_fixtures import (
    make_camer,
    make_dfew,
    make_emer,
    make_emobench_m,
    make_mer2023,
    make_saber,
)

from emoreason.errors import InputError
from emoreason.evaluation.loaders import (
    load_camer,
    load_dfew,
    load_emer_v1,
    load_emer_v2,
    load_emobench_m,
    load_jsonl,
    load_mer2023,
    load_saber_test,
)
from emoreason.evaluation.registry import get_task


def test_camer(tmp_path):
    task = get_task("camer")
    report = load_camer(make_camer(tmp_path / "camer"), task.labels, task.label_map)
    by_id = {s.id: s for s in report.samples}
    assert sorted(by_id) == ["a1", "a2", "c1", "c2", "v1", "v2", "v3"]
    assert by_id["v3"].label == "angry" and by_id["v3"].subset == "video-aligned"
    assert by_id["a1"].label == "angry" and by_id["a1"].prompt.startswith("<video>")
    assert by_id["a2"].subset == "audio-aligned" and by_id["c1"].subset == "consistent"
    assert by_id["c1"].media.endswith("clips/c1.mp4") and by_id["c2"].media.endswith("c2.wav")
    counts = report.counts
    assert counts["rows"] == 10 and counts["loaded"] == 7
    assert counts["missing_id"] == 1 and counts["unknown_label"] == 1 and counts["bad_row"] == 1
    assert counts["missing_media"] == 0
    assert any("contemptuous-ish" in p for p in report.problems)


def test_camer_missing_files_is_a_clear_error(tmp_path):
    with pytest.raises(InputError, match="no CA-MER subset file"):
        load_camer(tmp_path)


def test_mer2023(tmp_path):
    task = get_task("mer2023")
    report = load_mer2023(make_mer2023(tmp_path), task.labels)
    assert [s.id for s in report.samples] == [
        "sample_00000007",
        "sample_00000010",
        "sample_00000011",
    ]
    assert [s.label for s in report.samples] == ["happy", "worried", "neutral"]
    assert report.samples[1].media.endswith(".avi")
    assert report.counts["missing_media"] == 1
    assert report.counts["missing_id"] == 1 and report.counts["unknown_label"] == 1


def test_dfew_fold_and_all(tmp_path):
    task = get_task("dfew")
    root = make_dfew(tmp_path)
    one = load_dfew(root, task.labels, task.label_map, fold=1)
    assert [(s.id, s.label) for s in one.samples] == [
        ("00001", "happy"),
        ("00002", "sad"),
        ("00003", "fear"),
    ]
    assert one.counts["unknown_label"] == 1  # label 9
    assert one.counts["missing_media"] == 1  # 00003
    both = load_dfew(root, task.labels, task.label_map, fold="all")
    assert both.counts["loaded"] == 5 and {s.subset for s in both.samples} == {"fold1", "fold2"}
    with pytest.raises(InputError, match="fold 3"):
        load_dfew(root, task.labels, task.label_map, fold=3)


def test_emobench_m(tmp_path):
    report = load_emobench_m(make_emobench_m(tmp_path))
    by_id = {s.id: s for s in report.samples}
    assert set(by_id) == {
        "MELD/dia1_utt0",
        "MELD/dia1_utt1",
        "MELD/dia2_utt0",
        "MELD/dia2_utt1",
        "MOSI/a",
        "MOSI/b",
    }
    assert (
        by_id["MELD/dia1_utt0"].labels[0] == "neutral" and "joy" in by_id["MELD/dia1_utt0"].labels
    )
    assert by_id["MOSI/a"].labels == ("neutral", "negative", "positive")
    assert by_id["MELD/dia1_utt0"].prompt == "Determine the emotion."
    # hunger: outside MELD's categories, kept (the official scripts score any gold answer)
    assert by_id["MELD/dia2_utt1"].label == "hunger"
    assert report.counts["label_outside_categories"] == 1
    assert report.counts["unknown_label"] == 0
    assert report.counts["missing_label"] == 1  # no gpt turn
    assert report.counts["missing_media"] == 4


def test_emer_v1_and_v2(tmp_path):
    root = make_emer(tmp_path)
    v1 = load_emer_v1(root)
    assert [s.id for s in v1.samples] == ["sample_00000007", "sample_00000008"]
    first = v1.samples[0]
    assert first.label == "happy" and first.subtitle.startswith("Be there")
    assert first.reference_emotions == ["happy", "cheerful", "relieved"]
    assert v1.samples[1].reference_emotions == ["sad"]  # "not angry" is negated
    assert v1.counts["missing_label"] == 1
    zh = load_emer_v1(root, lang="zh")
    assert zh.samples[0].reference_emotions == ["happy", "开心"]
    v2 = load_emer_v2(root)
    assert [s.id for s in v2.samples] == ["sample_00000007", "sample_00000008"]
    assert v2.samples[1].reference_emotions == ["sad", "anxious"]
    assert v2.counts["missing_id"] == 1
    assert load_emer_v2(root, lang="zh").samples[0].reference_text == "她很开心。"
    with pytest.raises(InputError, match="lang"):
        load_emer_v2(root, lang="fr")


def test_saber_test(tmp_path):
    task = get_task("saber_test")
    report = load_saber_test(make_saber(tmp_path), task.labels, task.label_map)
    by_id = {s.id: s for s in report.samples}
    assert set(by_id) == {"dia0_utt0", "dia0_utt1", "clip9"}
    assert by_id["dia0_utt0"].subset == "consistent" and by_id["dia0_utt0"].label == "happy"
    assert by_id["clip9"].subset == "inconsistent" and by_id["clip9"].media.endswith(
        "videos/clip9.mp4"
    )
    assert by_id["dia0_utt1"].label is None and by_id["dia0_utt1"].reference_emotions == [
        "calm",
        "neutral",
    ]
    assert by_id["clip9"].subtitle == "hello there"
    assert report.counts["bad_row"] == 1 and report.counts["missing_media"] == 1


def test_generic_jsonl(tmp_path):
    lines = [
        json.dumps({"id": "x1", "label": "happy", "media": "x1.mp4", "subset": "a"}),
        "{broken",
        json.dumps({"label": "sad"}),
        json.dumps({"id": "x2", "emotion": "furious"}),
        json.dumps({"id": "x3", "emotion": "sad", "emotions": ["sad", "lonely"]}),
        json.dumps({"id": "x3", "emotion": "sad"}),
    ]
    (tmp_path / "data.jsonl").write_text("\n".join(lines) + "\n")
    report = load_jsonl(tmp_path, get_task("jsonl").labels)
    assert [s.id for s in report.samples] == ["x1", "x3"]
    assert report.samples[1].reference_emotions == ["sad", "lonely"]
    counts = report.counts
    assert counts["bad_row"] == 1 and counts["missing_id"] == 1 and counts["unknown_label"] == 1
    assert counts["duplicate_id"] == 1 and counts["missing_media"] == 2


def test_emobench_m_ravdss_file_names_and_mc_eiu(tmp_path):
    def item(video, answer):
        turns = [{"from": "human", "value": "<video>\nq"}, {"from": "gpt", "value": answer}]
        return {"video": video, "conversations": turns}

    (tmp_path / "RAVDSS_song.json").write_text(json.dumps([item("s/1.mp4", "Calm ")]))
    (tmp_path / "RAVDSS_speech_500.json").write_text(json.dumps([item("p/1.mp4", "disgust")]))
    (tmp_path / "MC-EIU-test_500.json").write_text(
        json.dumps([item("m/1.mp4", "Emotion: happy; intent: encouraging")])
    )
    report = load_emobench_m(tmp_path)
    by_id = {s.id: s for s in report.samples}
    song, speech = by_id["RAVDSS_song/1"], by_id["RAVDSS_speech/1"]
    assert song.subset == "RAVDSS_song" and song.label == "calm"
    assert song.labels == ("neutral", "calm", "happy", "sad", "angry", "fearful")
    assert speech.subset == "RAVDSS_speech" and "surprised" in speech.labels
    mc = by_id["MC-EIU/1"]
    assert mc.subset == "MC-EIU" and mc.label == "emotion: happy; intent: encouraging"
    assert report.counts["label_outside_categories"] == 0
