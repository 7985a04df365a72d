"""Batches: CA-DPO preference batches (TRL's collator plus conflict scores, pair kinds and our
``keep_divergence`` truncation, :func:`divergence_window`) and, for a multimodal model, the
clips' features beside the tokens (:class:`~emoreason.training.media.MediaEncoder`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import torch
from trl.trainer.dpo_trainer import DataCollatorForPreference
from trl.trainer.sft_trainer import DataCollatorForLanguageModeling

from emoreason.training.media import MediaEncoder


@dataclass
class ConflictPreferenceCollator(DataCollatorForPreference):
    """TRL's ``[chosen; rejected]`` preference collator, plus a ``conflict`` tensor ``[B]``.

    ``truncation_mode="keep_divergence"`` (ours) cuts every pair with :func:`divergence_window`
    before TRL's collation, instead of TRL's ``keep_start`` / ``keep_end``.
    """

    divergence_context: int = 32
    #: A multimodal model's media encoder: adds every row's clip features (rows 0..B-1 chosen,
    #: B..2B-1 rejected, the same clip in both halves). None: a text-only model.
    media: MediaEncoder | None = None

    def torch_call(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        if self.truncation_mode == "keep_divergence" and self.max_length is not None:
            examples = [
                {
                    **example,
                    **divergence_window(
                        example["prompt_ids"],
                        example["chosen_ids"],
                        example["rejected_ids"],
                        self.max_length,
                        self.divergence_context,
                    ),
                }
                for example in examples
            ]
            return self._collate(examples, truncation_mode="keep_start")
        return self._collate(examples, truncation_mode=self.truncation_mode)

    def _collate(self, examples: list[dict[str, Any]], truncation_mode: str) -> dict[str, Any]:
        mode, self.truncation_mode = self.truncation_mode, truncation_mode
        try:
            batch = super().torch_call(examples)
        finally:
            self.truncation_mode = mode
        batch["conflict"] = torch.tensor([float(e.get("conflict", 0.0)) for e in examples])
        batch["kind"] = [str(e.get("kind") or "") for e in examples]  # for per-kind reports
        if self.media is not None:
            rows = [(e.get("videos") or [], e.get("audios") or []) for e in examples]
            batch.update(self.media.collate(rows + rows, batch["input_ids"]))  # [chosen; rejected]
        return batch


@dataclass
class MediaSFTCollator(DataCollatorForLanguageModeling):
    """TRL's SFT collator over tokenized media rows (``input_ids``, ``labels``), plus the clips'
    features of every row (``videos``/``audios`` through ``media``)."""

    media: MediaEncoder | None = None

    def torch_call(self, examples: list[dict[str, Any]]) -> dict[str, Any]:
        batch = super().torch_call(examples)
        if self.media is not None:
            rows = [(e.get("videos") or [], e.get("audios") or []) for e in examples]
            batch.update(self.media.collate(rows, batch["input_ids"]))
        return batch


def divergence_window(
    prompt_ids: Sequence[int],
    chosen_ids: Sequence[int],
    rejected_ids: Sequence[int],
    max_length: int,
    context: int,
) -> dict[str, list[int]]:
    """A ``max_length`` window of a preference pair that holds where chosen and rejected differ.

    Ours, for long SED responses on small budgets. ``d`` is the first position where
    ``prompt+chosen`` and ``prompt+rejected`` differ. Tokens before ``d`` are shared: they have
    the same context in both sequences, so their log-probs cancel exactly in the DPO margin
    ``(log π(c) − log π_ref(c)) − (log π(r) − log π_ref(r))``. The window starts at
    ``max(0, min(d − context, longest − max_length))`` (at least ``context`` shared tokens, more
    when the differing tails are short, e.g. a flipped label at the very end) and the shared part
    becomes the new prompt (no loss); the differing tails are the completions, cut at
    ``max_length`` by the caller (``keep_start``). Each side keeps at least one completion token:
    when one completion is a prefix of the other, the last shared token moves into both tails.
    """
    full_chosen = [*prompt_ids, *chosen_ids]
    full_rejected = [*prompt_ids, *rejected_ids]
    shortest = min(len(full_chosen), len(full_rejected))
    d = next(
        (i for i in range(shortest) if full_chosen[i] != full_rejected[i]),
        shortest,
    )
    d = max(len(prompt_ids), min(d, shortest - 1))  # every side keeps >= 1 completion token
    longest = max(len(full_chosen), len(full_rejected))
    start = max(0, min(d - context, longest - max_length))
    return {
        "prompt_ids": full_chosen[start:d],
        "chosen_ids": full_chosen[d:],
        "rejected_ids": full_rejected[d:],
    }
