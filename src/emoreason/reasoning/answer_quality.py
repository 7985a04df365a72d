"""Check a model's SABER answer against the evidence it was given, and name what is wrong.

A small model (or a broken prompt path) can return text that parses into a record and still is
no analysis: five empty dimensions and one status line repeated 37 times, the prompt echoed back,
prose that never mentions anything perceived. :func:`assess_answer` finds such answers and names
each problem (kinds in :mod:`emoreason.schema.quality`); every language-model backend's result
carries the outcome in ``AnalysisResult.quality``.

The rules (ours; thresholds chosen so that the rules reasoner's own text and ordinary prose pass):

- repetition: a text of >= 3 lines whose most common line is >= half of them (and >= 3 times);
  or a text of >= 12 tokens where >= half of its n-grams (n = 4 words, 6 characters for Chinese)
  are repeats of an earlier n-gram (the "seq-rep-n" share of repeated n-grams);
- copied input: a dimension repeats the input verbatim - whole pieces (>= 12 characters) of the
  prompt or of the evidence text (a status, a cue with its times, the header), or lines that are
  most of such a piece - for >= half of its characters when an instruction (prompt line,
  evidence header) is among them, for >= 3/4 when they are several pieces of evidence (quoting a
  status or two inside a description is an honest answer); the transcript is excepted (quoting
  what was said is what ``speech_content`` is for);
- ignores evidence: no content word (or, for Chinese, no two-character sequence) of the answer
  occurs in the evidence's cues, modality status, transcript or emotion estimates, while the
  evidence has some;
- unknown label: a "final emotion: X" statement whose X names no label of the label set;
- no emotion named: the answer has text but names no emotion of the label set.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from emoreason.reasoning.evidence_text import evidence_text
from emoreason.reasoning.parser import EMOTION_SYNONYMS, ParsedSaber, label_from_text
from emoreason.schema.evidence import HYPOTHESIS_MODALITIES, Evidence
from emoreason.schema.quality import AnswerProblem, AnswerQuality
from emoreason.schema.saber import SABER_DIMENSIONS

#: Below this score an answer is degenerate (not to be read as an analysis).
DEGENERATE_BELOW = 0.5
MIN_LOOP_LINES = 3
MIN_LOOP_TOKENS = 12
LOOP_SHARE = 0.5
MIN_COPIED_LINE = 12
COPIED_SHARE = 0.5  # of a text that repeats an instruction (prompt line, evidence header)
COPIED_EVIDENCE_SHARE = 0.75  # of a text that repeats several pieces of evidence

_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[\u4e00-\u9fff]", re.IGNORECASE)
_CJK = re.compile(r"[\u4e00-\u9fff]")
_FINAL = re.compile(
    r"(?:final|overall|primary|main)\s+emotion\s*(?:is|:|=)\s*\**\s*(?P<en>[^.\n;。]*)"
    r"|(?:最终情绪|主要情绪)\s*(?:为|是|：|:)\s*\**\s*(?P<zh>[^。\n；;]*)",
    re.IGNORECASE,
)
#: English function words (they carry no evidence; the prompt's own words are left out apart).
_FUNCTION_WORDS = """a an the and or but if then than that this these those there their they them he she his
    her its it is are was were be been being am do does did has have had having not no nor so too
    very can could should would may might will shall must of in on at by for with from to into
    onto over under about above below between through during before after while as also just
    only both each other some any all more most such own same what which who whom whose when
    where why how again further once here out up down off i me my we our you your yes"""
_STOPWORDS = frozenset(_FUNCTION_WORDS.split())


def tokens(text: str) -> list[str]:
    """Lower-cased word tokens; each Chinese character is one token."""
    return [t.lower() for t in _TOKEN.findall(text or "")]


def content_units(text: str, ignore: frozenset[str] = frozenset()) -> set[str]:
    """Content words (>= 3 letters, not function words) and two-character Chinese sequences."""
    units: set[str] = set()
    for run in re.findall(r"[\u4e00-\u9fff]+", text or ""):
        units.update(run[i : i + 2] for i in range(len(run) - 1))
    for token in tokens(text):
        if not _CJK.match(token) and len(token) >= 3 and token not in _STOPWORDS:
            units.add(token)
    return units - ignore


def _normalize(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip().strip("-*•#").strip().lower()


def loop_detail(text: str) -> str | None:
    """A one-line description of the loop ``text`` is, or None when it is not one."""
    lines = [_normalize(line) for line in (text or "").splitlines()]
    lines = [line for line in lines if line]
    if len(lines) >= MIN_LOOP_LINES:
        line, count = Counter(lines).most_common(1)[0]
        if count >= MIN_LOOP_LINES and count / len(lines) >= LOOP_SHARE:
            return f"one line repeated {count} times in {len(lines)}: {_quote(line)}"
    toks = tokens(text)
    if len(toks) < MIN_LOOP_TOKENS:
        return None
    n = 6 if sum(bool(_CJK.match(t)) for t in toks) > len(toks) / 2 else 4
    grams = [tuple(toks[i : i + n]) for i in range(len(toks) - n + 1)]
    repeated = 1.0 - len(set(grams)) / len(grams)
    if repeated < LOOP_SHARE:
        return None
    gram, count = Counter(grams).most_common(1)[0]
    joiner = "" if n == 6 else " "
    return (
        f"{repeated:.0%} of its {n}-grams repeat; {_quote(joiner.join(gram))} occurs {count} times"
    )


def _quote(text: str, most: int = 60) -> str:
    return repr(text if len(text) <= most else text[: most - 1] + "…")


def reference_segments(evidence: Evidence, prompt: str, lang: str) -> list[tuple[str, bool]]:
    """The pieces of input the model was given, each with whether it is an instruction (a prompt
    line, the evidence header) rather than perceived content (a status, one cue, one estimate);
    the transcript is left out."""
    transcript = evidence.transcript.text.strip() if evidence.transcript is not None else ""
    evidence_lines = evidence_text(evidence, lang).splitlines()
    pieces = [(line, True) for line in prompt.splitlines()] + [(evidence_lines[0], True)]
    for line in evidence_lines[1:]:
        if transcript and transcript in line:
            continue
        line = re.sub(r"^\s*\[[a-z_]+\]\s*", "", line)  # the "[face] " modality prefix
        pieces.extend((piece, False) for piece in re.split(r"\s\|\s|;\s", line))
    out = []
    for piece, instruction in pieces:
        normalized = _normalize(piece)
        if len(normalized) >= MIN_COPIED_LINE:
            out.append((normalized, instruction))
    return out


def copied_input(text: str, references: Iterable[tuple[str, bool]]) -> tuple[float, set[str]]:
    """(share of ``text``'s characters that repeat input verbatim, the input pieces repeated).

    A line repeats input when it holds whole input pieces, or is most (>= 80 %) of one piece.
    """
    refs = list(references)
    lines = [_normalize(line) for line in (text or "").splitlines()]
    total = sum(len(line) for line in lines)
    used: set[str] = set()
    if total == 0:
        return 0.0, used
    copied = 0
    for line in lines:
        if len(line) < MIN_COPIED_LINE:
            continue
        whole = [ref for ref, _ in refs if line in ref and len(line) >= 0.8 * len(ref)]
        if whole:
            copied += len(line)
            used.add(whole[0])
            continue
        inside = [ref for ref, _ in refs if ref in line]
        copied += min(len(line), sum(len(ref) * line.count(ref) for ref in inside))
        used.update(inside)
    return copied / total, used


def is_copied_input(text: str, references: list[tuple[str, bool]]) -> float | None:
    """The copied share when ``text`` is copied input, otherwise None: >= half of it repeats
    input that includes an instruction, or >= 3/4 of it repeats more than one piece of evidence
    (quoting a status or two inside a description, or one status as the reason a modality is
    unavailable, is an honest answer)."""
    share, used = copied_input(text, references)
    instructions = {ref for ref, instruction in references if instruction}
    if share >= COPIED_SHARE and used & instructions:
        return share
    if share >= COPIED_EVIDENCE_SHARE and len(used) >= 2:
        return share
    return None


def evidence_vocabulary(evidence: Evidence) -> frozenset[str]:
    """Content units of what was perceived: cues, modality status, transcript, estimates."""
    texts: list[str] = []
    for modality in evidence.modalities.values():
        texts.append(modality.status)
        texts.extend(cue.description for cue in modality.cues)
    if evidence.transcript is not None:
        texts.append(evidence.transcript.text)
    for name in HYPOTHESIS_MODALITIES:
        hypothesis = evidence.hypothesis(name)
        if hypothesis.available:
            label = hypothesis.label
            texts.extend(EMOTION_SYNONYMS.get(label, (label,)) if label else ())
    return frozenset(content_units(" ".join(texts)))


def _unknown_labels(text: str) -> list[str]:
    """What a "final emotion: X" statement names when X is no label of the label set."""
    found = []
    for match in _FINAL.finditer(text or ""):
        stated = (match.group("en") or match.group("zh") or "").strip()
        if stated and label_from_text(stated) is None:
            found.append(stated)
    return found


def assess_answer(
    text: str, parsed: ParsedSaber, evidence: Evidence, *, prompt: str, lang: str = "en"
) -> AnswerQuality:
    """Name the problems of a model's answer ``text`` (parsed as ``parsed``) to ``prompt``."""
    record = parsed.record
    references = reference_segments(evidence, prompt, lang)
    problems: list[AnswerProblem] = []
    unusable: set[str] = set()
    for dim in SABER_DIMENSIONS:
        body = record.dimension(dim)
        if not body.strip():
            problems.append(AnswerProblem(kind="missing_dimension", dimension=dim, detail="empty"))
            unusable.add(dim)
            continue
        loop = loop_detail(body)
        if loop:
            problems.append(AnswerProblem(kind="repetition", dimension=dim, detail=loop))
            unusable.add(dim)
        share = is_copied_input(body, references)
        if share is not None:
            detail = f"{share:.0%} of the text is lines copied from the prompt or evidence"
            problems.append(AnswerProblem(kind="copied_input", dimension=dim, detail=detail))
            unusable.add(dim)
    answer_wide: list[AnswerProblem] = []
    if text.strip():
        whole_loop = loop_detail(text)
        if whole_loop and not any(p.kind == "repetition" for p in problems):
            answer_wide.append(AnswerProblem(kind="repetition", detail=whole_loop))
        vocabulary = evidence_vocabulary(evidence)
        prompt_units = frozenset(content_units(prompt))
        answer_units = content_units(text, ignore=prompt_units)
        if vocabulary - prompt_units and not answer_units & vocabulary:
            answer_wide.append(
                AnswerProblem(
                    kind="ignores_evidence",
                    detail="no word of the answer occurs in the perceived cues, status, "
                    "transcript or emotion estimates",
                )
            )
        for stated in _unknown_labels(text):
            answer_wide.append(
                AnswerProblem(
                    kind="unknown_label",
                    dimension="sentiment_analysis",
                    detail=f"final emotion {_quote(stated)} is not one of the labels",
                )
            )
        if label_from_text(record.sentiment_analysis) is None and label_from_text(text) is None:
            answer_wide.append(
                AnswerProblem(kind="no_emotion_named", detail="the answer names no emotion label")
            )
    usable = 1.0 - len(unusable) / len(SABER_DIMENSIONS)
    score = round(usable * 0.5 ** len(answer_wide), 4)
    return AnswerQuality(
        score=score,
        degenerate=score < DEGENERATE_BELOW,
        problems=problems + answer_wide,
        answer_format=parsed.source_format,
        answer_chars=len(text),
    )


def summary(quality: AnswerQuality, most: int = 4) -> str:
    """One line naming the problems: counts by kind, and the first details."""
    if quality.ok:
        return "no problems found"
    by_kind = Counter(p.kind for p in quality.problems)
    head = ", ".join(f"{kind.replace('_', ' ')} x{n}" for kind, n in by_kind.items())
    details = [
        f"{p.dimension or 'answer'}: {p.detail}"
        for p in quality.problems
        if p.kind != "missing_dimension"
    ][:most]
    return head + ("; " + "; ".join(details) if details else "")


__all__ = [
    "DEGENERATE_BELOW",
    "assess_answer",
    "content_units",
    "copied_input",
    "evidence_vocabulary",
    "is_copied_input",
    "loop_detail",
    "summary",
    "tokens",
]
