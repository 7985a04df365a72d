"""Every ms-swift writer follows the one media convention, on real clips with and without an
audio track (build-sft, build-pairs, from analyses with or without evidence and from SABER rows)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from training_fixtures import make_results

from emoreason.formats.jsonl import write_jsonl
from emoreason.formats.swift import SwiftRow, convention_problems
from emoreason.training.pairs import build_pair_rows, build_pairs_file
from emoreason.training.sft_data import build_sft_file, build_sft_rows
from emoreason.training.swift_media import audio_track, row_media
from saber_samples import RECORD

CLIPS = Path(__file__).resolve().parents[2] / "examples" / "clips"


@pytest.fixture
def media(tmp_path):
    """Two real clips: one with an audio track, one without."""
    folder = tmp_path / "media"
    folder.mkdir()
    shutil.copy(CLIPS / "sad_consistent.mp4", folder / "with_audio.mp4")
    shutil.copy(CLIPS / "no_audio.mp4", folder / "without_audio.mp4")
    return folder


def _check(rows: list[dict]) -> dict[str, dict]:
    by_clip = {}
    for row in rows:
        assert convention_problems(SwiftRow.model_validate(row)) == [], row["id"]
        by_clip[Path(row["videos"][0]).stem] = row
    return by_clip


def _assert_layout(by_clip: dict[str, dict]) -> None:
    sound = by_clip["with_audio"]
    assert sound["audios"] == sound["videos"] and len(sound["audios"]) == 1
    assert sound["messages"][0]["content"].startswith("<video><audio>")
    silent = by_clip["without_audio"]
    assert silent["audios"] == []
    assert silent["messages"][0]["content"].startswith("<video>")
    assert "<audio>" not in silent["messages"][0]["content"]


def test_audio_track_reads_the_container(media, tmp_path):
    assert audio_track(media / "with_audio.mp4") is True
    assert audio_track(media / "without_audio.mp4") is False
    (tmp_path / "junk.mp4").write_bytes(b"junk")
    assert audio_track(tmp_path / "junk.mp4") is None and audio_track(tmp_path / "none") is None
    assert row_media("with_audio.mp4", None, media_root=media)[1].endswith("with_audio.mp4")
    assert row_media("without_audio.mp4", None, media_root=media)[1] is None
    assert row_media("x.mp4", None, video_has_audio=True) == ("x.mp4", "x.mp4")  # evidence says


def _analyses(media: Path, keep_evidence: bool) -> list:
    """Analyses of the two clips (synthetic evidence with the clips' real stream facts)."""
    scenarios = {"with_audio": "consistent_sad", "without_audio": "missing_audio"}
    results = []
    for stem, scenario in scenarios.items():
        (result,) = make_results(media, scenarios=(scenario,))
        (media / f"{scenario}.mp4").unlink()
        source = str(media / f"{stem}.mp4")
        evidence = result.evidence.model_copy(
            update={"clip": result.evidence.clip.model_copy(update={"path": source})}
        )
        results.append(
            result.model_copy(
                update={
                    "id": stem,
                    "source": source,
                    "evidence": evidence if keep_evidence else None,
                }
            )
        )
    return results


@pytest.mark.parametrize("keep_evidence", [True, False])
def test_build_sft_and_pairs_from_analyses(media, keep_evidence):
    results = _analyses(media, keep_evidence)
    rows, _ = build_sft_rows(results)
    _assert_layout(_check(rows))
    pairs, _ = build_pair_rows(results, kinds=("label_flip", "hallucination"))
    by_clip = _check(pairs)
    assert set(by_clip) == {"with_audio", "without_audio"}
    _assert_layout(by_clip)


def test_build_from_saber_rows_and_swift_rows_that_name_only_the_video(media, tmp_path):
    saber_rows = tmp_path / "saber.jsonl"
    write_jsonl(saber_rows, [
        {**RECORD, "id": "a", "video": "with_audio.mp4", "emotion": "angry"},
        {**RECORD, "id": "b", "video": "without_audio.mp4", "emotion": "sad"},
    ])  # fmt: skip
    rows, _ = build_sft_file(saber_rows, media_root=media)
    _assert_layout(_check(rows))
    # rows written under another convention (`<video>` only, audio taken from the video by
    # USE_AUDIO_IN_VIDEO) come out in ours
    foreign = tmp_path / "foreign.jsonl"
    write_jsonl(foreign, [
        {"id": stem, "emotion": "angry", "videos": [str(media / f"{stem}.mp4")], "audios": [],
         "messages": [{"role": "user", "content": "<video>Describe."},
                      {"role": "assistant", "content": json.dumps(RECORD)}]}
        for stem in ("with_audio", "without_audio")
    ])  # fmt: skip
    rows, _ = build_sft_file(foreign)
    _assert_layout(_check(rows))
    pairs, _ = build_pairs_file(foreign, kinds=("label_flip",))
    _check(pairs)
