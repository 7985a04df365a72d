"""Degraded copies of a folder of speech clips, same names:
``python -m emoreason.fitting.degraded_copies SRC OUT --condition phone_mulaw``.

For measuring anything downstream of the voice under another recording condition: point a
loader or ``emoreason build-conflicts --emodb OUT`` at the copies instead of the originals. Each
``*.wav`` below ``SRC`` (optionally only names starting with one of ``--prefix``) is decoded
with perception's decoder at 16 kHz, degraded by a named condition of
:mod:`emoreason.fitting.voice_augment` (seeded by the file's stem, so a rerun writes the same
samples) and written as 16-bit PCM under the same relative path in ``OUT``. A file appears only
when complete (temporary sibling, then rename); files already there are kept, so an interrupted
run resumes; a file that cannot be read is reported with its reason and the rest go on.
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
) -> tuple[list[Path], list[Path], list[tuple[Path, str]]]:
    """Write the copies; returns (written, kept because already there, failed with reason)."""
    if condition not in CONDITIONS:
        raise ValueError(f"condition: unknown {condition!r}; known: {sorted(CONDITIONS)}")
    wanted = tuple(prefixes)
    files = sorted(p for p in Path(src).rglob("*.wav") if not wanted or p.name.startswith(wanted))
    if not files:
        raise FileNotFoundError(f"{src}: no .wav files" + (f" named {wanted}*" if wanted else ""))
    written, kept, failed = [], [], []
    for path in files:
        target = Path(out) / path.relative_to(src)
        if target.exists():
            kept.append(target)
            continue
        try:
            _write_copy(path, target, condition)
        except Exception as exc:  # one bad file is reported; the others are still written
            failed.append((path, f"{type(exc).__name__}: {exc}".splitlines()[0]))
        else:
            written.append(target)
    return written, kept, failed


def _write_copy(path: Path, target: Path, condition: str) -> None:
    from scipy.io import wavfile

    from emoreason.perception.decode import decode_audio

    track = decode_audio(path, SAMPLE_RATE)
    if track is None or not len(track.samples):
        raise ValueError("no audio to degrade")
    y = CONDITIONS[condition].apply(track.samples, SAMPLE_RATE, path.stem)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.stem}.{os.getpid()}.partial.wav")
    try:
        wavfile.write(tmp, SAMPLE_RATE, np.round(np.clip(y, -1.0, 1.0) * 32767).astype(np.int16))
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("src", type=Path, help="folder of .wav clips (searched recursively)")
    parser.add_argument("out", type=Path, help="folder for the copies (same relative paths)")
    parser.add_argument("--condition", required=True, help=f"one of {', '.join(CONDITIONS)}")
    parser.add_argument("--prefix", default="", help="only names starting with these, e.g. 03,08")
    args = parser.parse_args(argv)
    prefixes = tuple(p.strip() for p in args.prefix.split(",") if p.strip())
    try:
        written, kept, failed = write_degraded_copies(args.src, args.out, args.condition, prefixes)
    except (ValueError, FileNotFoundError) as exc:
        parser.error(str(exc))
    for path, reason in failed:
        sys.stderr.write(f"{path}: {reason}\n")
    sys.stdout.write(
        f"{len(written)} written, {len(kept)} already there, {len(failed)} failed: {args.out}\n"
    )
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
