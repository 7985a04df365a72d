"""Qwen2.5-Omni model folders: telling them apart and loading their thinker, one way for all.

Inference (the transformers backend), training and ``diagnose --clip`` all run the *thinker*
(the multimodal text generator) of a Qwen2.5-Omni folder. A folder is either thinker-only
(``model_type: qwen2_5_omni_thinker``) or the full model (``qwen2_5_omni``: thinker + talker, as
Qwen2.5-Omni-7B and SABER-LLM's weights ship). :func:`load_omni_thinker` loads either, local
files only and without progress bars, and builds no talker.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from emoreason.errors import ModelNotFoundError

#: Model types of Qwen2.5-Omni folders: the full model and the thinker alone.
FULL_OMNI = "qwen2_5_omni"
OMNI_MODEL_TYPES = frozenset({FULL_OMNI, "qwen2_5_omni_thinker"})


def model_type_of(path: str | Path) -> str | None:
    """The ``model_type`` in a model folder's config.json, or None (no file, not JSON, none)."""
    try:
        config = json.loads((Path(path) / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return config.get("model_type") if isinstance(config, dict) else None


def is_omni_folder(path: str | Path) -> bool:
    """True for a Qwen2.5-Omni (full or thinker-only) model folder."""
    return model_type_of(path) in OMNI_MODEL_TYPES


def load_omni_thinker(path: str | Path, dtype: Any = "auto") -> Any:
    """The thinker of a Qwen2.5-Omni folder, in eval mode (local files only, no progress bars).

    A full model loads through ``PreTrainedModel``'s loader with ``enable_audio_output=False``:
    no talker is built, and Omni's own loader, which also wants the talker's ``spk_dict.pt``, is
    bypassed; its thinker is returned. A thinker-only folder loads with
    ``AutoModelForImageTextToText``. ``dtype``: a torch dtype, or "auto" for the folder's.
    (transformers sets a given dtype on the model's config and its direct sub-configs only, so
    a full model's thinker would build its towers and decoder in the dtype its folder's nested
    configs name: it is set on every nested config here.)

    Raises ModelNotFoundError naming the folder when it is not a Qwen2.5-Omni folder or its
    model cannot be loaded.
    """
    import transformers as tf

    from emoreason.assets.hf_quiet import hf_progress_bars_off

    folder = Path(path)
    model_type = model_type_of(folder)
    if model_type not in OMNI_MODEL_TYPES:
        raise ModelNotFoundError(
            f"{folder}: not a Qwen2.5-Omni model folder (config.json model_type {model_type!r}; "
            f"expected one of {sorted(OMNI_MODEL_TYPES)})"
        )
    options = {"dtype": dtype, "local_files_only": True}
    try:
        with hf_progress_bars_off():
            if model_type == FULL_OMNI:
                config = tf.AutoConfig.from_pretrained(folder, local_files_only=True)
                config.enable_audio_output = False
                if dtype != "auto":
                    _set_dtype_everywhere(config, dtype)
                omni = tf.Qwen2_5OmniForConditionalGeneration
                full = super(omni, omni).from_pretrained(folder, config=config, **options)
                return full.thinker.eval()
            return tf.AutoModelForImageTextToText.from_pretrained(folder, **options).eval()
    except Exception as exc:  # transformers raises many kinds here
        lines = str(exc).strip().splitlines()
        reason = f"{type(exc).__name__}: {lines[0]}" if lines else type(exc).__name__
        raise ModelNotFoundError(
            f"{folder}: cannot load the Qwen2.5-Omni model ({reason})"
        ) from None


def _set_dtype_everywhere(config: Any, dtype: Any) -> None:
    """Set ``dtype`` on ``config`` and every config nested in it, however deep."""
    config.dtype = dtype
    for key in getattr(config, "sub_configs", {}):
        if (nested := getattr(config, key, None)) is not None:
            _set_dtype_everywhere(nested, dtype)
