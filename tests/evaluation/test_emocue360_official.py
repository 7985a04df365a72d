"""EmoCue-360 default (official) variant vs a re-statement of XEmoGPT's compute_prf.py rules.

The reference below is written from the rules listed in the module docstring of
``emoreason.evaluation.metrics.emocue360`` (XEmoGPT ``EmoCue-360/compute_prf.py``), one string
and one pair at a time, on id-keyed dicts like the script's JSON files. The embedder is a
deterministic hash embedder whose vectors have both signs, so cosines are often negative.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from emoreason.evaluation.metrics import emocue360, emocue360_per_sample

TOL = 1e-6


def signed_vector(text: str, dim: int = 8) -> list[float]:
    """Deterministic embedding with components in [-1, 1] (blank strings too)."""
    digest = hashlib.sha256(("v:" + text).encode("utf-8")).digest()
    return [(b / 127.5) - 1.0 for b in digest[:dim]]


def embed(texts: list[str]) -> np.ndarray:
    return np.array([signed_vector(t) for t in texts])


def cosine(a: str, b: str) -> float:
    u, v = signed_vector(a), signed_vector(b)
    dot = sum(x * y for x, y in zip(u, v, strict=True))
    return dot / (math.sqrt(sum(x * x for x in u)) * math.sqrt(sum(y * y for y in v)))


def script_rule_recall_precision(pred_cues: list[str], ref_cues: list[str]) -> tuple[float, float]:
    """No prediction cue: (0, 0). Else recall over references, precision over predictions."""
    if not pred_cues:
        return 0.0, 0.0
    recall = sum(max(cosine(r, p) for p in pred_cues) for r in ref_cues) / len(ref_cues)
    precision = sum(max(cosine(r, p) for r in ref_cues) for p in pred_cues) / len(pred_cues)
    return recall, precision


def script_rule_category(gt: dict, rf: dict, category: str) -> dict[str, float]:
    """One category, looping over the *prediction* ids, the script's order of checks."""
    recalls, precisions, f1s = [], [], []
    for key, pred in rf.items():
        if category == "emotional" and "emotional" not in pred:
            recalls.append(0.0), precisions.append(0.0), f1s.append(0.0)
            continue
        pred_cues = list(pred.get(category) or [])
        ref_cues = list(gt[key].get(category) or [])
        if category == "auditory":  # substring "text", case-sensitive, on both sides
            pred_cues = [c for c in pred_cues if "text" not in c]
            ref_cues = [c for c in ref_cues if "text" not in c]
        if not ref_cues:
            continue
        recall, precision = script_rule_recall_precision(pred_cues, ref_cues)
        f1 = 2 * recall * precision / (recall + precision) if recall + precision > 0 else 0.0
        recalls.append(recall), precisions.append(precision), f1s.append(f1)
    if not recalls:
        return {"precision": math.nan, "recall": math.nan, "f1": math.nan}
    return {
        "precision": sum(precisions) / len(precisions),
        "recall": sum(recalls) / len(recalls),
        "f1": sum(f1s) / len(f1s),
    }


def script_rules(gt: dict, rf: dict) -> dict[str, dict[str, float]]:
    return {c: script_rule_category(gt, rf, c) for c in ("visual", "auditory", "emotional")}


def assert_close(got: dict, expected: dict) -> None:
    for cat, scores in expected.items():
        for key, value in scores.items():
            if math.isnan(value):
                assert math.isnan(got[cat][key]), (cat, key)
            else:
                assert abs(got[cat][key] - value) <= TOL, (cat, key, got[cat][key], value)


