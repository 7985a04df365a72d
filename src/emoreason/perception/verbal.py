"""Verbal evidence: emotion cues in the words (EN and ZH), from the speech transcript.

Per sentence (ours)::

    p_emb  = softmax_e( max_{s in PROTOTYPES[e]} cos(embed(sentence), embed(s)) / 0.05 )
    p_lex  = emotion-word counts (LEXICON) normalised; = p_emb when no word matches
    p_val  = VADER valence (EN only): happy <- compound+, neutral <- 1-|compound|, negative
             emotions <- compound- shared in p_emb's proportions
    p      = 0.5 p_emb + 0.25 p_lex + 0.25 p_val        (ZH: 0.4 p_emb + 0.6 p_lex, no VADER)

Irony (whole utterance): >= 2 IRONY_MARKERS, or one marker with NEGATIVE_CONTEXT, gives
strength s = 0.8 / 0.6; then in every sentence ``s * p[happy]`` moves to ``angry`` (a sarcastic
"great" reports annoyance, not joy). The clip distribution is the word-count-weighted mean of the
sentence distributions; each sentence becomes a timeline point.
"""

from __future__ import annotations

import os
import re
import threading
import time
from pathlib import Path

import numpy as np

from emoreason.errors import ModelNotFoundError
from emoreason.perception.base import ClipSignal, Extractor, fmt_time
from emoreason.perception.hypotheses import asr_quality, softmax
from emoreason.perception.verbal_lexicon import IRONY_MARKERS, LEXICON, NEGATIVE_CONTEXT, PROTOTYPES
from emoreason.schema import EMOTIONS, Cue, ModalityEvidence, TimelinePoint
from emoreason.schema.labels import normalize_distribution

SENTENCE_END = re.compile(r"(?<=[.!?。！？])\s*")
CJK = re.compile(r"[\u4e00-\u9fff]")


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_END.split(text) if s.strip()]


def lexicon_counts(text: str) -> dict[str, int]:
    """Emotion-word hits: whole words for Latin script, substrings for CJK entries."""
    low = text.lower()
    counts = dict.fromkeys(EMOTIONS, 0)
    for emotion, words in LEXICON.items():
        for word in words:
            if CJK.search(word):
                counts[emotion] += low.count(word)
            else:
                counts[emotion] += len(re.findall(rf"(?<![\w']){re.escape(word)}(?![\w'])", low))
    return counts


def irony_strength(text: str) -> tuple[float, list[str]]:
    """0, 0.6 (one marker + negative context) or 0.8 (two or more markers), and the markers."""
    low = " ".join(re.sub(r"[^\w\s'\u4e00-\u9fff]", " ", text.lower()).split())
    markers = [m for m in IRONY_MARKERS if m in low]
    if len(markers) >= 2:
        return 0.8, markers
    if markers and any(re.search(rf"(?<!\w){re.escape(w)}(?!\w)", low) for w in NEGATIVE_CONTEXT):
        return 0.6, markers
    return 0.0, markers


