"""build-conflicts: ground-truth rule, recombined media, labels, resumable output, loader."""

from __future__ import annotations

import json
import wave
from pathlib import Path

import av
import numpy as np
import pytest

from emoreason.errors import InputError
from emoreason.evaluation.conflict_media import recombine
from emoreason.evaluation.conflicts import (
    build_conflicts,
    emodb_sources,
    ground_truth,
    plan_conflicts,
    read_labels,
    read_manifest,
)
from emoreason.evaluation.loaders.conflicts import load_camer_built

ROOT = Path(__file__).resolve().parents[2]
CLIPS = ROOT / "examples" / "clips"
SOURCES = [
    {"id": "sad", "path": str(CLIPS / "sad_consistent.mp4"), "emotion": "sad"},
    {"id": "happy", "path": str(CLIPS / "happy_consistent.mp4"), "emotion": "happy"},
    {
        "id": "sarcasm",
        "path": str(CLIPS / "smile_angry_voice.mp4"),
        "video_emotion": "happy",
        "audio_emotion": "angry",
    },
]


def write_manifest(folder: Path, rows: list[dict]) -> Path:
    path = folder / "sources.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def streams(path: Path) -> dict[str, tuple[str, float]]:
    with av.open(str(path)) as c:
        return {s.type: (s.codec_context.name, float(s.duration * s.time_base)) for s in c.streams}


def decoded_audio(path: Path, rate: int = 16000) -> np.ndarray:
    with av.open(str(path)) as c:
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        chunks = [
            o.to_ndarray().reshape(-1) for f in c.decode(audio=0) for o in resampler.resample(f)
        ]
    return np.concatenate(chunks)


