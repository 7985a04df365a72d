"""Tiny benchmark folders in the published layouts, written by the tests (no real data)."""

from __future__ import annotations

import csv
import json
from pathlib import Path


def write_csv(path: Path, header: list[str], rows: list[list[object]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def touch_media(root: Path, *names: str) -> None:
    for name in names:
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"\x00")


def make_camer(root: Path) -> Path:
    """Three subset files; one bad item, one unknown label, one missing id, one missing media."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "video_aligned.json").write_text(
        json.dumps(
            [
                {"id": "v1", "video": "videos/v1.mp4", "label": "sad"},
                {"id": "v2", "video": "videos/v2.mp4", "label": "happy"},
                {"video_id": "v3", "emotion": "Angry"},
                {"label": "sad"},
            ]
        )
    )
    (root / "audio-aligned.json").write_text(
        json.dumps(
            [
                {
                    "id": "a1",
                    "conversations": [
                        {"from": "human", "value": "<video>\nEmotion?"},
                        {"from": "gpt", "value": "angry"},
                    ],
                },
                {"id": "a2", "label": "sad"},
                {"id": "a3", "label": "contemptuous-ish"},
            ]
        )
    )
    (root / "consistent.json").write_text(
        json.dumps(
            [
                {"id": "c1", "label": "happy"},
                {"id": "c2", "label": "neutral"},
                "not an object",
            ]
        )
    )
    touch_media(
        root,
        "videos/v1.mp4",
        "videos/v2.mp4",
        "videos/v3.mp4",
        "a1.mp4",
        "a2.mp4",
        "clips/c1.mp4",
        "c2.wav",
    )
    return root


def make_mer2023(root: Path) -> Path:
    write_csv(
        root / "test1-label.csv",
        ["name", "discrete", "valence"],
        [
            ["sample_00000007", "happy", 2.5],
            ["sample_00000010", "worried", -1.0],
            ["sample_00000011", "neutral", 0.0],
            ["", "sad", -2.0],
            ["sample_00000012", "bored", 0.0],
        ],
    )
    touch_media(root, "video/sample_00000007.mp4", "video/sample_00000010.avi")
    return root


def make_dfew(root: Path) -> Path:
    split = root / "EmoLabel_DataSplit" / "test(single-labeled)"
    write_csv(split / "set_1.csv", ["video_name", "label"], [[1, 1], [2, 2], [3, 7], [4, 9]])
    write_csv(split / "set_2.csv", ["video_name", "label"], [[5, 4], [6, 3]])
    touch_media(root, "videos/00001.mp4", "Clip/00002.avi", "00005.mp4")
    return root


def make_emobench_m(root: Path) -> Path:
    root.mkdir(parents=True, exist_ok=True)

    def item(video, answer, prompt="<video>\nDetermine the emotion."):
        return {
            "video": video,
            "conversations": [{"from": "human", "value": prompt}, {"from": "gpt", "value": answer}],
        }

    (root / "MELD_test_instruction.json").write_text(
        json.dumps(
            [
                item("MELD/dia1_utt0.mp4", "joy"),
                item("MELD/dia1_utt1.mp4", "anger"),
                item("MELD/dia2_utt0.mp4", "sadness"),
                item("MELD/dia2_utt1.mp4", "hunger"),
            ]
        )
    )
    (root / "MOSI_test_500.json").write_text(
        json.dumps(
            [
                item("MOSI/a.mp4", "positive"),
                item("MOSI/b.mp4", "negative"),
                {"video": "MOSI/c.mp4", "conversations": [{"from": "human", "value": "x"}]},
            ]
        )
    )
    touch_media(root, "MELD/dia1_utt0.mp4", "MOSI/a.mp4")
    return root


def make_emer(root: Path) -> Path:
    write_csv(
        root / "gt-eng.csv",
        ["names", "emotions", "subtitles", "reasons"],
        [
            [
                "sample_00000007",
                "happy",
                "Be there or be square. Oh, okay, goodbye.",
                "She smiles and laughs; her tone is cheerful, so she feels happy and relieved.",
            ],
            [
                "sample_00000008",
                "sad",
                "I miss her.",
                "Tears and a low voice: she is sad, not angry.",
            ],
            ["sample_00000009", "", "", ""],
        ],
    )
    write_csv(
        root / "gt-chi.csv",
        ["names", "emotions", "subtitles", "reasons"],
        [
            ["sample_00000007", "happy", "好的，再见。", "她面带微笑，语气轻快，感到开心。"],
        ],
    )
    write_csv(
        root / "final-EMER-reason.csv",
        ["names", "chinese", "english"],
        [
            [
                "sample_00000007",
                "她很开心。",
                "In the video, she smiles. Her voice is loud with laughter. She is happy.",
            ],
            [
                "sample_00000008",
                "他很难过。",
                "He frowns and cries. His tone is low and slow. He feels sad and anxious.",
            ],
            ["", "无", "no id here"],
        ],
    )
    return root


def saber_record(analysis: str, speech: str = "hello there", **extra: object) -> dict:
    return {
        "audio_desc": {"speech_content": speech, "acoustic_feat": "A calm, moderate voice."},
        "video_desc": "A person in a kitchen.",
        "facial_exp_desc": "Slight smile.",
        "body_lang_desc": "Relaxed posture.",
        "sentiment_analysis": analysis,
        **extra,
    }


def make_saber(root: Path) -> Path:
    for split in ("Consistent", "Inconsistent"):
        (root / split).mkdir(parents=True, exist_ok=True)
    (root / "Consistent" / "dia0_utt0.json").write_text(
        json.dumps(saber_record("The overall sentiment is happy and relaxed.", emotion="happy"))
    )
    (root / "Consistent" / "dia0_utt1.json").write_text(
        json.dumps(saber_record("He is calm and neutral."))
    )
    (root / "Inconsistent" / "clip9.json").write_text(
        json.dumps(
            saber_record("Smiling face but hostile tone: she is angry (sarcasm).", emotion="angry")
        )
    )
    (root / "Inconsistent" / "broken.json").write_text("{not json")
    touch_media(root, "Consistent/dia0_utt0.mp4", "videos/clip9.mp4")
    return root
