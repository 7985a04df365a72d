"""SABER text from :class:`~emoreason.reasoning.rules.facts.ClipFacts`, in any supported language.

Which facts are stated, and in which order, is decided here once; how each sentence reads is
the language's table in :mod:`emoreason.reasoning.rules.text_wording`, and cues and status lines
are written from their phrases (:mod:`emoreason.schema.phrases`). Each sentence restates a cue
(with its time span), a modality status, the transcript or a hypothesis; nothing is said about
a modality that was not observed except that it was unavailable, with perception's own status.
"""

from __future__ import annotations

from typing import Any

from emoreason.reasoning.rules.facts import ALWAYS_CITE, ClipFacts, ModalityFacts
from emoreason.reasoning.rules.text_wording import WORDING
from emoreason.schema.evidence import Cue
from emoreason.schema.labels import emotion_name
from emoreason.schema.languages import Language
from emoreason.schema.phrasebook import PUNCTUATION
from emoreason.schema.phrases import format_wording
from emoreason.schema.saber import AudioDesc, SaberRecord

#: (hypothesis modality, the evidence modality it is summarised from), in summary order.
_SIDES = (("visual", "face"), ("acoustic", "acoustic"), ("verbal", "verbal"))


def _states_time(cue: Cue) -> bool:
    """True when the cue's own wording says when (so its span is not repeated)."""
    if cue.phrase is not None:
        return "at" in cue.phrase.parts
    return cue.start is not None and f"{cue.start:.1f} s" in cue.description


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


