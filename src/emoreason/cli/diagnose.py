"""``emoreason diagnose``: UAP modality-bias diagnostics before and after AR."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import typer

from emoreason.cli.choices import Lang
from emoreason.cli.output import console, err_console, handle_errors

SUMMARY_NAME = "uap_summary.json"
HEATMAP_NAME = "uap_heatmap.png"


def _default_model_dir() -> Path:
    from emoreason.errors import ModelNotFoundError

    try:
        from emoreason.assets import smollm2_dir
    except ImportError as exc:
        raise ModelNotFoundError(
            "no model folder given and the package-shipped SmolLM2 is unavailable "
            f"({exc}); pass MODEL_DIR (a local transformers model folder)"
        ) from exc
    return Path(smollm2_dir())


def _parse_layers(text: str | None) -> tuple[int, ...] | None:
    from emoreason.errors import ConfigError

    if text is None or text.strip().lower() in ("", "all"):
        return None
    try:
        return tuple(int(part) for part in text.split(",") if part.strip())
    except ValueError:
        raise ConfigError(
            f"--layers: got {text!r}; valid: 'all' or comma-separated layer indices like 0,1,5"
        ) from None


def _load_model(model_dir: Path):  # -> (model, tokenizer | None)
    from transformers import AutoModelForCausalLM, AutoTokenizer

    from emoreason.errors import ModelNotFoundError

    if not (model_dir / "config.json").is_file():
        raise ModelNotFoundError(
            f"{model_dir}: not a transformers model folder (no config.json); pass a local "
            "folder saved with save_pretrained"
        )
    from emoreason.assets.hf_quiet import hf_progress_bars_off

    with hf_progress_bars_off():
        model = AutoModelForCausalLM.from_pretrained(model_dir, local_files_only=True).eval()
    tokenizer = None
    if any((model_dir / name).is_file() for name in ("tokenizer.json", "tokenizer_config.json")):
        tokenizer = AutoTokenizer.from_pretrained(model_dir, local_files_only=True)
    return model, tokenizer


def _omni_clip_context(
    model_dir: Path, clip: Path, lang: str
):  # -> (model, tokenizer, inputs, ids)
    """A Qwen2.5-Omni thinker and its processor output for ``clip`` under the SED prompt.

    The clip goes in as analyze gives it (SABER-LLM's layout: frames and 16 kHz audio as separate
    streams); the audio and visual keys are the positions of their placeholder tokens.
    """
    from emoreason.adapters.mose import modality_ids_from_inputs
    from emoreason.errors import ConfigError
    from emoreason.perception.decode import probe
    from emoreason.prompts import sed_prompt
    from emoreason.reasoning.omni_loading import is_omni_folder, load_omni_thinker
    from emoreason.reasoning.omni_media import MediaLayout, omni_inputs, read_clip
    from emoreason.reasoning.omni_processor import load_omni_processor
    from emoreason.reasoning.omni_video import VideoPatching

    if not is_omni_folder(model_dir):
        raise ConfigError(
            f"--clip: {model_dir} is not a Qwen2.5-Omni model folder (thinker or full model); "
            "a text-only model takes a synthetic context (--spec) instead"
        )
    facts = probe(clip)
    processor, _ = load_omni_processor(model_dir)
    media = read_clip(
        clip,
        has_video=facts.has_video,
        has_audio=facts.has_audio,
        layout=MediaLayout(),
        patching=VideoPatching.from_folder(model_dir),
    )
    model = load_omni_thinker(model_dir)
    inputs = omni_inputs(processor, sed_prompt(lang), media)  # type: ignore[arg-type]
    return model, processor.tokenizer, inputs, modality_ids_from_inputs(inputs, model.config)


def register(app: typer.Typer) -> None:
    """Add ``diagnose`` to app."""

    @app.command("diagnose")
    @handle_errors
    def diagnose(
        model_dir: Path | None = typer.Argument(
            None, help="Local transformers model folder (default: the package-shipped SmolLM2)."
        ),
        spec: Path | None = typer.Option(
            None,
            "--spec",
            help="Context spec (YAML/JSON): segments of text, text_tokens, audio, visual span "
            "lengths; see emoreason.steering.synthetic. Default: subtitle + 16 audio + 256 "
            "visual tokens + question.",
        ),
        out_dir: Path = typer.Option(
            Path("uap_diagnosis"), "--out-dir", "-o", help="Folder for the JSON and PNG."
        ),
        ar_config: Path | None = typer.Option(
            None, "--ar-config", help="YAML with ARConfig fields (CLI options override it)."
        ),
        alpha: float | None = typer.Option(None, help="Fraction of audio mass moved (0..1)."),
        tau: float | None = typer.Option(None, help="Layer audio/visual ratio threshold."),
        kappa: float | None = typer.Option(None, help="Head ratio threshold × layer mean."),
        layers: str | None = typer.Option(
            None, help="Layers to reallocate: 'all' or comma-separated indices."
        ),
        normalize_by_count: bool | None = typer.Option(
            None, "--normalize-by-count/--no-normalize-by-count", help="Per-key ratios."
        ),
        max_new_tokens: int | None = typer.Option(
            None, min=1, help="Tokens to generate (default: the spec's, else 16)."
        ),
        clip: Path | None = typer.Option(
            None,
            "--clip",
            help="A video clip for a Qwen2.5-Omni MODEL_DIR: its frames and audio go in through "
            "the processor (as analyze gives them) under the SED prompt; audio and visual keys "
            "are their placeholder tokens. Replaces --spec.",
        ),
        lang: Lang = typer.Option(Lang("en"), "--lang", help="SED prompt language with --clip."),
    ) -> None:
        """Generate with and without AR; write UAP per layer/head (JSON) and a heatmap (PNG)."""
        import torch

        from emoreason.errors import ConfigError
        from emoreason.formats.atomic import write_text_atomic
        from emoreason.steering import (
            ARConfig,
            build_context,
            default_context_spec,
            diagnose_modality_bias,
            load_context_spec,
            save_uap_heatmap,
        )

        config = ARConfig.from_yaml(ar_config) if ar_config is not None else ARConfig()
        overrides = {
            "alpha": alpha,
            "tau": tau,
            "kappa": kappa,
            "normalize_by_count": normalize_by_count,
        }
        overrides = {k: v for k, v in overrides.items() if v is not None}
        if layers is not None:
            overrides["layers"] = _parse_layers(layers)
        config = dataclasses.replace(config, **overrides)

        model_path = model_dir if model_dir is not None else _default_model_dir()
        err_console.print(f"loading model from {model_path}")
        model_inputs = None
        if clip is not None:
            if spec is not None:
                raise ConfigError("give --clip or --spec, not both")
            model, tokenizer, model_inputs, modality_ids = _omni_clip_context(
                model_path, clip, lang.value
            )
            input_ids, seed = model_inputs["input_ids"], 0
            new_tokens = max_new_tokens or 16
        else:
            context = load_context_spec(spec) if spec is not None else default_context_spec()
            model, tokenizer = _load_model(model_path)
            input_ids, modality_ids = build_context(
                context, model.config.get_text_config().vocab_size, tokenizer
            )
            new_tokens, seed = max_new_tokens or context.max_new_tokens, context.seed
        err_console.print(
            f"context: {input_ids.shape[1]} tokens; generating {new_tokens} tokens without "
            "and with AR"
        )
        torch.manual_seed(seed)
        report = diagnose_modality_bias(
            model, input_ids, modality_ids, config, new_tokens, model_inputs=model_inputs
        )

        summary = report.to_dict()
        summary["model_dir"] = str(model_path)
        if clip is not None:
            summary["clip"] = str(clip)
        if tokenizer is not None:
            summary["before"]["generated_text"] = tokenizer.decode(
                report.before.generated_ids[0], skip_special_tokens=True
            )
            summary["after"]["generated_text"] = tokenizer.decode(
                report.after.generated_ids[0], skip_special_tokens=True
            )
        json_path = out_dir / SUMMARY_NAME
        png_path = out_dir / HEATMAP_NAME
        write_text_atomic(json_path, json.dumps(summary, ensure_ascii=False, indent=2) + "\n")
        save_uap_heatmap(
            png_path, report.before.uap, report.after.uap, title=f"audio UAP: {model_path.name}"
        )

        before, after = report.before.uap.mean(), report.after.uap.mean()
        n_biased = sum(len(v) for v in report.after.biased_heads.values())
        console.print(f"audio UAP (mean over layers/heads): before {before:.4f}, after {after:.4f}")
        console.print(f"biased heads reallocated: {n_biased}")
        if n_biased == 0:
            err_console.print(
                "note: no head passed the thresholds (layer ratio > tau, head ratio > kappa x "
                "mean); try --normalize-by-count (per-key ratios) or a lower --tau"
            )
        console.print(f"wrote {json_path}")
        console.print(f"wrote {png_path}")
