"""Quality control of annotated records (SABER's QC step; the checks below are **ours**).

Per record, in its language:

- **ASR agreement**: word error rate between the recogniser's transcript (reference) and what
  ``audio_desc.speech_content`` says was said (the first quoted span, else the whole field).
  English is compared word by word, Chinese character by character. A transcript flagged
  unreliable (``evidence.transcript.reliable = False``) is not a reference: no WER, and the
  record fails if it quotes that transcript anyway.
- **Evidence agreement**: every cue the text cites (a concept of :data:`CUE_CONCEPTS` named,
  not negated, in the scene / acoustic / face / body / reasoning dimensions) must exist among
  the cues of the evidence's available modalities.
- **Consistency split**: the record's consistency verdict (consistent vs the conflicts).
- **ASR vs the corpus** (when the manifest knows what is said, ``meta["text"]``): the WER of the
  recogniser's transcript against it (``asr_wer``; reported, and over ``max_wer`` the record
  fails, since its speech content then rests on misheard words).

A record passes when its WER (if any) is at most ``max_wer``, it quotes no unreliable
transcript and cites no cue the evidence lacks.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, field
from statistics import mean, median
from typing import Any

from emoreason.schema.evidence import Evidence
from emoreason.schema.result import AnalysisResult

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TOKEN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]|[a-z0-9]+(?:'[a-z0-9]+)*")
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”")

#: Cue concepts a text may cite: (pattern in English text and in evidence cue names and
#: descriptions, pattern in Chinese text).
CUE_CONCEPTS: dict[str, tuple[str, str]] = {
    "smile": (r"\bsmil\w*|lip corners? (?:pulled |raised |turned )?up|lip.corner.puller", r"微笑|笑容|嘴角上扬"),
    "lip_corners_down": (r"lip corners? (?:pulled |turned )?down|lip.corner.depressor|\bfrown\w*", r"嘴角下垂|嘴角下拉"),
    "brow_raise": (r"brows? raised|raised (?:inner |outer )?(?:eye)?brows?|brow.raise", r"扬眉|挑眉|眉毛上扬"),
    "brow_lower": (r"brows? (?:lowered|drawn together|furrowed)|\bfurrow\w*|brow.lower", r"皱眉|眉头紧锁"),
    "cheek_raise": (r"cheeks? raised|cheek.raise", r"脸颊上提"),
    "jaw_drop": (r"jaw (?:drop|dropped|lowered)|mouth (?:open|opened|agape)|jaw.drop", r"张嘴|下巴下垂"),
    "eyes_wide": (r"eyes? (?:wide|widened)|upper lids? raised|upper.lid.raise|eye.widen", r"睁大眼睛|瞪大眼睛"),
    "tears": (r"\btears?\b|\bcrying\b|\bweep\w*", r"流泪|哭泣"),
    "loud_voice": (r"\bloud(?:ly|ness)?\b", r"响亮|大声"),
    "quiet_voice": (r"\bquiet\b|\bsoft(?:ly)? (?:voice|spoken)|\bwhisper\w*", r"轻声|小声"),
    "fast_speech": (r"fast speech|speaks? (?:fast|quickly)|rapid speech|speech.rate.fast", r"语速(?:很|较)?快"),
    "slow_speech": (r"slow speech|speaks? slowly|speech.rate.slow", r"语速(?:很|较)?慢"),
    "high_pitch": (r"(?:high|raised)\b[\w ,-]{0,15}\bpitch|pitch.high", r"音调(?:很|较)?高"),
    "low_pitch": (r"\blow\b[\w ,-]{0,15}\bpitch|pitch.low", r"音调(?:很|较)?低"),
    "pitch_rise": (r"pitch ris\w*|rising pitch|pitch.rise", r"音调上升|语调上扬"),
    "pauses": (r"\bpauses?\b", r"停顿"),
    "head_down": (r"head (?:down|lowered|bowed|tilted down)|head.down", r"低头"),
    "hand_to_face": (r"hands? (?:to|on|near|over|covering) (?:the |her |his |their )?face|hand.to.face", r"捂脸|手(?:放在|遮住)脸"),
    "arms_crossed": (r"arms? crossed|crossed arms|arms.crossed", r"双臂交叉|抱臂"),
}  # fmt: skip
_EN = {k: re.compile(en, re.IGNORECASE) for k, (en, _) in CUE_CONCEPTS.items()}
_ZH = {k: re.compile(zh) for k, (_, zh) in CUE_CONCEPTS.items()}
_NEGATION_EN = re.compile(r"\b(?:no|not|without|absence of|unavailable|none)\b[^.;,:]*$", re.I)
_NEGATION_ZH = re.compile(r"(?:没有|无|未|不)[^。；，：]*$")
CITING_DIMENSIONS: tuple[str, ...] = (
    "video_desc",
    "audio_desc.acoustic_feat",
    "facial_exp_desc",
    "body_lang_desc",
    "sentiment_analysis",
)


def tokens(text: str) -> list[str]:
    """Lower-cased words; each Chinese character is one token."""
    return _TOKEN.findall(text.lower())


def edit_distance(reference: list[str], hypothesis: list[str]) -> int:
    """Levenshtein distance between two token lists (substitutions, insertions, deletions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp in enumerate(hypothesis, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref != hyp))
        previous = current
    return previous[-1]


