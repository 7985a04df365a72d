"""Quality control: WER against an independent reference and hand-computed values, cue
citations against the evidence, the unreliable-transcript rule, and the report's counts."""

from __future__ import annotations

import functools
import random

import pytest

from emoreason.pipeline.quality import (
    check_record,
    cited_concepts,
    edit_distance,
    evidence_concepts,
    qc_markdown,
    qc_report,
    quoted_speech,
    tokens,
    word_error_rate,
)
from emoreason.pipeline.testing import fake_evidence
from emoreason.reasoning.backends import create_backend


def reference_distance(a: list[str], b: list[str]) -> int:
    """Levenshtein distance by the textbook recursion (memoised), independent of ours."""

    @functools.cache
    def d(i: int, j: int) -> int:
        if i == 0:
            return j
        if j == 0:
            return i
        return min(d(i - 1, j) + 1, d(i, j - 1) + 1, d(i - 1, j - 1) + (a[i - 1] != b[j - 1]))

    return d(len(a), len(b))


def test_edit_distance_matches_the_recursion_on_random_lists():
    rng = random.Random(7)
    for _ in range(200):
        a = [rng.choice("abcd") for _ in range(rng.randint(0, 9))]
        b = [rng.choice("abcd") for _ in range(rng.randint(0, 9))]
        assert edit_distance(a, b) == reference_distance(a, b)


@pytest.mark.parametrize(
    ("reference", "hypothesis", "expected"),
    [
        ("the cat sat on the mat", "the cat sat on the mat", 0.0),
        # one substitution (sat -> sit) in 6 words
        ("the cat sat on the mat", "the cat sit on the mat", 1 / 6),
        # one deletion (on) + one insertion (big) in 6 words
        ("the cat sat on the mat", "the big cat sat the mat", 2 / 6),
        # case and punctuation are not errors
        ("I miss her, so much.", "i miss her so much", 0.0),
        # an empty hypothesis deletes every reference word
        ("hello there", "", 1.0),
        # Chinese: one character substituted (开 -> 高) among 5
        ("今天真开心", "今天真高心", 1 / 5),
    ],
)
def test_word_error_rate_hand_computed(reference, hypothesis, expected):
    assert word_error_rate(reference, hypothesis) == pytest.approx(expected)


def test_word_error_rate_without_reference_is_none():
    assert word_error_rate("", "anything") is None
    assert tokens("It's 3 o'clock! 好的") == ["it's", "3", "o'clock", "好", "的"]


def test_quoted_speech_straight_and_chinese_quotes():
    assert quoted_speech('The speaker says (en): "I miss her." Word cues: ...') == "I miss her."
    assert quoted_speech("说话人说（语言：zh）：“今天真开心”。") == "今天真开心"
    assert quoted_speech("No speech was detected.") is None


def test_cited_concepts_skip_negated_mentions():
    text = "Face: lip corners pulled up (smile); no frown. Voice: loud and fast speech."
    assert cited_concepts(text) == {"smile", "loud_voice", "fast_speech"}
    assert cited_concepts("面部：嘴角上扬，没有皱眉。", "zh") == {"smile"}


def _result(profile: str, lang: str = "en"):
    evidence = fake_evidence(f"/clips/{profile}.mp4")
    return create_backend("rules").reason(evidence, lang), evidence


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_rules_records_pass_against_their_own_evidence(lang):
    result, evidence = _result("sarcasm", lang)
    qc = check_record(result, evidence, max_wer=0.3)
    assert qc.wer == 0.0 and qc.wer_status == "ok"
    assert {"smile", "loud_voice"} <= set(qc.cited)
    assert qc.unsupported == [] and qc.passed
    assert qc.consistent is False and qc.verdict != "consistent"


def test_a_cue_missing_from_the_evidence_fails():
    result, evidence = _result("happy")
    saber = result.saber.replace_dimension(
        "body_lang_desc", "Arms crossed tightly, head bowed; hand covering the face."
    )
    qc = check_record(result.model_copy(update={"saber": saber}), evidence)
    assert qc.unsupported == ["arms_crossed", "hand_to_face", "head_down"]
    assert not qc.passed and "cites cues not in the evidence" in qc.reasons[0]
    assert "smile" in evidence_concepts(evidence) and "head_down" not in evidence_concepts(evidence)


