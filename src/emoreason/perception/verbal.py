"""Verbal evidence: emotion in the words (EN and ZH), one path for any text and for transcripts.

:func:`classify_text` is the public entry: ``classify_text("I'm sick of your lies!")`` ->
:class:`~emoreason.schema.EmotionHypothesis`. The pipeline's :class:`VerbalExtractor` runs the
very same :meth:`VerbalClassifier.read` on the transcript's sentences and adds timing, cues, a
timeline and the speech-recognition quality; :func:`~emoreason.perception.hypotheses.verbal_hypothesis`
turns either into the hypothesis.

Per sentence (ours): a learned linear softmax layer over hand-made lexicon features (negation
scope, degree words, bad news, punctuation, irony, VADER for EN) and MiniLM sentence embeddings
(+ character n-grams for ZH); see :mod:`emoreason.perception.verbal_model`.

**Clip pooling (ours)** keeps strong sentence evidence: with ``z_s`` the logits of sentence ``s``
and ``p_s = softmax(z_s)``::

    w_s    = (0.1 + 1 - p_s[neutral]) ** 2            (decisive, non-neutral sentences dominate)
    z_clip = sum_s w_s z_s / sum_s w_s
    p_clip = softmax(z_clip / T)          (T: temperature fitted on the calib sentences, per language)

A clearly angry sentence (p[neutral] ~ 0) weighs ~1.2, a neutral one (p[neutral] ~ 0.95)
~0.02, so "Get out of my office right now! I'm sick of your lies!" stays angry and
"The doctor called. The results are not good." reads the bad news.

**Irony (ours)**: >= 2 IRONY_MARKERS, or one marker with NEGATIVE_CONTEXT, gives strength
s = 0.8 / 0.6; ``s * p_clip[happy]`` then moves to ``angry`` (a sarcastic "great" reports
annoyance, not joy).

**Confidence and no evidence (ours)**: ``confidence = max(p_clip)`` (calibrated). No word
characters -> *no evidence* (flat distribution, confidence 0). A text of fewer than 3 words
(ZH: 4 characters) with no emotion word whose top label is neutral or below 0.5 -> *no
evidence* too: a bare "okay" says nothing about feelings. Other short texts without emotion
words keep their label at half the confidence.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np

from emoreason.assets.models import load_once, model_path
from emoreason.errors import ModelNotFoundError
from emoreason.perception.base import ClipSignal, Extractor
from emoreason.perception.hypotheses import asr_quality, verbal_hypothesis
from emoreason.perception.lm_sentence_features import shared_lm_features
from emoreason.perception.verbal_features import (
    CJK,
    DENSE_NAMES,
    LexiconReading,
    dense_features,
    detect_language,
    irony_strength,
    lexicon_scores,
)
from emoreason.perception.verbal_model import POOL_FLOOR, POOL_POWER, VerbalModel, ngram_vector
from emoreason.schema import EMOTIONS, Cue, EmotionHypothesis, ModalityEvidence, TimelinePoint
from emoreason.schema.phrases import phrase

SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
WORD_CHAR = re.compile(r"[A-Za-z0-9\u4e00-\u9fff]")
NEUTRAL = EMOTIONS.index("neutral")
__all__ = ["VerbalClassifier", "VerbalExtractor", "classify_text", "irony_strength", "pool_logits"]


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def lexicon_counts(text: str) -> dict[str, int]:
    """Emotion-word hits per emotion (negated hits not counted), for cues."""
    counts = dict.fromkeys(EMOTIONS, 0)
    for emotion, _, negated in lexicon_scores(text).words:
        if not negated:
            counts[emotion] += 1
    return counts


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def pool_logits(z: np.ndarray) -> np.ndarray:
    """(n, 7) sentence logits -> (7,) clip logits (rule in the module docstring)."""
    z = np.atleast_2d(np.asarray(z, dtype=np.float64))
    w = (POOL_FLOOR + 1.0 - _softmax(z)[:, NEUTRAL]) ** POOL_POWER  # (n,)
    return (w[:, None] * z).sum(axis=0) / w.sum()


def _size(text: str, zh: bool) -> int:
    return len(WORD_CHAR.findall(text)) if zh else len(re.findall(r"[A-Za-z0-9']+", text))


@dataclass
class TextReading:
    """What the words say: per-sentence and pooled distributions, confidence, flags."""

    lang: str
    sentences: list[str]
    sentence_probs: list[dict[str, float]] = field(default_factory=list)
    distribution: dict[str, float] = field(default_factory=lambda: dict.fromkeys(EMOTIONS, 1 / 7))
    confidence: float = 0.0
    no_evidence: bool = True
    flags: list[str] = field(default_factory=list)
    irony: float = 0.0
    irony_markers: list[str] = field(default_factory=list)
    lexicon: LexiconReading = field(default_factory=LexiconReading)
    vader_compound: float | None = None
    logits: np.ndarray | None = None  # pooled, before temperature and irony

    @property
    def label(self) -> str:
        return max(self.distribution, key=self.distribution.get)


class VerbalClassifier:
    """Sentence encoder + VADER + the learned model; thread-safe lazy loading."""

    def __init__(self, minilm_dir: str | Path | None = None, model: VerbalModel | None = None):
        self._lock = threading.Lock()
        self._minilm_dir = minilm_dir
        self.model = model
        self._encoder = self._vader = None

    def load(self) -> None:
        with self._lock:
            if self._encoder is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            from emoreason.perception.sentence_encoder import SentenceEncoder

            folder = model_path("all-minilm-l6-v2", self._minilm_dir)
            if self.model is None:
                self.model = load_once("verbal-model", VerbalModel.load)
            if tuple(self.model.dense_names) != DENSE_NAMES:
                raise ModelNotFoundError("verbal model: its feature names do not match this code")
            self._vader = SentimentIntensityAnalyzer()
            self._encoder = SentenceEncoder(folder)

    def inputs(
        self,
        sentences: list[str],
        lang: str,
        buckets: int | None = None,
        lm_layer: int | Literal["model"] | None = "model",
    ):
        """Model inputs of ``sentences``: dense (n, d), embeddings (n, 384), n-grams, LM
        features (n, h) or None, readings (``buckets``: n-gram size, default the model's;
        ``lm_layer``: hidden layer of the LM features, default the model's, None: none)."""
        self.load()
        zh = lang.startswith("zh")
        rows, readings = [], []
        for s in sentences:
            vader = None if zh else self._vader.polarity_scores(s)
            values, reading = dense_features(s, lang, vader)
            rows.append(values)
            readings.append(reading)
        if buckets is None:
            buckets = self.model.for_lang(lang).ngram_buckets
        ngram = np.stack([ngram_vector(s, buckets) for s in sentences]) if buckets else None
        dense = np.asarray(rows, dtype=np.float64).reshape(len(sentences), len(DENSE_NAMES))
        if lm_layer == "model":
            model = self.model.for_lang(lang)
            lm_layer = model.lm_layer if model.uses_lm else None
        lm = None if lm_layer is None else shared_lm_features().encode(sentences, lm_layer)
        return dense, self._encoder.encode(sentences).astype(np.float64), ngram, lm, readings

    def sentence_logits(self, sentences: list[str], lang: str) -> np.ndarray:
        """(n, 7) uncalibrated logits, one row per sentence."""
        dense, embed, ngram, lm, _ = self.inputs(sentences, lang)
        return self.model.for_lang(lang).logits(dense, embed, ngram, lm)

    def read(self, sentences: list[str], lang: str) -> TextReading:
        """The reading of a text already split into sentences (rules in the module docstring)."""
        text = " ".join(sentences)
        reading = TextReading(lang=lang, sentences=list(sentences))
        if not sentences or not WORD_CHAR.search(text):
            reading.flags.append("no_words")
            return reading
        self.load()
        model = self.model.for_lang(lang)
        dense, embed, ngram, lm, _ = self.inputs(sentences, lang)
        z = model.logits(dense, embed, ngram, lm)  # (n, 7)
        reading.logits = pool_logits(z)
        p = _softmax(reading.logits / model.temperature)
        reading.sentence_probs = [_as_dict(row) for row in _softmax(z / model.temperature)]
        reading.irony, reading.irony_markers = irony_strength(text)
        if reading.irony > 0:
            moved = reading.irony * p[EMOTIONS.index("happy")]
            p[EMOTIONS.index("happy")] -= moved
            p[EMOTIONS.index("angry")] += moved
            for sp in reading.sentence_probs:
                shift = reading.irony * sp["happy"]
                sp["happy"], sp["angry"] = sp["happy"] - shift, sp["angry"] + shift
        reading.lexicon = lexicon_scores(text, lang)
        if not lang.startswith("zh"):
            reading.vader_compound = float(self._vader.polarity_scores(text)["compound"])
        reading.distribution = _as_dict(p)
        reading.confidence = float(p.max())
        reading.no_evidence = False
        zh = lang.startswith("zh")
        if _size(text, zh) < (4 if zh else 3) and reading.lexicon.total == 0:
            reading.flags.append("short_text")
            if reading.label == "neutral" or reading.confidence < 0.5:
                return _no_evidence(reading)
            reading.confidence *= 0.5
        return reading


def _as_dict(p: np.ndarray) -> dict[str, float]:
    return {e: float(v) for e, v in zip(EMOTIONS, p, strict=True)}


def _no_evidence(reading: TextReading) -> TextReading:
    reading.no_evidence = True
    reading.distribution = dict.fromkeys(EMOTIONS, 1 / len(EMOTIONS))
    reading.confidence = 0.0
    return reading


_DEFAULT: VerbalClassifier | None = None
_DEFAULT_LOCK = threading.Lock()


def default_classifier() -> VerbalClassifier:
    """The process-wide classifier over the shipped MiniLM and verbal model."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = VerbalClassifier()
        return _DEFAULT


def reading_values(reading: TextReading, quality: float) -> dict[str, float | None]:
    """The verbal evidence features of a reading (what :func:`verbal_hypothesis` reads)."""
    return {
        "sentences": float(len(reading.sentences)), "vader_compound": reading.vader_compound,
        "irony": reading.irony, "asr_quality": quality, "lexicon_hits": reading.lexicon.total,
        "text_confidence": reading.confidence, "no_evidence": float(reading.no_evidence),
        **{f"p_{e}": reading.distribution[e] for e in EMOTIONS},
    }  # fmt: skip


def classify_text(text: str, lang: str | None = None) -> EmotionHypothesis:
    """Emotion in ``text`` (EN or ZH; ``lang`` None: CJK characters -> zh, else en).

    The same path as a transcript in the pipeline (speech-recognition quality taken as 1).
    Empty text, or a few words without emotion words, gives a "no evidence" hypothesis: a flat
    distribution, confidence 0, ``based_on == ["no_evidence"]``.
    """
    lang = lang or detect_language(text)
    reading = default_classifier().read(split_sentences(text), lang)
    ev = ModalityEvidence(
        modality="verbal", available=True, status="text", features=reading_values(reading, 1.0),
        cues=_cues([(s, 0.0, 0.0) for s in reading.sentences], reading, 1.0),
    )  # fmt: skip
    return verbal_hypothesis(ev)


class VerbalExtractor(Extractor):
    modality = "verbal"
    feature_names = (
        "sentences", "vader_compound", "irony", "asr_quality", "lexicon_hits",
        "text_confidence", "no_evidence", *(f"p_{e}" for e in EMOTIONS),
    )  # fmt: skip

    def __init__(self, config=None) -> None:
        super().__init__(config)
        self._classifier: VerbalClassifier | None = None

    @property
    def classifier(self) -> VerbalClassifier:
        if self._classifier is None:
            d = self.config.minilm_dir
            self._classifier = VerbalClassifier(d) if d else default_classifier()
        return self._classifier

    def load(self) -> None:
        self.classifier.load()

    def process_signal(self, signal: ClipSignal) -> ModalityEvidence:
        began = time.perf_counter()
        transcript = signal.transcript
        if transcript is None:
            return self.unavailable(phrase("verbal.no_audio"))
        if not transcript.text.strip():
            return self.unavailable(phrase("verbal.empty"))
        if not getattr(transcript, "reliable", True):
            return self.unavailable(phrase("verbal.unreliable"))
        zh = (transcript.language or "").startswith("zh") or bool(CJK.search(transcript.text))
        lang = "zh" if zh else "en"
        # a 'sentence' without a letter, digit or CJK character (".", "...") is not scored
        pieces = [p for p in timed_sentences(transcript) if re.search(r"[^\W_]", p[0])]
        reading = self.classifier.read([s for s, _, _ in pieces], lang)
        quality = asr_quality(transcript, signal.asr_avg_logprob)
        if not self.config.language and transcript.language not in self.config.languages:
            quality *= 0.5  # detected language outside the supported set: words are doubtful
        timeline = [TimelinePoint(time=round((a + b) / 2, 3), scores={e: round(p[e], 4) for e in EMOTIONS})
                    for (_, a, b), p in zip(pieces, reading.sentence_probs, strict=False)]  # fmt: skip
        lean = phrase("verbal.lean", label=reading.label)
        if reading.no_evidence:
            lean = phrase("verbal.no_lean")
        return ModalityEvidence(
            modality=self.modality, available=True,
            status_phrases=[phrase("verbal.analysed", sentences=len(pieces), language=lang), lean],
            features=self.declared(reading_values(reading, quality)),
            cues=_cues(pieces, reading, quality), timeline=timeline,
            seconds=time.perf_counter() - began,
        )  # fmt: skip


def timed_sentences(transcript) -> list[tuple[str, float, float]]:
    """Sentences with start/end times from word timestamps, matched by non-space character
    counts (works for EN words and for ZH, where whisper's 'words' are characters or tokens).
    Without word timestamps every sentence spans 0-0."""
    sentences = split_sentences(transcript.text)
    words = transcript.words
    if not words:
        return [(s, 0.0, 0.0) for s in sentences]
    out, i = [], 0
    for s in sentences:
        need, got, first = len("".join(s.split())), 0, i
        while i < len(words) and got < need:
            got += len("".join(words[i].word.split()))
            i += 1
        chunk = words[first:i] or words[-1:]
        out.append((s, chunk[0].start, chunk[-1].end))
    return out


def _cues(pieces, reading: TextReading, quality: float) -> list[Cue]:
    cues = []
    if reading.no_evidence:
        why = "no words" if "no_words" in reading.flags else "too few words, no emotion words"
        cues.append(Cue(name="no_evidence", value=0.0, confidence=1.0,
                        phrase=phrase("verbal.no_evidence", why=why)))  # fmt: skip
    for (sentence, start, end), p in zip(pieces, reading.sentence_probs, strict=False):
        top = max(p, key=p.get)
        if top != "neutral" and p[top] >= 0.3:
            cues.append(Cue(name=f"words_{top}", value=round(p[top], 3), start=start, end=max(start, end),
                            confidence=round(p[top], 3),
                            phrase=phrase("verbal.sentence", sentence=sentence, label=top, p=p[top], at=start)))  # fmt: skip
    hits: dict[tuple[str, bool], list[str]] = {}
    for emotion, entry, negated in reading.lexicon.words:
        hits.setdefault((emotion, bool(negated)), []).append(entry)
    if hits:
        groups = [{"emotion": e, "negated": n, "words": list(dict.fromkeys(w))}
                  for (e, n), w in hits.items()]  # fmt: skip
        cues.append(Cue(name="emotion_words", value=float(reading.lexicon.total),
                        phrase=phrase("verbal.emotion_words", groups=groups)))  # fmt: skip
    if reading.lexicon.bad_news:
        cues.append(Cue(name="bad_news", value=float(reading.lexicon.bad_news),
                        phrase=phrase("verbal.bad_news")))  # fmt: skip
    c = reading.vader_compound
    if c is not None:
        tone = "positive" if c > 0.3 else "negative" if c < -0.3 else "neutral"
        cues.append(Cue(name="sentiment", value=round(c, 3),
                        phrase=phrase("verbal.sentiment", tone=tone, compound=c)))  # fmt: skip
    if reading.irony > 0:
        cues.append(Cue(name="irony", value=reading.irony, confidence=reading.irony,
                        phrase=phrase("verbal.irony", markers=list(reading.irony_markers))))  # fmt: skip
    if "short_text" in reading.flags and not reading.no_evidence:
        cues.append(Cue(name="short_text", value=0.5, phrase=phrase("verbal.short_text")))
    if quality < 0.5:
        cues.append(Cue(name="asr_uncertain", value=round(quality, 3),
                        phrase=phrase("verbal.asr_uncertain")))  # fmt: skip
    return cues