def word_error_rate(reference: str, hypothesis: str) -> float | None:
    """WER (character error rate for Chinese) of ``hypothesis`` against ``reference``; None
    when the reference has no tokens."""
    ref = tokens(reference)
    if not ref:
        return None
    return edit_distance(ref, tokens(hypothesis)) / len(ref)


def quoted_speech(speech_content: str) -> str | None:
    """The first quoted span of ``speech_content`` (straight or Chinese quotes)."""
    match = _QUOTED.search(speech_content)
    if match is None:
        return None
    return match.group(1) or match.group(2)


def cited_concepts(text: str, lang: str = "en") -> set[str]:
    """Cue concepts named in ``text`` and not negated in the same clause."""
    found = set()
    patterns = [(_EN, _NEGATION_EN)] + ([(_ZH, _NEGATION_ZH)] if lang == "zh" else [])
    for table, negation in patterns:
        for concept, pattern in table.items():
            for match in pattern.finditer(text):
                if not negation.search(text[max(0, match.start() - 40) : match.start()]):
                    found.add(concept)
                    break
    return found


def evidence_concepts(evidence: Evidence) -> set[str]:
    """Cue concepts present among the cues of the evidence's available modalities."""
    texts = [
        f"{cue.name} {cue.name.replace('_', ' ')} {cue.description}"
        for ev in evidence.modalities.values()
        if ev.available
        for cue in ev.cues
    ]
    blob = " | ".join(texts)
    return {concept for concept, pattern in _EN.items() if pattern.search(blob)}


@dataclass
class RecordQC:
    """The quality-control outcome of one record (one clip in one language)."""

    lang: str
    wer: float | None = None
    wer_status: str = "ok"  # ok | no_transcript | transcript_unreliable | no_evidence
    quotes_unreliable_transcript: bool = False
    cited: list[str] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    asr_wer: float | None = None
    consistent: bool = True
    verdict: str = "consistent"
    passed: bool = True
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_record(
    result: AnalysisResult,
    evidence: Evidence | None,
    *,
    max_wer: float = 0.3,
    reference_text: str | None = None,
) -> RecordQC:
    """Quality control of one record against the evidence it was written from (and against
    ``reference_text``, what the corpus says is spoken, when known)."""
    qc = RecordQC(
        lang=result.language,
        consistent=result.consistency.consistent,
        verdict=result.consistency.verdict.value,
    )
    speech = result.saber.audio_desc.speech_content
    quote = quoted_speech(speech)
    transcript = evidence.transcript if evidence is not None else None
    if evidence is None:
        qc.wer_status = "no_evidence"
    elif transcript is None or not tokens(transcript.text):
        qc.wer_status = "no_transcript"
    elif not transcript.reliable:
        qc.wer_status = "transcript_unreliable"
        if quote is not None:
            overlap = _overlap(tokens(transcript.text), tokens(quote))
            qc.quotes_unreliable_transcript = overlap >= 0.5
    else:
        qc.wer = word_error_rate(transcript.text, quote if quote is not None else speech)
    if reference_text and transcript is not None:
        qc.asr_wer = word_error_rate(reference_text, transcript.text)
    text = " ".join(result.saber.dimension(d) for d in CITING_DIMENSIONS)
    cited = cited_concepts(text, result.language)
    qc.cited = sorted(cited)
    if evidence is not None:
        qc.unsupported = sorted(cited - evidence_concepts(evidence))
    if qc.wer is not None and qc.wer > max_wer:
        qc.reasons.append(f"wer {qc.wer:.2f} > {max_wer}")
    if qc.asr_wer is not None and qc.asr_wer > max_wer:
        qc.reasons.append(f"asr wer {qc.asr_wer:.2f} > {max_wer} against the corpus text")
    if qc.quotes_unreliable_transcript:
        qc.reasons.append("quotes an unreliable transcript")
    if qc.unsupported:
        qc.reasons.append("cites cues not in the evidence: " + ", ".join(qc.unsupported))
    qc.passed = not qc.reasons
    return qc


def _overlap(reference: list[str], quoted: list[str]) -> float:
    if not quoted:
        return 0.0
    ref = Counter(reference)
    shared = sum(min(n, ref[t]) for t, n in Counter(quoted).items())
    return shared / len(quoted)


def _stats(values: list[float]) -> dict[str, float | None]:
    if not values:
        return {"mean": None, "median": None, "max": None}
    return {
        "mean": round(mean(values), 4),
        "median": round(median(values), 4),
        "max": round(max(values), 4),
    }