class _Writer:
    """The rules text of one clip in one language."""

    def __init__(self, facts: ClipFacts, lang: Language) -> None:
        self.facts, self.lang = facts, lang
        self.wording = WORDING[lang]
        self.marks = PUNCTUATION[lang]

    # -- wording helpers
    def say(self, template: str, **fields: Any) -> str:
        return format_wording(template, self.lang, **fields)

    def sentence(self, text: str) -> str:
        text = text.strip()
        return text if text.endswith(self.marks.sentence_ends) else text + self.marks.full_stop

    def paragraph(self, *sentences: str) -> str:
        return self.marks.sentence_separator.join(s for s in sentences if s)

    def status(self, m: ModalityFacts) -> str:
        return m.status_text(self.lang)

    def span(self, cue: Cue) -> str:
        if cue.start is None or _states_time(cue):
            return ""
        if cue.end is None or abs(cue.end - cue.start) < 0.05:
            return self.say(self.wording.span_at, time=cue.start)
        return self.say(self.wording.span_range, start=cue.start, end=cue.end)

    def cue_list(self, cues: list[Cue]) -> str:
        return self.marks.clause_separator.join(f"{c.text(self.lang)}{self.span(c)}" for c in cues)

    def unavailable(self, m: ModalityFacts) -> str:
        what = self.wording.unavailable_what[m.name]
        return self.sentence(self.say(self.wording.unavailable, what=what, status=self.status(m)))

    def hypothesis(self, modality: str) -> str:
        h = self.facts.hypotheses[modality]
        if not h.available:
            return ""
        second = sorted(h.distribution, key=lambda e: -h.distribution[e])[1]
        return self.say(
            self.wording.hypothesis,
            reads=self.wording.reads[modality],
            label=h.label,
            p=h.distribution[h.label],
            second=second,
            second_p=h.distribution[second],
            confidence=h.confidence,
        )

    # -- the SABER dimensions
    def video_desc(self) -> str:
        w, clip = self.wording, self.facts.clip
        head = self.say(
            w.clip_head,
            duration=clip.duration,
            size=self.say(w.clip_size, width=clip.width, height=clip.height)
            if clip.width and clip.height
            else "",
            fps=self.say(w.clip_fps, fps=clip.fps) if clip.fps else "",
            frames=clip.frames_sampled,
            sound=w.with_sound if clip.has_audio else w.no_sound,
        )
        if clip.incomplete and clip.decoded_duration is not None:
            head = self.paragraph(
                head,
                self.say(
                    w.incomplete,
                    decoded=clip.decoded_duration,
                    duration=clip.duration,
                    coverage=clip.coverage,
                ),
            )
        if not clip.has_video:
            return self.paragraph(head, w.no_video)
        scene = self.facts.modality("scene")
        if not scene.available:
            return self.paragraph(head, self.unavailable(scene))
        face, body = self.facts.modality("face"), self.facts.modality("body")
        return self.paragraph(
            head,
            self.sentence(self.say(w.scene, cues=self.cue_list(scene.cues))) if scene.cues else "",
            self.sentence(self.say(w.face, text=self.status(face))),
            self.sentence(self.say(w.person, status=self.status(body))) if body.status else "",
        )

    def speech_content(self) -> str:
        w, facts = self.wording, self.facts
        speech, verbal = facts.modality("speech"), facts.modality("verbal")
        if not facts.clip.has_audio:
            return self.unavailable(speech)
        if not facts.speech_detected:
            return self.sentence(self.say(w.no_speech, status=self.status(speech)))
        if facts.transcript_issues:
            issues = facts.transcript_issues
            return self.sentence(
                self.say(w.words_unreliable, issues="; ".join(issues), count=len(issues))
            )
        language = (
            self.say(w.transcript_language, language=facts.transcript_language)
            if facts.transcript_language
            else ""
        )
        if verbal.available and verbal.cues:
            words = self.sentence(self.say(w.word_cues, cues=self.cue_list(verbal.cues)))
        elif not verbal.available:
            words = self.unavailable(verbal)
        else:
            words = ""
        says = self.say(w.says, language=language, transcript=facts.transcript)
        return self.paragraph(says, words, self.hypothesis("verbal"))

    def observed(self, source: str, said: str, peak: str, modality: str) -> str:
        """A modality's cues (else its status), its strongest moment and its reading."""
        m = self.facts.modality(source)
        if not m.available:
            return self.unavailable(m)
        text = self.say(said, text=self.cue_list(m.cues)) if m.cues else self.status(m)
        strongest = ""
        if m.peak:
            t, label, score = m.peak
            strongest = self.say(peak, label=label, score=score, time=t)
        return self.paragraph(self.sentence(text), strongest, self.hypothesis(modality))

    def acoustic_feat(self) -> str:
        return self.observed("acoustic", self.wording.voice, self.wording.voice_peak, "acoustic")

    def facial_exp_desc(self) -> str:
        return self.observed("face", self.wording.face, self.wording.face_peak, "visual")

    def body_lang_desc(self) -> str:
        w, body = self.wording, self.facts.modality("body")
        if not body.available:
            return self.unavailable(body)
        if body.cues:
            return self.sentence(self.say(w.body, cues=self.cue_list(body.cues)))
        return self.sentence(self.say(w.body_no_cue, status=self.status(body)))

    def side_summary(self, modality: str, source: str) -> str:
        """One side of the evidence summary: its reading and the cues (or words) it rests on."""
        w, facts = self.wording, self.facts
        m, side = facts.modality(source), w.side_names[modality]
        if not facts.hypotheses[modality].available or not m.available:
            return self.say(w.side_unavailable, side=side, status=self.status(m))
        cited = self.cue_list(m.cues[:2]) or self.status(m)
        if modality == "verbal" and facts.transcript:
            quoted = self.say(w.quoted_transcript, text=_clip(facts.transcript, w.transcript_limit))
            flags = [c.text(self.lang) for c in m.cues if c.name in ALWAYS_CITE]
            cited = self.marks.clause_separator.join([quoted, *flags])
        label = facts.consistency.modalities.get(modality)
        read = emotion_name(label, self.lang) if label else w.no_emotion_evidence
        return self.say(w.side_reading, side=side, read=read, cited=cited)

    def sentiment_analysis(self) -> str:
        w, facts = self.wording, self.facts
        c = facts.consistency
        pieces = [self.side_summary(modality, source) for modality, source in _SIDES]
        evidence = self.say(w.evidence, pieces=self.marks.clause_separator.join(pieces))
        conflicts = ""
        if c.conflicts:
            pairs = w.pair_separator.join(
                self.say(
                    w.conflict_pair,
                    a=w.conflict_names[a],
                    a_label=c.modalities.get(a),
                    b=w.conflict_names[b],
                    b_label=c.modalities.get(b),
                )
                for a, b in c.conflicts
            )
            conflicts = self.say(w.conflicts, pairs=pairs)
        verdict = w.verdict_names[c.verdict.value]
        final = (
            self.say(w.final, emotion=facts.emotion)
            + (w.default_note if c.resolution is None else "")
            + (self.say(w.traces, labels=facts.secondary) if facts.secondary else "")
            + self.say(w.verdict, verdict=verdict)
        )
        return self.paragraph(evidence, c.explanation, conflicts, final)

    def record(self) -> SaberRecord:
        return SaberRecord(
            video_desc=self.video_desc(),
            audio_desc=AudioDesc(
                speech_content=self.speech_content(), acoustic_feat=self.acoustic_feat()
            ),
            facial_exp_desc=self.facial_exp_desc(),
            body_lang_desc=self.body_lang_desc(),
            sentiment_analysis=self.sentiment_analysis(),
        )


def write_saber(facts: ClipFacts, lang: Language) -> SaberRecord:
    """The SABER record of ``facts`` written in ``lang``."""
    return _Writer(facts, lang).record()
