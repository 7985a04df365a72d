"""The parts of TRL's private API that CADPOTrainer relies on: fail here, loudly, on an upgrade."""

from __future__ import annotations

import dataclasses
import inspect

from trl import DPOTrainer, SFTTrainer
from trl.trainer import dpo_trainer as trl_dpo_module
from trl.trainer.dpo_trainer import DataCollatorForPreference


def _params(function) -> list[str]:
    return list(inspect.signature(function).parameters)


def test_overridden_dpo_methods_keep_their_signatures():
    assert _params(DPOTrainer._compute_loss)[:4] == ["self", "model", "inputs", "return_outputs"]
    assert _params(DPOTrainer._precompute_ref_logps) == ["self", "dataset", "name", "batch_size"]
    assert _params(DPOTrainer.compute_ref_log_probs)[:3] == ["self", "model", "inputs"]
    assert callable(DPOTrainer._set_signature_columns_if_needed)
    for trainer in (DPOTrainer, SFTTrainer):
        assert _params(trainer._save)[:3] == ["self", "output_dir", "state_dict"]
        assert _params(trainer._load_from_checkpoint)[:3] == [
            "self",
            "resume_from_checkpoint",
            "model",
        ]


def test_precompute_progress_goes_through_the_module_tqdm():
    """We swap ``trl.trainer.dpo_trainer.tqdm`` to route its progress to callbacks."""
    assert hasattr(trl_dpo_module, "tqdm")
    source = inspect.getsource(DPOTrainer._precompute_ref_logps)
    assert "tqdm(" in source and "self.compute_ref_log_probs(" in source


def test_preference_collator_fields():
    fields = {f.name for f in dataclasses.fields(DataCollatorForPreference)}
    assert {"pad_token_id", "max_length", "truncation_mode"} <= fields
    batch = DataCollatorForPreference(pad_token_id=0)(
        [{"prompt_ids": [1, 2], "chosen_ids": [3], "rejected_ids": [4, 5]}]
    )
    assert {"input_ids", "attention_mask", "completion_mask"} <= set(batch)
    assert batch["input_ids"].tolist() == [[1, 2, 3, 0], [1, 2, 4, 5]]