GT = {
    "s1": {
        "visual": ["she smiles", "eyes crinkle"],
        "auditory": ["loud voice", "Subtitle text: 'see you'", "Text is calm", "in context"],
        "emotional": ["happy", "relieved"],
    },
    "s2": {"visual": [], "auditory": ["context matters"], "emotional": []},
    "s3": {"visual": ["", "  frown "], "auditory": ["trembling"], "emotional": ["anxious"]},
    "s4": {"visual": ["tears"], "auditory": ["low tone"], "emotional": ["sad"]},
    "s5": {"visual": ["nod"], "auditory": [], "emotional": ["calm"]},
}
RF = {
    "s1": {
        "visual": ["smiling broadly", "zzz"],
        "auditory": ["laughter", "the text says hi", "Text of speech"],
        "emotional": ["joy"],
    },
    "s2": {"visual": ["x"], "auditory": ["fast"]},  # no emotional key, empty reference
    "s3": {"visual": [" ", "frown"], "auditory": [], "emotional": ["  worried"]},
    "s4": {"visual": ["qqq"], "auditory": ["subtext"], "emotional": []},
    # s5 missing from the predictions: not scored
}


def test_default_equals_script_rules_on_adversarial_dicts():
    got = emocue360(GT, RF, embedder=embed)
    assert_close(got, script_rules(GT, RF))


def test_negative_cosines_are_not_clipped():
    # the fixture really exercises negative similarities
    assert any(cosine(r, p) < 0 for r in GT["s1"]["visual"] for p in RF["s1"]["visual"])
    robust = emocue360(GT, RF, embedder=embed, variant="robust")
    official = emocue360(GT, RF, embedder=embed)
    assert official["visual"]["precision"] != pytest.approx(robust["visual"]["precision"])


def test_specific_script_quirks():
    refs = [GT[k] for k in GT]
    preds = [RF.get(k) for k in GT]
    per = emocue360_per_sample(refs, preds, embed)
    # s2: no emotional key and an empty reference -> scored 0 (robust: skipped)
    assert per["emotional"][1] == (0.0, 0.0, 0.0)
    # s2 auditory: "context matters" contains "text" -> filtered reference empty -> skipped
    assert per["auditory"][1] is None
    # s4 auditory: "subtext" dropped -> empty prediction -> 0
    assert per["auditory"][3] == (0.0, 0.0, 0.0)
    # s5 has no prediction: not scored in any category
    assert all(per[c][4] is None for c in per)
    robust = emocue360_per_sample(refs, preds, embed, variant="robust")
    assert robust["emotional"][1] is None
    assert robust["visual"][4] == (0.0, 0.0, 0.0)  # robust: a missing prediction counts 0


def test_blank_strings_are_embedded_as_given():
    seen: list[list[str]] = []

    def recording(texts):
        seen.append(list(texts))
        return embed(texts)

    emocue360([{"visual": ["", " a "]}], [{"visual": [" "]}], embedder=recording)
    assert set(seen[0]) == {"", " a ", " "}
    seen.clear()
    emocue360([{"visual": ["", " a "]}], [{"visual": [" "]}], embedder=recording, variant="robust")
    assert seen == []  # robust: blanks removed -> empty prediction, nothing to embed


def test_unknown_prediction_id_is_an_error_and_variant_is_checked():
    with pytest.raises(ValueError, match="not in the references"):
        emocue360({"a": {}}, {"b": {}}, embedder=embed)
    with pytest.raises(ValueError, match="variant"):
        emocue360([{}], [{}], embedder=embed, variant="paper")


CUE = st.sampled_from(
    ["", " ", "text", "Text", "context", "loud voice", "smile", " smile ", "sad", "TEXT x", "a"]
)
CUES = st.lists(CUE, max_size=3)
SAMPLE = st.fixed_dictionaries({}, optional={"visual": CUES, "auditory": CUES, "emotional": CUES})


@settings(max_examples=60, deadline=None)
@given(
    gt=st.dictionaries(st.sampled_from("abcdef"), SAMPLE, min_size=1, max_size=5),
    data=st.data(),
)
def test_property_default_equals_script_rules(gt, data):
    keys = data.draw(st.lists(st.sampled_from(sorted(gt)), unique=True))
    rf = {k: data.draw(SAMPLE) for k in keys}
    assert_close(emocue360(gt, rf, embedder=embed), script_rules(gt, rf))
