"""Speech recognition with faster-whisper (the package-shipped multilingual "base" model, int8).

Guarding against whisper's habit of inventing text on silence (each step documented, ours):

1. energy gate - audio whose loudest 50 ms frame is below ``silence_dbfs`` is not transcribed;
2. Silero VAD (bundled with faster-whisper) - only speech regions are decoded;
3. segments with ``no_speech_prob > no_speech_threshold`` and ``avg_logprob < -1`` are dropped;
4. segments whose own audio never rises 10 dB above ``silence_dbfs`` are dropped as hallucinated.

Greedy decoding at temperature 0 only (no temperature fallback): fast and deterministic.
Language detection reuses each 30 s chunk's encoder output (faster-whisper's ``multilingual``
mode, observed through :class:`LanguageRecorder`) instead of a separate encoder pass: one
Whisper encoder run per chunk instead of two (about 1.6 CPU-seconds saved per short clip).
Non-speech events: bracketed tags in whisper's text ("[Music]", "(laughs)"), and gaps between
words longer than 0.5 s, are reported as :class:`~emoreason.schema.Cue` events.

Words whisper could not really hear (invented text on garbled or robotic speech) are detected
from its own scores by :mod:`emoreason.perception.transcript_quality`: such a transcript is kept
for inspection but marked ``reliable=False``, never quoted in a cue, and the words are not read
for emotion. Whisper-base often writes Mandarin in traditional characters; a ``zh`` transcript
is converted to simplified characters (OpenCC ``t2s`` tables, package ``opencc-purepy``), the
script of the report and of the Chinese lexicons.
"""

from __future__ import annotations

import itertools
import re
import threading
import time
from pathlib import Path

import numpy as np

from emoreason.assets.models import model_path
from emoreason.perception.base import ClipSignal, Extractor
from emoreason.perception.prosody import frame_dbfs
from emoreason.perception.transcript_quality import SegmentStats, transcript_issues
from emoreason.schema import Cue, ModalityEvidence, Transcript, Word
from emoreason.schema.phrases import phrase

TAG = re.compile(r"[\[(（【]([^\])）】]{1,40})[\])）】]")
SPEECH_FEATURES: tuple[str, ...] = (
    "word_count", "speech_seconds", "words_per_minute", "avg_logprob", "no_speech_prob",
    "language_probability", "segment_count", "dropped_segments",
)  # fmt: skip


class LanguageRecorder:
    """Wraps the CTranslate2 Whisper model and records ``detect_language`` results.

    faster-whisper's ``multilingual=True`` detects the language of every chunk from that
    chunk's own encoder output but does not return it; forwarding through this wrapper keeps
    the ``[(token, probability), ...]`` list of each chunk. Everything else is passed through.
    """

    def __init__(self, model) -> None:
        self._model = model
        self.results: list[list[tuple[str, float]]] = []

    def detect_language(self, encoder_output, *args, **kwargs):
        results = self._model.detect_language(encoder_output, *args, **kwargs)
        self.results.append(list(results[0]))
        return results

    def __getattr__(self, name: str):
        return getattr(self._model, name)