def test_a_paraphrased_speech_content_fails_on_wer():
    result, evidence = _result("sad")  # transcript: "I miss her so much, nothing feels right"
    audio = result.saber.audio_desc.model_copy(
        update={"speech_content": 'The speaker says: "I really miss him, everything is wrong"'}
    )
    saber = result.saber.model_copy(update={"audio_desc": audio})
    qc = check_record(result.model_copy(update={"saber": saber}), evidence, max_wer=0.3)
    ref = ["i", "miss", "her", "so", "much", "nothing", "feels", "right"]
    hyp = ["i", "really", "miss", "him", "everything", "is", "wrong"]
    assert qc.wer == pytest.approx(reference_distance(ref, hyp) / len(ref))
    assert not qc.passed and qc.reasons[0].startswith("wer ")


def test_asr_is_scored_against_the_corpus_text_when_known():
    result, evidence = _result("sad")  # transcript: "I miss her so much, nothing feels right"
    assert check_record(result, evidence).asr_wer is None
    said = "I miss her so much and nothing feels right"  # the recogniser dropped "and"
    qc = check_record(result, evidence, reference_text=said)
    assert qc.asr_wer == pytest.approx(1 / 9) and qc.passed
    misheard = check_record(result, evidence, reference_text="We will stop in a minute")
    assert misheard.asr_wer > 0.3 and not misheard.passed
    assert misheard.reasons == [f"asr wer {misheard.asr_wer:.2f} > 0.3 against the corpus text"]


def test_an_unreliable_transcript_is_no_reference_and_must_not_be_quoted():
    result, evidence = _result("happy")
    transcript = evidence.transcript.model_copy(
        update={"reliable": False, "issues": ["low confidence"]}
    )
    doubtful = evidence.model_copy(update={"transcript": transcript})
    quoted = check_record(result, doubtful)
    assert quoted.wer is None and quoted.wer_status == "transcript_unreliable"
    assert quoted.quotes_unreliable_transcript and not quoted.passed
    audio = result.saber.audio_desc.model_copy(
        update={"speech_content": "Speech was heard but the words are not reliable."}
    )
    silent = result.model_copy(
        update={"saber": result.saber.model_copy(update={"audio_desc": audio})}
    )
    clean = check_record(silent, doubtful)
    assert not clean.quotes_unreliable_transcript and clean.passed


def test_report_counts_match_the_rows():
    qc_ok = {"passed": True, "wer": 0.1, "cited": ["smile"], "unsupported": [], "consistent": True,
             "verdict": "consistent", "wer_status": "ok"}  # fmt: skip
    qc_bad = {"passed": False, "wer": 0.5, "asr_wer": 0.25, "cited": ["smile", "tears"], "unsupported": ["tears"],
              "consistent": False, "verdict": "video-aligned", "wer_status": "ok"}  # fmt: skip
    qc_none = {"passed": True, "wer": None, "cited": [], "unsupported": [], "consistent": True,
               "verdict": "consistent", "wer_status": "no_transcript"}  # fmt: skip
    rows = [
        {"id": "a", "status": "ok", "qc": {"en": qc_ok}, "label": "happy", "emotion": "happy"},
        {"id": "b", "status": "ok", "qc": {"en": qc_bad}, "label": "sad", "emotion": "happy"},
        {"id": "c", "status": "ok", "qc": {"en": qc_none}},
        {"id": "d", "status": "filtered", "reasons": ["no_audio: none", "too_short: 0.1 s"]},
        {"id": "e", "status": "error", "error_type": "MediaError"},
    ]
    report = qc_report(rows, max_wer=0.3)
    en = report["languages"]["en"]
    assert report["status"] == {"error": 1, "filtered": 1, "ok": 3}
    assert report["filtered_by_reason"] == {"no_audio": 1, "too_short": 1}
    assert en["records"] == 3 and en["passed"] == 2
    assert en["wer"]["computed"] == 2 and en["wer"]["mean"] == pytest.approx(0.3)
    assert en["wer_over_limit"] == 1
    assert en["asr_wer_vs_corpus_text"] == {
        "computed": 1,
        "mean": 0.25,
        "median": 0.25,
        "max": 0.25,
    }
    assert en["evidence_agreement"]["records_citing_cues"] == 2
    assert en["evidence_agreement"]["rate"] == pytest.approx(0.5)
    assert en["evidence_agreement"]["unsupported_by_concept"] == {"tears": 1}
    assert (en["consistent"], en["inconsistent"]) == (2, 1)
    assert report["label_agreement"] == {"labelled_records": 2, "agree": 1, "rate": 0.5}
    markdown = qc_markdown(report)
    assert "| en | 3 | 2 | 2 | 0.300 | 1 | 0 | 1/2 | 2 | 1 |" in markdown
