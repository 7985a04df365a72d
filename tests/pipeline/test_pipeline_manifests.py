"""Manifest readers: RAVDESS / CREMA-D file names, MELD CSV, folders and JSONL, label mapping."""

from __future__ import annotations

import csv
import json

import pytest

from emoreason.errors import InputError
from emoreason.pipeline.manifests import (
    LABEL_ALIASES,
    map_label,
    parse_cremad_name,
    parse_ravdess_name,
    read_manifest,
)
from emoreason.schema.labels import EMOTIONS

# RAVDESS emotion code -> the label we expect, written out by hand from the corpus README
RAVDESS_EXPECTED = {
    1: "neutral",
    2: "neutral",
    3: "happy",
    4: "sad",
    5: "angry",
    6: "fearful",
    7: "disgusted",
    8: "surprised",
}
CREMAD_EXPECTED = {
    "ANG": "angry",
    "DIS": "disgusted",
    "FEA": "fearful",
    "HAP": "happy",
    "NEU": "neutral",
    "SAD": "sad",
}


@pytest.mark.parametrize("emotion", sorted(RAVDESS_EXPECTED))
@pytest.mark.parametrize("actor", [1, 12, 24])
def test_ravdess_names_every_emotion(emotion, actor):
    stem = f"01-01-{emotion:02d}-02-01-02-{actor:02d}"
    fields = parse_ravdess_name(stem)
    assert fields is not None
    assert fields["label"] == RAVDESS_EXPECTED[emotion]
    assert fields["speaker"] == f"ravdess_{actor:02d}"
    meta = fields["meta"]
    assert meta["modality"] == "audio-video"
    assert meta["intensity"] == "strong" and meta["repetition"] == 2 and meta["statement"] == 1
    assert meta["sex"] == ("male" if actor % 2 else "female")
    assert meta["text"] == "Kids are talking by the door"  # statement 01


def test_ravdess_example_from_the_issue():
    fields = parse_ravdess_name("03-01-05-01-02-01-12")
    assert fields["label"] == "angry" and fields["source_label"] == "angry"
    assert fields["meta"]["modality"] == "audio-only"
    assert fields["meta"]["vocal_channel"] == "speech"
    assert fields["meta"]["sex"] == "female"
    calm = parse_ravdess_name("02-02-02-01-01-01-01")
    assert calm["source_label"] == "calm" and calm["label"] == "neutral"
    assert calm["meta"]["vocal_channel"] == "song"


@pytest.mark.parametrize(
    "stem",
    [
        "03-01-09-01-02-01-12",
        "04-01-05-01-02-01-12",
        "03-01-05-01-02-01-25",
        "03-01-05-01-02-01",
        "x",
    ],
)
def test_ravdess_rejects_names_outside_the_layout(stem):
    assert parse_ravdess_name(stem) is None


@pytest.mark.parametrize("code", sorted(CREMAD_EXPECTED))
def test_cremad_names(code):
    fields = parse_cremad_name(f"1001_DFA_{code}_XX")
    assert fields["label"] == CREMAD_EXPECTED[code]
    assert fields["source_label"] == code
    assert fields["speaker"] == "cremad_1001"
    assert fields["meta"] == {
        "sentence": "DFA",
        "level": "XX",
        "actor": 1001,
        "text": "Don't forget a jacket",
    }
    assert parse_cremad_name(f"1091_IEO_{code}_HI")["meta"]["level"] == "HI"


@pytest.mark.parametrize("stem", ["1001_DFA_BOR_XX", "1001_DFA_ANG", "101_DFA_ANG_XX", "a_b_c_d"])
def test_cremad_rejects_other_names(stem):
    assert parse_cremad_name(stem) is None


def test_folder_mixes_corpora_and_plain_clips(tmp_path):
    names = ["03-01-04-01-01-01-07.mp4", "1002_IEO_HAP_HI.flv", "my_clip.mp4", "readme.txt"]
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    items = {i.id: i for i in read_manifest(tmp_path)}
    assert set(items) == {"03-01-04-01-01-01-07", "1002_IEO_HAP_HI", "my_clip"}
    assert (items["03-01-04-01-01-01-07"].dataset, items["03-01-04-01-01-01-07"].label) == (
        "ravdess",
        "sad",
    )
    assert (items["1002_IEO_HAP_HI"].dataset, items["1002_IEO_HAP_HI"].label) == ("cremad", "happy")
    assert items["my_clip"].label is None and items["my_clip"].dataset == "folder"