class SpeechExtractor(Extractor):
    """Transcript, language, word timestamps and non-speech events."""

    modality = "speech"
    feature_names = SPEECH_FEATURES

    def __init__(self, config=None) -> None:
        super().__init__(config)
        self._model = None
        self._lock = threading.Lock()
        self._recorder: LanguageRecorder | None = None

    def model(self):
        """The faster-whisper model, loaded once (thread-safe)."""
        with self._lock:
            if self._model is None:
                from faster_whisper import WhisperModel

                folder = self._model_dir()
                model = WhisperModel(
                    str(folder), device="cpu", compute_type="int8",
                    cpu_threads=self.config.whisper_threads, local_files_only=True,
                )  # fmt: skip
                self._recorder = LanguageRecorder(model.model)
                model.model = self._recorder
                self._model = model
            return self._model

    def _model_dir(self) -> Path:
        return model_path("whisper-base", self.config.whisper_dir)

    def _language(self) -> tuple[str | None, float | None]:
        if self.config.language:
            return self.config.language, 1.0
        return merge_language_results(self._recorder.results)

    def process_signal(self, signal: ClipSignal) -> ModalityEvidence:
        began = time.perf_counter()
        if signal.audio is None:
            signal.transcript = None
            return self.unavailable(phrase("speech.no_audio"))
        x, sr = signal.audio.samples, signal.audio.sample_rate
        db, hop = frame_dbfs(x, sr)
        peak = float(db.max()) if len(db) else -120.0
        if peak < self.config.silence_dbfs:
            signal.transcript = Transcript(
                text="", language=None,
                events=[Cue(name="silence", start=0.0, end=len(x) / sr,
                            phrase=phrase("speech.silence", peak=peak))],
            )  # fmt: skip
            return self.unavailable(phrase("speech.silent"), seconds=time.perf_counter() - began)
        transcript, features, dropped, segments = self._transcribe(x, sr, db, hop)
        signal.transcript = transcript
        signal.asr_avg_logprob = features["avg_logprob"]
        seconds = time.perf_counter() - began
        if not transcript.text.strip():
            none = (
                phrase("speech.none_detected_dropped", seconds=len(x) / sr, dropped=dropped)
                if dropped
                else phrase("speech.none_detected", seconds=len(x) / sr)
            )
            return ModalityEvidence(
                modality=self.modality, available=False, status_phrases=[none],
                features=self.declared(features), cues=transcript.events, seconds=seconds,
            )  # fmt: skip
        lang = transcript.language or "?"
        p = transcript.language_probability or 0.0
        heard = {"words": len(transcript.words) or len(transcript.text.split()), "language": lang,
                 "p": p}  # fmt: skip
        if self.config.language:
            status = [phrase("speech.transcribed_configured", **heard)]
        elif p < self.config.min_language_probability:
            # Not disqualifying alone (short robotic speech can leave whisper unsure of the
            # language and still right about the words); the word-level signals decide.
            status = [phrase("speech.transcribed_uncertain", **heard)]
            if not transcript.reliable:
                transcript.issues.append(f"language {lang} detected with p={p:.2f}")
        elif lang not in self.config.languages:
            status = [phrase("speech.transcribed_unsupported", **heard,
                             supported=list(self.config.languages))]  # fmt: skip
        else:
            status = [phrase("speech.transcribed", **heard)]
        start, end = segments[0]["start"], segments[-1]["end"]
        if transcript.reliable:
            quoted = Cue(name="transcript", value=transcript.text[:200],
                         phrase=phrase("speech.transcript", text=transcript.text), start=start,
                         end=end, confidence=round(min(1.0, np.exp(features["avg_logprob"] or -1)), 3))  # fmt: skip
        else:
            issues = {"issues": "; ".join(transcript.issues), "count": len(transcript.issues)}
            status.append(phrase("speech.words_unreliable", **issues))
            quoted = Cue(name="unreliable_transcript", start=start, end=end,
                         phrase=phrase("speech.unreliable_transcript", **issues))  # fmt: skip
        cues = [quoted, *transcript.events]
        return ModalityEvidence(
            modality=self.modality, available=True, status_phrases=status,
            features=self.declared(features),
            cues=cues, seconds=seconds, extra={"segments": segments},
        )  # fmt: skip

    def _transcribe(self, x: np.ndarray, sr: int, db: np.ndarray, hop: float):
        cfg = self.config
        model = self.model()
        self._recorder.results.clear()
        segments_iter, _info = model.transcribe(
            x, language=cfg.language or "en", multilingual=cfg.language is None,
            beam_size=cfg.whisper_beam_size, temperature=0.0, word_timestamps=cfg.word_timestamps,
            vad_filter=True, condition_on_previous_text=False,
            no_speech_threshold=cfg.no_speech_threshold, log_prob_threshold=-1.0,
        )  # fmt: skip
        kept, words, events = [], [], []
        dropped = 0
        for seg in segments_iter:
            seg_db = db[int(seg.start / hop) : max(int(seg.start / hop) + 1, int(seg.end / hop))]
            quiet = len(seg_db) == 0 or float(seg_db.max()) < cfg.silence_dbfs + 10
            unlikely = seg.no_speech_prob > cfg.no_speech_threshold and seg.avg_logprob < -1.0
            if quiet or unlikely:
                dropped += 1
                continue
            text = seg.text.strip()
            for tag in TAG.findall(text):
                events.append(Cue(name="nonspeech_event", value=tag, start=seg.start, end=seg.end,
                                  phrase=phrase("speech.nonspeech", tag=tag, at=seg.start)))  # fmt: skip
            text = TAG.sub("", text).strip()
            if not text:
                continue
            kept.append({
                "start": round(float(seg.start), 3), "end": round(float(seg.end), 3), "text": text,
                "avg_logprob": round(float(seg.avg_logprob), 4),
                "no_speech_prob": round(float(seg.no_speech_prob), 4),
                "compression_ratio": round(float(seg.compression_ratio), 3),
                "words": len(seg.words or []),
            })  # fmt: skip
            for w in seg.words or []:
                if TAG.fullmatch(w.word.strip() or "-"):
                    continue
                words.append(Word(word=w.word.strip(), start=max(0.0, float(w.start)),
                                  end=max(0.0, float(w.end), float(w.start)),
                                  probability=min(1.0, max(0.0, float(w.probability)))))  # fmt: skip
        events += _word_gaps(words)
        language, language_p = self._language()
        if language == "zh":
            for s in kept:
                s["text"] = to_simplified(s["text"])
            words = [w.model_copy(update={"word": to_simplified(w.word)}) for w in words]
        joiner = "" if language in ("zh", "ja", "yue") else " "
        text = joiner.join(s["text"] for s in kept).strip()
        issues = transcript_issues(
            [SegmentStats(s["text"], s["avg_logprob"], s["no_speech_prob"],
                          s["compression_ratio"], s["words"]) for s in kept],
            [w.probability for w in words if w.probability is not None],
            language,
        )  # fmt: skip
        transcript = Transcript(
            text=text, language=language if text else None,
            language_probability=round(language_p, 4) if text and language_p is not None else None,
            words=words, events=events, reliable=not issues, issues=issues,
        )  # fmt: skip
        speech_s = sum(s["end"] - s["start"] for s in kept)
        n_words = len(words) if words else len(text.split())
        features = {
            "word_count": float(n_words), "speech_seconds": speech_s,
            "words_per_minute": 60.0 * n_words / speech_s if speech_s > 0 else None,
            "avg_logprob": float(np.mean([s["avg_logprob"] for s in kept])) if kept else None,
            "no_speech_prob": float(np.mean([s["no_speech_prob"] for s in kept])) if kept else None,
            "language_probability": language_p if text else None,
            "segment_count": float(len(kept)), "dropped_segments": float(dropped),
        }  # fmt: skip
        return transcript, features, dropped, kept