def write_tone(path: Path, seconds: float, rate: int = 16000) -> Path:
    t = np.arange(int(seconds * rate)) / rate
    pcm = (0.5 * np.sin(2 * np.pi * 220 * t) * 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(pcm.tobytes())
    return path


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A tiny conflict set built from the example clips at test time (0.6 s clips)."""
    folder = tmp_path_factory.mktemp("conflicts")
    sources = read_manifest(write_manifest(folder, SOURCES))
    report = build_conflicts(sources, folder / "set", duration=0.6, per_cell=1, seed=0)
    return folder / "set", report


@pytest.mark.parametrize(
    "video,audio,rule,expected",
    [
        ("sad", "sad", "patterns", ("consistent", "sad")),
        ("sad", "neutral", "patterns", ("video-aligned", "sad")),
        ("neutral", "angry", "patterns", ("audio-aligned", "angry")),
        ("happy", "angry", "patterns", ("audio-aligned", "angry")),
        ("happy", "disgusted", "patterns", ("audio-aligned", "disgusted")),
        ("fearful", "happy", "patterns", ("video-aligned", "fearful")),
        ("happy", "sad", "patterns", None),
        ("sad", "angry", "patterns", None),
        ("happy", "angry", "strict", None),
        ("sad", "neutral", "strict", ("video-aligned", "sad")),
    ],
)
def test_ground_truth_rule(video, audio, rule, expected):
    truth = ground_truth(video, audio, rule)
    assert (None if truth is None else (truth.verdict, truth.emotion)) == expected


def test_set_has_every_verdict_and_matched_controls(built):
    folder, report = built
    rows = read_labels(folder / "labels.jsonl")
    assert rows == report.rows and len({r["id"] for r in rows}) == len(rows)
    by_id = {r["id"]: r for r in rows}
    assert by_id["sad__own"]["verdict"] == "consistent"
    assert by_id["sarcasm__own"]["verdict"] == "audio-aligned"
    assert by_id["sarcasm__own"]["emotion"] == "angry"
    assert by_id["sad__happy"]["verdict"] == "video-aligned"  # masking rule
    assert {r["verdict"] for r in rows} == {"consistent", "video-aligned", "audio-aligned"}
    for r in rows:  # every row agrees with the documented rule
        truth = ground_truth(r["video_emotion"], r["audio_emotion"])
        assert (truth.verdict, truth.emotion) == (r["verdict"], r["emotion"])
    assert json.loads((folder / "build.json").read_text())["seed"] == 0


def test_clips_are_mp4_with_h264_and_aac_of_the_video_length(built):
    folder, report = built
    total = 0
    for r in report.rows:
        clip = folder / r["media"]
        total += clip.stat().st_size
        info = streams(clip)
        assert info["video"][0] == "h264" and info["audio"][0] == "aac"
        assert abs(info["video"][1] - 0.6) <= 0.05
        assert abs(info["audio"][1] - info["video"][1]) <= 0.07  # one AAC frame of priming
    assert total < 1_000_000
    assert not list(folder.rglob("*.partial*")) and not list(folder.glob(".*tmp"))


def test_own_sound_stays_in_sync_with_its_picture(built):
    _, report = built
    for r in report.rows:
        if r["id"].endswith("__own"):
            assert r["audio_start"] == r["video_start"]
        else:
            assert r["audio_start"] == 0.0


@pytest.mark.parametrize("seconds,padded,trimmed", [(0.4, 0.6, 0.0), (2.5, 0.0, 1.5)])
def test_sound_is_padded_or_trimmed_to_the_video(tmp_path, seconds, padded, trimmed):
    tone = write_tone(tmp_path / "tone.wav", seconds)
    made = recombine(CLIPS / "happy_consistent.mp4", tone, tmp_path / "out.mp4", duration=1.0)
    assert made.audio_padded == pytest.approx(padded, abs=0.05)
    assert made.audio_trimmed == pytest.approx(trimmed, abs=0.05)
    audio = decoded_audio(tmp_path / "out.mp4")
    rms = lambda a: float(np.sqrt(np.mean(a**2)))  # noqa: E731
    assert rms(audio[1600:4800]) > 0.1  # the tone at 0.1-0.3 s
    tail = audio[int(0.75 * 16000) : int(0.95 * 16000)]
    assert (rms(tail) < 0.01) == (padded > 0)  # silence where the sound was padded


def test_rebuild_keeps_finished_clips_and_redoes_missing_ones(tmp_path):
    sources = read_manifest(write_manifest(tmp_path, SOURCES[:2]))
    out = tmp_path / "set"
    first = build_conflicts(sources, out, duration=0.5, per_cell=1)
    stamps = {r["id"]: (out / r["media"]).stat().st_mtime_ns for r in first.rows}
    victim = first.rows[0]
    (out / victim["media"]).unlink()
    second = build_conflicts(sources, out, duration=0.5, per_cell=1)
    assert second.counts["written"] == 1 and second.counts["kept"] == len(first.rows) - 1
    for r in second.rows:
        if r["id"] != victim["id"]:
            assert (out / r["media"]).stat().st_mtime_ns == stamps[r["id"]]
    assert read_labels(out / "labels.jsonl") == second.rows
    # a different plan (another duration) is not mistaken for the finished one
    third = build_conflicts(sources, out, duration=0.6, per_cell=1)
    assert third.counts["written"] == len(first.rows)


def test_plan_is_seeded_and_samples_per_cell(tmp_path):
    sources = read_manifest(write_manifest(tmp_path, SOURCES))
    a, _ = plan_conflicts(sources, duration=1.0, per_cell=1, seed=1)
    b, _ = plan_conflicts(sources, duration=1.0, per_cell=1, seed=1)
    assert [(p.id, p.video_start) for p in a] == [(p.id, p.video_start) for p in b]
    full, counts = plan_conflicts(sources)
    assert counts["excluded"] > 0 and all(p.duration > 1.0 for p in full)


@pytest.mark.parametrize(
    "row,field",
    [
        ({"id": "x", "path": "CLIP", "emotion": "banana"}, "emotion"),
        ({"id": "", "path": "CLIP", "emotion": "sad"}, "id"),
        ({"id": "x", "path": "missing.mp4", "emotion": "sad"}, "path"),
        ({"id": "x", "path": "CLIP", "emotion": "sad", "start": 2, "end": 1}, "end"),
        ({"id": "x", "path": "CLIP", "video_emotion": None, "audio_emotion": None}, "emotion"),
    ],
)
def test_bad_manifest_rows_name_file_line_and_field(tmp_path, row, field):
    row = {k: (str(CLIPS / "sad_consistent.mp4") if v == "CLIP" else v) for k, v in row.items()}
    good = {"id": "ok", "path": str(CLIPS / "sad_consistent.mp4"), "emotion": "sad"}
    path = write_manifest(tmp_path, [good, row])
    with pytest.raises(InputError, match=rf"sources.jsonl:2: {field}"):
        read_manifest(path)


def test_emodb_sources_follow_the_file_naming(tmp_path):
    wav = tmp_path / "wav"
    wav.mkdir()
    for name in ("03a01Fa", "03a01Lb", "11b02Wc", "12a05Nd", "notes"):
        (wav / f"{name}.wav").write_bytes(b"")
    found = {s.id: (s.audio_emotion, s.group, s.video_emotion) for s in emodb_sources(tmp_path)}
    assert found == {
        "emodb_03a01Fa": ("happy", "03", None),
        "emodb_11b02Wc": ("angry", "11", None),
        "emodb_12a05Nd": ("neutral", "12", None),
    }
    assert [s.id for s in emodb_sources(wav, ["3"])] == ["emodb_03a01Fa"]


def test_loader_reads_a_built_set(built):
    folder, report = built
    loaded = load_camer_built(folder, ["neutral", "happy", "sad", "angry"], None)
    assert loaded.counts["loaded"] == len(report.rows) and not loaded.problems
    sample = {s.id: s for s in loaded.samples}["sarcasm__own"]
    assert (sample.subset, sample.label) == ("audio-aligned", "angry")
    assert Path(sample.media).is_file()


def _silent_video(path: Path) -> Path:
    with av.open(str(path), mode="w") as container:
        stream = container.add_stream("mpeg4", rate=10)
        stream.width, stream.height, stream.pix_fmt = 32, 32, "yuv420p"
        for i in range(5):
            frame = av.VideoFrame.from_ndarray(np.full((32, 32, 3), i * 40, np.uint8), "rgb24")
            container.mux(stream.encode(frame))
        container.mux(stream.encode(None))
    return path


def test_bad_sound_sources_are_media_errors_naming_the_file(tmp_path):
    """The sound is read by perception's decoder (one decoding path): its errors, one line."""
    from emoreason.errors import MediaError

    garbage = tmp_path / "noise.mp4"
    garbage.write_bytes(b"not a media file at all" * 40)
    cases = [
        (tmp_path / "absent.wav", "file not found"),
        (garbage, "not a decodable video"),
        (_silent_video(tmp_path / "mute.mp4"), "no audio stream"),
    ]
    for source, reason in cases:
        with pytest.raises(MediaError) as caught:
            recombine(CLIPS / "happy_consistent.mp4", source, tmp_path / "out.mp4", duration=0.5)
        assert str(caught.value).startswith(f"{source}: ") and reason in str(caught.value)
        assert not (tmp_path / "out.mp4").exists()