def qc_report(rows: list[dict[str, Any]], *, max_wer: float) -> dict[str, Any]:
    """Aggregate the per-row outcomes (pipeline rows: status, reasons, qc per language)."""
    status = Counter(str(r.get("status")) for r in rows)
    filtered = Counter(reason.split(":")[0] for r in rows for reason in r.get("reasons") or [])
    errors = Counter(str(r.get("error_type")) for r in rows if r.get("status") == "error")
    by_lang: dict[str, dict[str, Any]] = {}
    for lang in sorted({lang for r in rows for lang in (r.get("qc") or {})}):
        records = [r["qc"][lang] for r in rows if lang in (r.get("qc") or {})]
        wers = [q["wer"] for q in records if q.get("wer") is not None]
        asr = [q["asr_wer"] for q in records if q.get("asr_wer") is not None]
        unsupported = Counter(c for q in records for c in q.get("unsupported", []))
        cited = sum(1 for q in records if q.get("cited"))
        fully = sum(1 for q in records if q.get("cited") and not q.get("unsupported"))
        by_lang[lang] = {
            "records": len(records),
            "passed": sum(1 for q in records if q.get("passed")),
            "wer": {"computed": len(wers), **_stats(wers)},
            "wer_over_limit": sum(1 for w in wers if w > max_wer),
            "asr_wer_vs_corpus_text": {"computed": len(asr), **_stats(asr)},
            "wer_status": dict(Counter(q.get("wer_status") for q in records)),
            "quotes_unreliable_transcript": sum(
                1 for q in records if q.get("quotes_unreliable_transcript")
            ),
            "evidence_agreement": {
                "records_citing_cues": cited,
                "all_cited_cues_supported": fully,
                "rate": round(fully / cited, 4) if cited else None,
                "unsupported_by_concept": dict(unsupported.most_common()),
            },
            "consistent": sum(1 for q in records if q.get("consistent")),
            "inconsistent": sum(1 for q in records if not q.get("consistent")),
            "verdicts": dict(Counter(q.get("verdict") for q in records)),
        }
    labelled = [r for r in rows if r.get("status") == "ok" and r.get("label") and r.get("emotion")]
    agree = sum(1 for r in labelled if r["label"] == r["emotion"])
    return {
        "inputs": len(rows),
        "status": dict(sorted(status.items())),
        "filtered_by_reason": dict(filtered.most_common()),
        "errors_by_type": dict(errors.most_common()),
        "max_wer": max_wer,
        "languages": by_lang,
        "label_agreement": {
            "labelled_records": len(labelled),
            "agree": agree,
            "rate": round(agree / len(labelled), 4) if labelled else None,
        },
    }


def qc_markdown(report: dict[str, Any]) -> str:
    """A short human-readable QC summary."""
    status = report["status"]
    lines = [
        "# Quality control",
        "",
        f"Inputs: {report['inputs']} (ok {status.get('ok', 0)}, filtered "
        f"{status.get('filtered', 0)}, errors {status.get('error', 0)}).",
    ]
    if report["filtered_by_reason"]:
        reasons = ", ".join(f"{k} {v}" for k, v in report["filtered_by_reason"].items())
        lines.append(f"Filtered: {reasons}.")
    if report["errors_by_type"]:
        lines.append(
            "Errors: " + ", ".join(f"{k} {v}" for k, v in report["errors_by_type"].items())
        )
    lines += [
        "",
        "| lang | records | passed | WER computed | WER mean | WER > max | unreliable quoted "
        "| cited cues all in evidence | consistent | inconsistent |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for lang, r in report["languages"].items():
        wer_mean = r["wer"]["mean"]
        ea = r["evidence_agreement"]
        lines.append(
            f"| {lang} | {r['records']} | {r['passed']} | {r['wer']['computed']} | "
            f"{'-' if wer_mean is None else f'{wer_mean:.3f}'} | {r['wer_over_limit']} | "
            f"{r['quotes_unreliable_transcript']} | "
            f"{ea['all_cited_cues_supported']}/{ea['records_citing_cues']} | "
            f"{r['consistent']} | {r['inconsistent']} |"
        )
    agreement = report["label_agreement"]
    if agreement["labelled_records"]:
        lines += [
            "",
            f"Corpus label = final emotion: {agreement['agree']}/{agreement['labelled_records']}.",
        ]
    for lang, r in report["languages"].items():
        asr = r["asr_wer_vs_corpus_text"]
        if asr["computed"]:
            lines.append(
                f"\nASR vs the corpus text ({lang}): WER mean {asr['mean']:.3f}, median "
                f"{asr['median']:.3f} over {asr['computed']} records."
            )
    lines += ["", f"WER limit: {report['max_wer']} (ASR transcript vs speech_content)."]
    return "\n".join(lines) + "\n"
