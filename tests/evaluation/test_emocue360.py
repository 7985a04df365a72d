"""EmoCue-360 robust variant vs a naive loop reference, its edge cases, the restating rule,
batching. The official (published-script) variant is tested in test_emocue360_official.py."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pytest

from emoreason.evaluation.metrics import emocue360, emocue360_per_sample, restates_subtitle


def fake_vector(text: str, dim: int = 16) -> list[float]:
    """Deterministic pseudo-embedding from a hash (no model)."""
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return [(b / 255.0) - 0.3 for b in digest[:dim]]


class FakeEmbedder:
    def __init__(self):
        self.calls: list[list[str]] = []

    def __call__(self, texts):
        self.calls.append(list(texts))
        return np.array([fake_vector(t) for t in texts])


def naive_cos(a, b):
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    na = math.sqrt(sum(x * x for x in a))
    nb = math.sqrt(sum(y * y for y in b))
    return max(0.0, dot / (na * nb))


def naive_emocue(refs, preds, subtitles=None):
    """Loops over samples and cue pairs; embeddings computed one string at a time."""
    out = {}
    for cat in ("visual", "auditory", "emotional"):
        ps, rs, fs = [], [], []
        for i, (ref, pred) in enumerate(zip(refs, preds, strict=True)):
            sub = subtitles[i] if subtitles else None
            rc, pc = list(ref.get(cat, [])), list(pred.get(cat, []))
            if cat == "auditory":
                rc = [c for c in rc if not restates_subtitle(c, sub)]
                pc = [c for c in pc if not restates_subtitle(c, sub)]
            if not rc:
                continue
            if not pc:
                ps.append(0.0), rs.append(0.0), fs.append(0.0)
                continue
            recall = sum(
                max(naive_cos(fake_vector(r), fake_vector(p)) for p in pc) for r in rc
            ) / len(rc)
            precision = sum(
                max(naive_cos(fake_vector(r), fake_vector(p)) for r in rc) for p in pc
            ) / len(pc)
            f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
            ps.append(precision), rs.append(recall), fs.append(f1)
        if ps:
            out[cat] = {
                "precision": sum(ps) / len(ps),
                "recall": sum(rs) / len(rs),
                "f1": sum(fs) / len(fs),
            }
        else:
            out[cat] = {"precision": math.nan, "recall": math.nan, "f1": math.nan}
    return out


REFS = [
    {
        "visual": ["she smiles", "eyes crinkle"],
        "auditory": ["loud voice", "laughter"],
        "emotional": ["happy", "relieved"],
    },
    {
        "visual": ["tears on cheeks"],
        "auditory": ["Subtitle text: 'I miss her so much'"],
        "emotional": ["grief"],
    },
    {"visual": [], "auditory": ["trembling voice"], "emotional": ["anxious", "worried"]},
    {"visual": ["frown"], "auditory": ["fast speech"], "emotional": ["angry"]},
]
PREDS = [
    {"visual": ["smiling broadly"], "auditory": ["laughter", "high pitch"], "emotional": ["joy"]},
    {"visual": ["crying"], "auditory": ["low tone"], "emotional": []},
    {"visual": ["neutral face"], "auditory": [], "emotional": ["worried"]},
    {"visual": [], "auditory": ["fast speech", "loud"], "emotional": ["angry", "annoyed"]},
]


def test_matches_naive_reference():
    expected = naive_emocue(REFS, PREDS)
    got = emocue360(REFS, PREDS, embedder=FakeEmbedder(), variant="robust")
    assert set(got) == {"visual", "auditory", "emotional"}
    for cat in got:
        assert set(got[cat]) == {"precision", "recall", "f1"}
        for key in ("precision", "recall", "f1"):
            assert got[cat][key] == pytest.approx(expected[cat][key]), (cat, key)


def test_edge_cases_empty_reference_skipped_empty_prediction_zero():
    per = emocue360_per_sample(REFS, PREDS, FakeEmbedder(), variant="robust")
    assert per["visual"][2] is None  # empty reference: skipped
    assert per["visual"][3] == (0.0, 0.0, 0.0)  # empty prediction: 0
    assert per["emotional"][1] == (0.0, 0.0, 0.0)
    assert per["auditory"][1] is None  # the only reference cue restated the subtitle


@pytest.mark.parametrize("variant", ["official", "robust"])
def test_identical_cues_score_one(variant):
    refs = [{"visual": ["a smile"], "auditory": ["soft voice"], "emotional": ["calm"]}]
    got = emocue360(refs, refs, embedder=FakeEmbedder(), variant=variant)
    for cat in got.values():
        assert cat["precision"] == pytest.approx(1.0)
        assert cat["recall"] == pytest.approx(1.0)
        assert cat["f1"] == pytest.approx(1.0)


def test_all_unique_strings_embedded_once_in_one_batch():
    embedder = FakeEmbedder()
    emocue360(REFS, PREDS, embedder=embedder)
    assert len(embedder.calls) == 1
    batch = embedder.calls[0]
    assert len(batch) == len(set(batch))
    assert "laughter" in batch and "fast speech" in batch  # shared strings appear once


def test_no_cues_at_all_gives_nan_without_calling_embedder():
    embedder = FakeEmbedder()
    got = emocue360([{}], [{}], embedder=embedder, variant="robust")
    assert embedder.calls == []
    assert all(math.isnan(v) for cat in got.values() for v in cat.values())
    # official: a prediction without an "emotional" key scores 0 there, the rest is NaN
    got = emocue360([{}], [{}], embedder=embedder)
    assert embedder.calls == []
    assert got["emotional"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert all(math.isnan(v) for v in got["visual"].values())


def test_subtitle_restating_rule():
    subtitle = "Then let's meet, okay? Well, goodbye."
    assert restates_subtitle("Subtitle text: 'Then let's meet'")  # marker
    assert restates_subtitle("The transcript mentions a meeting")  # marker
    assert restates_subtitle("字幕：那我们见面吧")  # marker (ZH)
    assert restates_subtitle('She says "we should meet tomorrow morning"')  # quoted speech
    assert restates_subtitle("Let's meet, goodbye", subtitle)  # overlap 3/3 >= 0.6
    assert not restates_subtitle("The voice is loud with laughter", subtitle)
    assert not restates_subtitle("Says goodbye in a cheerful voice", subtitle)  # 1/3 < 0.6
    assert restates_subtitle("Says goodbye okay", subtitle)  # 2/2
    assert not restates_subtitle("Let's meet okay", subtitle, threshold=1.01)


def test_subtitle_from_reference_dict_or_argument():
    refs = [
        {
            "auditory": ["meet okay goodbye", "loud voice"],
            "subtitle": "Then let's meet, okay? Goodbye.",
        }
    ]
    preds = [{"auditory": ["meet okay goodbye"]}]
    per = emocue360_per_sample(refs, preds, FakeEmbedder(), variant="robust")
    # the prediction's only cue restates the subtitle -> empty prediction -> 0
    assert per["auditory"] == [(0.0, 0.0, 0.0)]
    per = emocue360_per_sample(
        refs, preds, FakeEmbedder(), variant="robust", subtitles=["unrelated words"]
    )
    assert per["auditory"][0] is not None and per["auditory"][0][0] > 0


def test_bad_embedder_shape_is_a_clear_error():
    with pytest.raises(ValueError, match="embedder returned shape"):
        emocue360(REFS, PREDS, embedder=lambda texts: np.zeros((1, 4)))


def test_length_mismatch():
    with pytest.raises(ValueError, match="references"):
        emocue360(REFS, PREDS[:2], embedder=FakeEmbedder())


@pytest.mark.slow
def test_real_minilm_paraphrases_score_higher_than_unrelated():
    refs = [
        {
            "visual": ["The woman is smiling broadly."],
            "auditory": ["Her voice is loud."],
            "emotional": ["She feels happy."],
        }
    ]
    close = [
        {
            "visual": ["A big smile on her face."],
            "auditory": ["She speaks loudly."],
            "emotional": ["She is joyful."],
        }
    ]
    far = [
        {
            "visual": ["A car parked outside."],
            "auditory": ["Rain on the roof."],
            "emotional": ["The stock market fell."],
        }
    ]
    near_scores = emocue360(refs, close)
    far_scores = emocue360(refs, far)
    for cat in ("visual", "auditory", "emotional"):
        assert near_scores[cat]["f1"] > far_scores[cat]["f1"] + 0.2