_T2S = None


def to_simplified(text: str) -> str:
    """Traditional -> simplified Chinese characters (OpenCC t2s tables, loaded once)."""
    global _T2S
    if _T2S is None:
        from opencc_purepy import OpenCC

        _T2S = OpenCC("t2s")
    return _T2S.convert(text)


def merge_language_results(
    results: list[list[tuple[str, float]]],
) -> tuple[str | None, float | None]:
    """Per-chunk ``[('<|en|>', p), ...]`` lists -> the language with the highest mean probability."""
    if not results:
        return None, None
    totals: dict[str, float] = {}
    for chunk in results:
        for token, p in chunk:
            totals[token] = totals.get(token, 0.0) + p / len(results)
    token = max(totals, key=totals.get)
    return token.strip("<|>"), float(totals[token])


def _word_gaps(words: list[Word], min_gap: float = 0.5) -> list[Cue]:
    gaps = []
    for a, b in itertools.pairwise(words):
        if b.start - a.end >= min_gap:
            gaps.append(Cue(
                name="speech_pause", value=round(b.start - a.end, 2), unit="s", start=a.end,
                end=b.start,
                phrase=phrase("speech.pause", seconds=b.start - a.end, word=a.word, at=a.end),
            ))  # fmt: skip
    return gaps
