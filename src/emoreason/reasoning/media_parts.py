"""Media payloads for model backends: the clip as bytes and its audio as 16 kHz mono WAV."""

from __future__ import annotations

import base64
import io
import wave
from pathlib import Path

import numpy as np

from emoreason.errors import MediaError

WAV_RATE = 16000


def data_url(data: bytes, mime: str) -> str:
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def video_mime(path: str | Path) -> str:
    suffix = Path(path).suffix.lower()
    return {
        ".mp4": "video/mp4",
        ".webm": "video/webm",
        ".mov": "video/quicktime",
        ".mkv": "video/x-matroska",
        ".avi": "video/x-msvideo",
    }.get(suffix, "video/mp4")


def audio_wav_bytes(path: str | Path, max_seconds: float = 600.0) -> bytes | None:
    """The clip's first audio stream as 16 kHz mono 16-bit WAV; None when it has no audio."""
    import av  # lazy: only media backends need it

    try:
        container = av.open(str(path))
    except Exception as exc:  # av raises several error types
        raise MediaError(f"cannot open media ({exc})", path=path) from None
    with container:
        if not container.streams.audio:
            return None
        resampler = av.AudioResampler(format="s16", layout="mono", rate=WAV_RATE)
        chunks: list[np.ndarray] = []
        total = 0
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                samples = out.to_ndarray().reshape(-1)  # (1, n) -> (n,)
                chunks.append(samples)
                total += samples.size
            if total >= max_seconds * WAV_RATE:
                break
        for out in resampler.resample(None):
            chunks.append(out.to_ndarray().reshape(-1))
    pcm = np.concatenate(chunks).astype("<i2") if chunks else np.zeros(0, dtype="<i2")
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(WAV_RATE)
        wav.writeframes(pcm.tobytes())
    return buffer.getvalue()
