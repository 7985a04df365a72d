"""Facial actions from the mesh, and the expression they form (ours, after FACS/EMFACS).

**Action-unit proxies.** Each proxy is one raw measure of :mod:`face_geometry` (inter-ocular
units, head rotation removed) mapped to an intensity in [0, 1] by a ramp from a typical neutral
value to a clearly expressive one (:data:`ACTIONS`). They are geometric proxies of the FACS
action units named, not FACS codes. Ramp ends were set on anatomical sizes (a raised brow moves
about 7 mm, an inter-ocular distance is about 63 mm) and checked on the two real faces of the
example clips; they are not fitted to any labelled expression data (none was available).

**Per-person baseline.** Faces differ at rest (a low brow, a wide mouth). In a clip with at
least :data:`BASELINE_MIN_FRAMES` face frames the neutral end of each ramp moves part of the way
towards the clip's own calmest frames (the third with the least total action)::

    neutral_i' = neutral_i + λ · clip(median_calm(raw_i) - neutral_i, ± span_i / 2)
    λ = 0.8 · (mean probability the expression model gives 'neutral' on those calm frames)

so a person who is calm somewhere in the clip is measured against their own resting face, while
a sustained expression (a person crying throughout, whose calmest frames are still read as sad)
keeps most of its intensity.

**Prototypes.** An expression is read from the combination of actions it is made of, after the
EMFACS prototypes (Ekman & Friesen, FACS 1978; Friesen & Ekman, "EMFACS-7", 1983) as tabulated
for the CK+ labels (Lucey et al., "The Extended Cohn-Kanade Dataset (CK+)", CVPR-W 2010, Table
of emotion/AU criteria). Each prototype is a weighted set of components (a component may accept
alternative actions, e.g. AU23 or AU24) and a few actions that contradict it::

    match_e = Σ_k w_k · max_{a in k} I_a / Σ_k w_k  -  Σ_c v_c · I_c        (clipped at 0)
    p(e)    = softmax_e(β · match_e  with  match_neutral = τ)

β (sharpness) and τ (how much of a prototype must show before it beats 'neutral') are fitted by
``benchmarks/calibrate_face.py`` on synthetic faces (see :mod:`face_synth`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from emoreason.perception.face_geometry import ramp
from emoreason.schema import EMOTIONS


@dataclass(frozen=True)
class Action:
    """One action-unit proxy: FACS code, machine name, the raw measure it reads and its ramp."""

    code: str
    name: str
    measure: str
    neutral: float
    expressive: float
    phrase: str


#: FACS code -> proxy (ours; ramps in inter-ocular units, see the module docstring)
ACTIONS: dict[str, Action] = {
    a.code: a
    for a in (
        Action("AU1", "inner_brow_raiser", "inner_brow_height", 0.25, 0.37, "inner brows raised"),
        Action("AU2", "outer_brow_raiser", "outer_brow_height", 0.22, 0.34, "outer brows raised"),
        Action("AU4", "brow_lowerer", "brow_gap", 0.42, 0.34, "brows drawn together and lowered"),
        Action("AU5", "upper_lid_raiser", "upper_lid_height", 0.10, 0.16, "eyes widened"),
        Action("AU6", "cheek_raiser", "cheek_height", 0.45, 0.38, "cheeks raised"),
        Action("AU7", "lid_tightener", "lower_lid_height", 0.065, 0.03, "eyes narrowed or closed"),
        Action("AU9", "nose_wrinkler", "nose_wing_height", 0.58, 0.50, "nose wrinkled"),
        Action("AU10", "upper_lip_raiser", "upper_lip_gap", 0.19, 0.12, "upper lip raised"),
        Action("AU12", "lip_corner_puller", "corner_lift", 0.04, 0.14, "lip corners pulled up"),
        Action(
            "AU15", "lip_corner_depressor", "corner_lift", 0.00, -0.08, "lip corners pulled down"
        ),
        Action("AU20", "lip_stretcher", "mouth_width", 0.86, 1.04, "lips stretched sideways"),
        Action("AU23/24", "lip_pressor", "lip_thickness", 0.22, 0.12, "lips pressed together"),
        Action("AU26", "jaw_drop", "mouth_open", 0.06, 0.35, "jaw dropped, mouth open"),
    )
}
ACTION_CODES: tuple[str, ...] = tuple(ACTIONS)
ACTION_NAMES: tuple[str, ...] = tuple(a.name for a in ACTIONS.values())
#: AU4 also reads the middle of the brows coming down (anger lowers, sadness only knits them)
BROW_LOWERING = ("mid_brow_height", 0.29, 0.21)
BASELINE_MIN_FRAMES = 8


def action_intensities(
    raw: Mapping[str, float], baseline: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Proxy intensities in [0, 1] from one face's raw measures; ``baseline`` (measure -> neutral
    value, from :func:`clip_baseline`) replaces the population neutral where given."""
    base = baseline or {}
    out: dict[str, float] = {}
    for code, a in ACTIONS.items():
        if a.measure not in raw:
            continue
        neutral = base.get(a.measure, a.neutral)
        out[code] = ramp(raw[a.measure], neutral, neutral + (a.expressive - a.neutral))
    if "AU4" in out and BROW_LOWERING[0] in raw:
        measure, lo, hi = BROW_LOWERING
        neutral = base.get(measure, lo)
        out["AU4"] = max(out["AU4"], ramp(raw[measure], neutral, neutral + hi - lo))
    if "AU12" in out and "AU20" in out:  # a smile widens the mouth too: stretch is sideways only
        out["AU20"] *= 1.0 - out["AU12"]
    if "AU23/24" in out and raw.get("mouth_open", 0.0) > 0.05:  # open lips are not pressed
        out["AU23/24"] = 0.0
    return out


