"""Facial actions and the prototype reader, on faces made for the purpose: a neutral mesh moved
along each action (face_synth), frontal and turned."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emoreason.perception import face_actions as fa
from emoreason.perception import face_geometry as g
from emoreason.perception import face_synth as fs
from emoreason.schema import EMOTIONS

NEUTRAL = Path(__file__).with_name("neutral_face_478.npy")


@pytest.fixture(scope="module")
def neutral() -> np.ndarray:
    return np.load(NEUTRAL).astype(np.float64)


def _read(points: np.ndarray, baseline: dict | None = None) -> dict[str, float]:
    return fa.action_scores(fa.action_intensities(g.raw_measures(points), baseline))


@pytest.mark.parametrize("expression", list(fs.EXPRESSIONS))
@pytest.mark.parametrize(("yaw", "pitch", "roll"), [(0, 0, 0), (30, 0, 0), (-30, 10, 8)])
def test_each_prototype_expression_is_read_as_its_emotion(
    neutral: np.ndarray, expression: str, yaw: float, pitch: float, roll: float
) -> None:
    face = fs.move(neutral, fs.EXPRESSIONS[expression])
    dist = _read(fs.to_camera(face, yaw, pitch, roll))
    ranked = sorted(dist, key=dist.get, reverse=True)
    assert ranked[0] == expression, dist
    assert dist[ranked[0]] - dist[ranked[1]] > 0.2, dist


def test_the_issues_confusions_are_told_apart(neutral: np.ndarray) -> None:
    """Surprise vs fear (fear adds brow lowering and lip stretch), anger vs sadness (raised inner
    brows and depressed corners vs pressed lips), disgust vs anger (nose and upper lip)."""
    surprise = _read(fs.to_camera(fs.move(neutral, fs.EXPRESSIONS["surprised"])))
    fear = _read(fs.to_camera(fs.move(neutral, fs.EXPRESSIONS["fearful"])))
    assert surprise["surprised"] > 3 * surprise["fearful"]
    assert fear["fearful"] > 3 * fear["surprised"]
    anger = _read(fs.to_camera(fs.move(neutral, fs.EXPRESSIONS["angry"])))
    assert anger["angry"] > 3 * anger["sad"]
    disgust = _read(fs.to_camera(fs.move(neutral, fs.EXPRESSIONS["disgusted"])))
    assert disgust["disgusted"] > 3 * disgust["angry"]


def test_weak_expressions_are_less_certain_than_strong_ones(neutral: np.ndarray) -> None:
    for emotion, actions in fs.EXPRESSIONS.items():
        if emotion == "neutral":
            continue
        weak = _read(fs.move(neutral, {a: 0.35 * v for a, v in actions.items()}))
        strong = _read(fs.move(neutral, actions))
        assert weak[emotion] < strong[emotion], emotion


def test_prototype_match_against_a_reference_written_here() -> None:
    aus = {"AU4": 1.0, "AU7": 0.5, "AU5": 0.2, "AU23/24": 0.0, "AU1": 0.25, "AU12": 0.0}
    # anger: components AU4 (w 2), max(AU5, AU7) (w 1), AU23/24 (w 1); contradicted by AU1 (0.4)
    expected = (2 * 1.0 + 1 * 0.5 + 0.0) / 4 - 0.4 * 0.25
    assert fa.prototype_matches(aus)["angry"] == pytest.approx(expected)
    beta, tau = 7.0, 0.3
    matches = fa.prototype_matches(aus) | {"neutral": tau}
    z = sum(np.exp(beta * m) for m in matches.values())
    dist = fa.action_scores(aus, sharpness=beta, neutral_threshold=tau)
    for e in EMOTIONS:
        assert dist[e] == pytest.approx(np.exp(beta * matches[e]) / z)


def test_a_smile_is_not_a_lip_stretch_and_open_lips_are_not_pressed(neutral: np.ndarray) -> None:
    smile = fa.action_intensities(g.raw_measures(fs.move(neutral, {"AU12": 1.0})))
    assert smile["AU12"] > 0.8 and smile["AU20"] < 0.2
    open_thin = fa.action_intensities(
        g.raw_measures(fs.move(neutral, {"AU23/24": 1.0, "AU26": 1.0}))
    )
    assert open_thin["AU23/24"] == 0.0 and open_thin["AU26"] > 0.8


def test_baseline_from_calm_frames_takes_a_resting_face_as_neutral(neutral: np.ndarray) -> None:
    """A person whose brows sit low at rest: with calm frames that the expression model reads as
    neutral, the low brows stop counting as brow lowering; a sustained expression that the model
    does not read as neutral keeps most of its intensity."""
    low_brows = fs.move(neutral, {"AU4": 0.6})
    raws = [g.raw_measures(fs.move(low_brows, {"AU12": v})) for v in np.linspace(0, 1, 12)]
    population = fa.action_intensities(raws[0])["AU4"]
    calm = fa.clip_baseline(raws, [0.95] * len(raws))
    sustained = fa.clip_baseline(raws, [0.02] * len(raws))
    assert fa.action_intensities(raws[0], calm)["AU4"] < 0.5 * population
    assert fa.action_intensities(raws[0], sustained)["AU4"] > 0.9 * population
    assert fa.clip_baseline(raws[: fa.BASELINE_MIN_FRAMES - 1], [0.9] * 7) == {}


def test_describe_actions_names_the_prototype_actions_that_show() -> None:
    phrases = fa.describe_actions({"AU4": 0.9, "AU23/24": 0.7, "AU12": 0.9}, "angry")
    assert phrases == [fa.ACTIONS["AU4"].phrase, fa.ACTIONS["AU23/24"].phrase]
    assert fa.describe_actions({"AU4": 0.9}, "neutral") == []