def test_forced_dataset_marks_foreign_names_as_errors(tmp_path):
    (tmp_path / "03-01-04-01-01-01-07.mp4").write_bytes(b"x")
    (tmp_path / "holiday.mp4").write_bytes(b"x")
    items = {i.id: i for i in read_manifest(tmp_path, "ravdess")}
    assert items["03-01-04-01-01-01-07"].error is None
    assert "not a ravdess name" in items["holiday"].error


def _write_meld(path, rows, columns=None):
    columns = columns or [
        "Sr No.",
        "Utterance",
        "Speaker",
        "Emotion",
        "Sentiment",
        "Dialogue_ID",
        "Utterance_ID",
        "Season",
        "Episode",
    ]
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        writer.writerows(rows)


def test_meld_csv_maps_labels_and_finds_split_folders(tmp_path):
    csv_path = tmp_path / "dev_sent_emo.csv"
    _write_meld(
        csv_path,
        [
            [1, "Oh my God, he's lost it.", "Phoebe", "surprise", "negative", 0, 0, 4, 7],
            [2, "Why, why?", "Monica", "joy", "positive", 0, 1, 4, 7],
            [3, "I'm fine.", "Ross", "sadness", "negative", 12, 3, 4, 7],
            [4, "Bad id", "Ross", "anger", "negative", "x", 3, 4, 7],
        ],
    )
    (tmp_path / "dev_splits_complete").mkdir()
    (tmp_path / "dev_splits_complete" / "dia0_utt1.mp4").write_bytes(b"x")
    items = read_manifest(csv_path)
    assert [i.id for i in items[:3]] == ["dev_dia0_utt0", "dev_dia0_utt1", "dev_dia12_utt3"]
    assert [i.label for i in items[:3]] == ["surprised", "happy", "sad"]
    assert [i.source_label for i in items[:3]] == ["surprise", "joy", "sadness"]
    assert items[1].path == str(tmp_path / "dev_splits_complete" / "dia0_utt1.mp4")
    assert items[0].path == str(tmp_path / "dia0_utt0.mp4")  # missing: fails later, clearly
    assert items[2].speaker == "Ross" and items[2].meta["sentiment"] == "negative"
    assert items[2].meta["text"] == "I'm fine."
    bad = items[3]
    assert (
        bad.error is not None and "dev_sent_emo.csv:5" in bad.error and "Dialogue_ID" in bad.error
    )


def test_meld_csv_without_a_column_is_refused(tmp_path):
    csv_path = tmp_path / "train_sent_emo.csv"
    _write_meld(csv_path, [["hi", "A", "joy"]], columns=["Utterance", "Speaker", "Emotion"])
    with pytest.raises(InputError, match="Sentiment"):
        read_manifest(csv_path)


def test_jsonl_manifest_with_labels_and_duplicate_ids(tmp_path):
    manifest = tmp_path / "m.jsonl"
    rows = [
        {"id": "a", "path": "a.mp4", "label": "boredom", "speaker": 3},
        {"id": "b", "video": "b.mp4", "label": "frustration", "text": "what she says"},
        {"path": "a.mp4"},
        "not an object",
    ]
    manifest.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    items = read_manifest(manifest)
    assert items[0].label == "neutral" and items[0].source_label == "boredom"
    assert items[1].meta == {"text": "what she says"} and items[0].meta == {}
    assert items[0].speaker == "3"
    assert items[1].label is None and items[1].source_label == "frustration"
    assert items[2].id == "a-2"
    assert items[3].error is not None and "m.jsonl:4" in items[3].error


def test_label_aliases_land_in_our_vocabulary():
    assert set(LABEL_ALIASES.values()) <= set(EMOTIONS)
    assert all(map_label(e) == e for e in EMOTIONS)
    assert map_label("Calm") == "neutral" and map_label("contempt") == "disgusted"
    assert map_label("xxx") is None and map_label(None) is None


def test_missing_input_is_one_clear_error(tmp_path):
    with pytest.raises(InputError, match="input not found"):
        read_manifest(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="no media files"):
        read_manifest(tmp_path / "empty")