def clip_baseline(
    raws: Sequence[Mapping[str, float]], neutral_probs: Sequence[float | None]
) -> dict[str, float]:
    """Per-person neutral values (measure -> value) from a clip's calmest frames (module
    docstring); empty when there are fewer than :data:`BASELINE_MIN_FRAMES` frames."""
    if len(raws) < BASELINE_MIN_FRAMES:
        return {}
    activity = np.array([sum(action_intensities(r).values()) for r in raws])  # (k,)
    calm = np.argsort(activity, kind="stable")[: max(3, len(raws) // 3)]
    probs = [neutral_probs[i] for i in calm if neutral_probs[i] is not None]
    trust = 0.8 * (float(np.mean(probs)) if probs else 0.5)
    measures = {a.measure: (a.neutral, a.expressive) for a in ACTIONS.values()}
    measures[BROW_LOWERING[0]] = BROW_LOWERING[1:]
    out = {}
    for measure, (neutral, expressive) in measures.items():
        values = [raws[i][measure] for i in calm if measure in raws[i]]
        if not values:
            continue
        half = abs(expressive - neutral) / 2
        shift = max(-half, min(half, float(np.median(values)) - neutral))
        out[measure] = neutral + trust * shift
    return out


@dataclass(frozen=True)
class Prototype:
    """Components (alternative actions, weight), contradicting actions (action, weight), source."""

    components: tuple[tuple[tuple[str, ...], float], ...]
    contradicts: tuple[tuple[str, float], ...]
    source: str


#: Expression prototypes. Combinations after EMFACS-7 (Friesen & Ekman 1983) as tabulated in
#: Lucey et al. 2010 (CK+), weights and contradictions ours.
PROTOTYPES: dict[str, Prototype] = {
    # felt (Duchenne) smile: cheek raiser + lip corner puller; the puller is the core
    # (raised inner brows are the grief signature, not part of any smile: a cry face that
    # stretches the lips is not read as happy)
    "happy": Prototype(((("AU12",), 2.0), (("AU6",), 1.0)),
                       (("AU15", 0.5), ("AU1", 0.4), ("AU4", 0.3)),
                       "EMFACS happiness 6+12; CK+ table: 12 (6)"),
    # sadness: inner brow raiser + brow lowerer + lip corner depressor
    "sad": Prototype(((("AU1",), 1.0), (("AU4",), 1.0), (("AU15",), 1.0)),
                     (("AU12", 0.5), ("AU5", 0.4), ("AU26", 0.2)),
                     "EMFACS sadness 1+4+15; CK+ table: 1+4+15 or 11"),
    # surprise: both brow raisers + upper lid raiser + jaw drop, no brow lowering or stretch
    "surprised": Prototype(((("AU1",), 1.0), (("AU2",), 1.0), (("AU5",), 1.0), (("AU26",), 1.0)),
                           (("AU4", 0.6), ("AU20", 0.4), ("AU15", 0.3)),
                           "EMFACS surprise 1+2+5B+26; CK+ table: 1+2 or 5B+26/27"),
    # fear: raised and knitted brows, raised lids, stretched lips, open jaw
    "fearful": Prototype(((("AU1",), 1.0), (("AU2",), 0.5), (("AU4",), 1.5), (("AU5",), 1.0),
                          (("AU20",), 1.5), (("AU26",), 0.5)), (("AU12", 0.5),),
                         "EMFACS fear 1+2+4+5+20+26; CK+ table: 1+2+4, 20 with 1+2+4+5"),
    # anger: lowered brows, raised or tightened lids, pressed or tightened lips
    "angry": Prototype(((("AU4",), 2.0), (("AU5", "AU7"), 1.0), (("AU23/24",), 1.0)),
                       (("AU1", 0.4), ("AU2", 0.3), ("AU12", 0.5)),
                       "EMFACS anger 4+5+7+23/24; CK+ table: 23 and 22, 23 or 24 with 4+5+7"),
    # disgust: nose wrinkler or upper lip raiser, with lip corner / lower lip depression
    "disgusted": Prototype(((("AU9", "AU10"), 2.0), (("AU15",), 0.5)),
                           (("AU12", 0.3), ("AU1", 0.2), ("AU2", 0.2)),
                           "EMFACS disgust 9/10 (+15/16); CK+ table: 9 or 10"),
}  # fmt: skip

#: fitted by benchmarks/calibrate_face.py on the FIT synthetic faces (seed 0): NLL grid search
SHARPNESS = 9.0
NEUTRAL_THRESHOLD = 0.25


def prototype_matches(aus: Mapping[str, float]) -> dict[str, float]:
    """How far each prototype shows, in [0, 1] (formula in the module docstring)."""
    out = {}
    for emotion, proto in PROTOTYPES.items():
        total = sum(w for _, w in proto.components)
        got = sum(w * max(aus.get(a, 0.0) for a in alts) for alts, w in proto.components)
        against = sum(w * aus.get(a, 0.0) for a, w in proto.contradicts)
        out[emotion] = max(0.0, got / total - against)
    return out


def action_scores(
    aus: Mapping[str, float],
    sharpness: float = SHARPNESS,
    neutral_threshold: float = NEUTRAL_THRESHOLD,
) -> dict[str, float]:
    """Emotion distribution read from action intensities alone (module docstring)."""
    if not aus:
        return {e: 1.0 / len(EMOTIONS) for e in EMOTIONS}
    matches = prototype_matches(aus) | {"neutral": neutral_threshold}
    top = max(matches.values())
    exp = {e: math.exp(sharpness * (matches[e] - top)) for e in EMOTIONS}
    total = sum(exp.values())
    return {e: v / total for e, v in exp.items()}


def describe_actions(aus: Mapping[str, float], emotion: str, at_least: float = 0.3) -> list[str]:
    """Phrases for the actions of ``emotion``'s prototype that show at >= ``at_least``."""
    proto = PROTOTYPES.get(emotion)
    if proto is None:
        return []
    codes = [a for alts, _ in proto.components for a in alts]
    return [ACTIONS[c].phrase for c in codes if aus.get(c, 0.0) >= at_least]
