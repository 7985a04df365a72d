"""The media an ms-swift row names, under the one convention of :mod:`emoreason.formats.swift`.

Every writer of ms-swift rows (``build-sft``, ``build-pairs``, ``convert --to swift`` and the
data pipeline's instruction files) asks :func:`row_media` for a row's ``videos``/``audios``: the
clip in ``videos``; its sound in ``audios`` as a separate stream - the separate audio file when
there is one, else the clip itself when it has an audio track; nothing for a clip without one.
Whether a clip has an audio track is taken from its evidence when known, else read from the
file's container (no decoding).
"""

from __future__ import annotations

from pathlib import Path

from emoreason.errors import EmoreasonError
from emoreason.formats.swift import row_audio
from emoreason.training.sources import resolve_media


def audio_track(path: str | Path) -> bool | None:
    """Whether the media file at ``path`` has an audio stream; None when it cannot be read."""
    from emoreason.perception.decode import probe

    try:
        return probe(path).has_audio
    except (EmoreasonError, OSError):
        return None


def row_media(
    video: str | None,
    audio: str | None,
    *,
    video_has_audio: bool | None = None,
    media_root: str | Path | None = None,
) -> tuple[str | None, str | None]:
    """(video, audio) paths for one row (``media_root`` resolves relative paths).

    ``video_has_audio``: whether the clip has an audio track (from its evidence); None when not
    known, then the file is probed when no separate ``audio`` is given.
    """
    video_path = str(resolve_media(video, media_root)) if video else None
    audio_path = str(resolve_media(audio, media_root)) if audio else None
    if audio_path is None and video_path is not None and video_has_audio is None:
        video_has_audio = audio_track(video_path)
    return video_path, row_audio(video_path, audio_path, video_has_audio)