class VerbalExtractor(Extractor):
    modality = "verbal"
    feature_names = (
        "sentences", "vader_compound", "irony", "asr_quality", "lexicon_hits",
        *(f"p_{e}" for e in EMOTIONS),
    )  # fmt: skip

    def __init__(self, config=None) -> None:
        super().__init__(config)
        self._lock = threading.Lock()
        self._encoder = self._vader = None
        self._proto: dict[str, np.ndarray] = {}

    def load(self) -> None:
        with self._lock:
            if self._encoder is not None:
                return
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

            from emoreason.perception.sentence_encoder import SentenceEncoder

            folder = Path(self.config.minilm_dir) if self.config.minilm_dir else _shipped_minilm()
            if not (folder / "config.json").exists():
                raise ModelNotFoundError(f"{folder}: not a sentence-transformers model folder")
            encoder = SentenceEncoder(folder)
            for emotion, sentences in PROTOTYPES.items():
                self._proto[emotion] = encoder.encode(list(sentences))  # (n_prototypes, 384), unit

            self._vader = SentimentIntensityAnalyzer()
            self._encoder = encoder

    def sentence_scores(self, sentences: list[str], zh: bool) -> list[dict[str, float]]:
        """One distribution per sentence (formula in the module docstring)."""
        self.load()
        emb = self._encoder.encode(sentences)  # (n, 384), unit length
        out = []
        for sentence, vec in zip(sentences, emb, strict=True):
            sims = {e: float((self._proto[e] @ vec).max()) for e in EMOTIONS}  # (k, 384) @ (384,)
            p_emb = softmax(sims, temperature=0.05)
            counts = lexicon_counts(sentence)
            p_lex = normalize_distribution(counts) if sum(counts.values()) else p_emb
            if zh or CJK.search(sentence):
                p = {e: 0.4 * p_emb[e] + 0.6 * p_lex[e] for e in EMOTIONS}
            else:
                c = self._vader.polarity_scores(sentence)["compound"]
                negative = {e: p_emb[e] for e in ("sad", "angry", "fearful", "disgusted")}
                neg_total = sum(negative.values()) or 1.0
                p_val = {e: max(0.0, -c) * negative.get(e, 0.0) / neg_total for e in EMOTIONS}
                p_val["happy"] = max(0.0, c)
                p_val["neutral"] = 1.0 - abs(c)
                p = {e: 0.5 * p_emb[e] + 0.25 * p_lex[e] + 0.25 * p_val[e] for e in EMOTIONS}
            out.append(normalize_distribution(p))
        return out

    def process_signal(self, signal: ClipSignal) -> ModalityEvidence:
        began = time.perf_counter()
        transcript = signal.transcript
        if transcript is None:
            return self.unavailable("no audio, so no words to analyse")
        if not transcript.text.strip():
            return self.unavailable("transcript is empty: no words to analyse")
        self.load()
        zh = (transcript.language or "").startswith("zh") or bool(CJK.search(transcript.text))
        # a 'sentence' without a letter, digit or CJK character (".", "...") is not scored
        pieces = [p for p in timed_sentences(transcript) if re.search(r"[^\W_]", p[0])]
        scores = self.sentence_scores([s for s, _, _ in pieces], zh)
        strength, markers = irony_strength(transcript.text)
        if strength > 0:
            for p in scores:
                moved = strength * p["happy"]
                p["happy"] -= moved
                p["angry"] += moved
        weights = np.array(
            [max(1, len(s.split()) if not zh else len(s)) for s, _, _ in pieces], float
        )
        clip = {e: float(np.average([p[e] for p in scores], weights=weights)) for e in EMOTIONS}
        compound = None if zh else float(self._vader.polarity_scores(transcript.text)["compound"])
        counts = lexicon_counts(transcript.text)
        quality = asr_quality(transcript, signal.asr_avg_logprob)
        if not self.config.language and transcript.language not in self.config.languages:
            quality *= 0.5  # detected language outside the supported set: words are doubtful
        values = {
            "sentences": len(pieces), "vader_compound": compound, "irony": strength,
            "asr_quality": quality, "lexicon_hits": float(sum(counts.values())),
            **{f"p_{e}": clip[e] for e in EMOTIONS},
        }  # fmt: skip
        cues = _cues(pieces, scores, counts, compound, strength, markers, quality)
        timeline = [TimelinePoint(time=round((a + b) / 2, 3), scores={e: round(p[e], 4) for e in EMOTIONS})
                    for (_, a, b), p in zip(pieces, scores, strict=True)]  # fmt: skip
        top = max(clip, key=clip.get)
        return ModalityEvidence(
            modality=self.modality, available=True,
            status=f"{len(pieces)} sentence(s) analysed ({'zh' if zh else transcript.language or '?'}); words lean {top}",
            features=self.declared(values), cues=cues, timeline=timeline,
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


def _cues(pieces, scores, counts, compound, strength, markers, quality) -> list[Cue]:
    cues = []
    for (sentence, start, end), p in zip(pieces, scores, strict=True):
        top = max(p, key=p.get)
        if top != "neutral" and p[top] >= 0.3:
            cues.append(Cue(name=f"words_{top}", value=round(p[top], 3), start=start, end=max(start, end),
                            confidence=round(p[top], 3),
                            description=f'"{sentence}" reads {top} (p={p[top]:.2f}) at {fmt_time(start)}'))  # fmt: skip
    hits = {e: c for e, c in counts.items() if c}
    if hits:
        listed = ", ".join(f"{e} x{c}" for e, c in sorted(hits.items(), key=lambda kv: -kv[1]))
        cues.append(
            Cue(
                name="emotion_words",
                value=float(sum(hits.values())),
                description=f"emotion words: {listed}",
            )
        )
    if compound is not None:
        tone = "positive" if compound > 0.3 else "negative" if compound < -0.3 else "neutral"
        cues.append(
            Cue(
                name="sentiment",
                value=round(compound, 3),
                description=f"literal wording is {tone} (VADER compound {compound:+.2f})",
            )
        )
    if strength > 0:
        cues.append(Cue(name="irony", value=strength, confidence=strength,
                        description=f"likely sarcasm: stock ironic phrases ({', '.join(repr(m) for m in markers)}) "
                        "alongside a complaint, so positive words are read as annoyance"))  # fmt: skip
    if quality < 0.5:
        cues.append(
            Cue(
                name="asr_uncertain",
                value=round(quality, 3),
                description="speech recognition is uncertain here: treat the words with caution",
            )
        )
    return cues


def _shipped_minilm() -> Path:
    from emoreason.assets import minilm_dir

    return minilm_dir()
