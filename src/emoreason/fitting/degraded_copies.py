"""Degraded copies of a folder of speech clips, same names:
``python -m emoreason.fitting.degraded_copies SRC OUT --condition phone_mulaw``.

For measuring anything downstream of the voice under another recording condition: point a
loader or ``emoreason build-conflicts --emodb OUT`` at the copies instead of the originals. Each
``*.wav`` below ``SRC`` (optionally only names starting with one of ``--prefix``) is decoded
with perception's decoder at 16 kHz, degraded by a named condition of
:mod:`emoreason.fitting.voice_augment` (seeded by the file's stem, so a rerun writes the same
samples) and written as 16-bit PCM under the same relative path in ``OUT``. A file appears only
when complete (temporary sibling, then rename); files already there are kept, so an interrupted
run resumes.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from emoreason.fitting.voice_augment import CONDITIONS

SAMPLE_RATE = 16000


def write_degraded_copies(
    src: Path, out: Path, condition: str, prefixes: Sequence[str] = ()
) -> tuple[list[Path], list[Path]]:
    """Write the copies; returns (written, kept because already there)."""
    from scipy.io import wavfile

    from emoreason.perception.decode import decode_audio

    if condition not in CONDITIONS:
        raise ValueError(f"condition: unknown {condition!r}; known: {sorted(CONDITIONS)}")
    files = sorted(p for p in Path(src).rglob("*.wav") if p.name.startswith(tuple(prefixes) or ""))
    if not files:
        raise FileNotFoundError(
            f"{src}: no .wav files" + (f" named {prefixes}*" if prefixes else "")
        )
    written, kept = [], []
    for path in files:
        target = Path(out) / path.relative_to(src)
        if target.exists():
            kept.append(target)
            continue
        track = decode_audio(path, SAMPLE_RATE)
        if track is None or not len(track.samples):
            raise ValueError(f"{path}: no audio to degrade")
        y = CONDITIONS[condition].apply(track.samples, SAMPLE_RATE, path.stem)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.stem}.{os.getpid()}.partial.wav")
        wavfile.write(tmp, SAMPLE_RATE, np.round(np.clip(y, -1.0, 1.0) * 32767).astype(np.int16))
        os.replace(tmp, target)
        written.append(target)
    return written, kept


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="folder of .wav clips (searched recursively)")
    parser.add_argument("out", type=Path, help="folder for the copies (same relative paths)")
    parser.add_argument("--condition", required=True, help=f"one of {', '.join(CONDITIONS)}")
    parser.add_argument("--prefix", default="", help="only names starting with these, e.g. 03,08")
    args = parser.parse_args(argv)
    prefixes = tuple(p.strip() for p in args.prefix.split(",") if p.strip())
    try:
        written, kept = write_degraded_copies(args.src, args.out, args.condition, prefixes)
    except (ValueError, FileNotFoundError) as exc:
        parser.error(str(exc))
    sys.stdout.write(f"{len(written)} written, {len(kept)} already there: {args.out}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
