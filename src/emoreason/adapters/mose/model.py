"""Attach MoSE to any Hugging Face causal LM, route modality ids, merge, save and report.

Typical use::

    model = apply_mose(AutoModelForCausalLM.from_pretrained(path), MoSEConfig(r=8))
    with modality_ids(model, ids):          # ids (batch, seq): 0 text, 1 audio, 2 visual
        loss = model(input_ids=..., labels=...).loss
        loss.backward()                     # inside the context if gradient checkpointing is on
    with mose_disabled(model):              # the frozen base model (e.g. the DPO reference)
        ref_logits = model(input_ids=...).logits

Modality ids reach the layers through forward pre-hooks registered by :func:`modality_ids` and
removed in ``finally`` (never module globals); see :mod:`emoreason.adapters.mose.router` for how
ids follow the sequence under ``generate``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import torch
from torch import nn

from emoreason.adapters.mose.config import MoSEConfig
from emoreason.adapters.mose.layer import MoSELinear
from emoreason.adapters.mose.router import ModalityRouter
from emoreason.errors import ConfigError, InputError

WEIGHTS_NAME = "mose_adapter.safetensors"
CONFIG_NAME = "mose_config.json"
_FUNCTIONAL_FIELDS = ("r", "alpha", "epsilon", "gate_hidden")  # change what a layer computes


def mose_layers(model: nn.Module) -> dict[str, MoSELinear]:
    """Every MoSE layer of ``model`` by its module name (in module order)."""
    return {name: m for name, m in model.named_modules() if isinstance(m, MoSELinear)}


def _matches(name: str, target: str) -> bool:
    return name == target or name.endswith("." + target)


def _inside(name: str, excluded: str) -> bool:
    """True when the dotted path ``excluded`` occurs in ``name`` on dot boundaries."""
    return f".{excluded}." in f".{name}."


def find_target_linears(model: nn.Module, config: MoSEConfig) -> dict[str, nn.Linear]:
    """The ``nn.Linear`` layers named by ``config.target_modules`` (minus ``exclude_modules``).

    Raises ConfigError naming each target that matches nothing, with the valid linear names.
    """
    linears = {
        name: m
        for name, m in model.named_modules()
        if isinstance(m, nn.Linear)
        and not isinstance(m, MoSELinear)
        and not any(_inside(name, ex) for ex in config.exclude_modules)
    }
    found = {n: m for n, m in linears.items() if any(_matches(n, t) for t in config.target_modules)}
    missing = [t for t in config.target_modules if not any(_matches(n, t) for n in found)]
    if missing:
        valid = sorted({n.rsplit(".", 1)[-1] for n in linears})
        raise ConfigError(
            f"mose.target_modules: {missing} match no nn.Linear layer of "
            f"{type(model).__name__}; valid names: {valid}"
        )
    return found


def apply_mose(model: nn.Module, config: MoSEConfig) -> nn.Module:
    """Wrap the target linears of ``model`` in place with :class:`MoSELinear`; freeze the rest.

    Only the MoSE parameters (A, B_g, B_v, B_n, gate) stay trainable. Returns ``model``.
    """
    if mose_layers(model):
        raise ConfigError(f"{type(model).__name__} already carries MoSE layers; apply it once")
    targets = find_target_linears(model, config)
    for p in model.parameters():
        p.requires_grad_(False)
    generator_state = torch.random.get_rng_state() if config.seed is not None else None
    if config.seed is not None:
        torch.manual_seed(config.seed)
    try:
        for name, linear in targets.items():
            parent_name, _, child = name.rpartition(".")
            parent = model.get_submodule(parent_name) if parent_name else model
            setattr(parent, child, MoSELinear(linear, config, module_name=name))
    finally:
        if generator_state is not None:
            torch.random.set_rng_state(generator_state)
    model.mose_config = config
    return model


def mose_config_of(model: nn.Module) -> MoSEConfig:
    config = getattr(model, "mose_config", None)
    if not isinstance(config, MoSEConfig) or not mose_layers(model):
        raise ConfigError(f"{type(model).__name__} has no MoSE layers: call apply_mose first")
    return config


@contextmanager
def modality_ids(model: nn.Module, ids: torch.Tensor) -> Iterator[ModalityRouter]:
    """Route tokens by modality (0 text, 1 audio, 2 visual) for calls of ``model`` in the block.

    ``ids`` (batch, seq) covers the positions of the input given to ``model(...)`` or
    ``model.generate(...)``; positions beyond ``seq`` (generated tokens) are text. Pass the module
    you call. The hooks are removed when the block exits, also on an exception.
    """
    layers = mose_layers(model)
    if not layers:
        raise ConfigError(f"{type(model).__name__} has no MoSE layers: call apply_mose first")
    router = ModalityRouter(ids)
    handles = []

    def begin_call(module: nn.Module, args: tuple, kwargs: dict) -> None:
        router.begin_call(args, kwargs)

    def inject(module: nn.Module, args: tuple, kwargs: dict) -> tuple[tuple, dict]:
        if router.current is None:
            raise InputError(
                f"modality_ids is active but {type(model).__name__}.forward was not called "
                "before this layer; pass the module you call to modality_ids",
                field="modality_ids",
            )
        kwargs["routing"] = router.current
        return args, kwargs

    try:
        handles.append(model.register_forward_pre_hook(begin_call, with_kwargs=True))
        for layer in layers.values():
            handles.append(layer.register_forward_pre_hook(inject, with_kwargs=True))
        yield router
    finally:
        for handle in handles:
            handle.remove()


@contextmanager
def mose_disabled(model: nn.Module) -> Iterator[None]:
    """Turn every MoSE layer off in the block: outputs are the base model's (state restored)."""
    layers = list(mose_layers(model).values())
    before = [layer.disabled for layer in layers]
    try:
        for layer in layers:
            layer.disabled = True
        yield
    finally:
        for layer, state in zip(layers, before, strict=True):
            layer.disabled = state


def merge_mose(model: nn.Module) -> nn.Module:
    """Fold each layer's global expert (α/r)·B_g A into its base weight (exact for every input).

    The modality experts stay active because λ and the visual mask depend on the tokens.
    """
    for layer in mose_layers(model).values():
        layer.merge()
    return model


def unmerge_mose(model: nn.Module) -> nn.Module:
    """Undo :func:`merge_mose` (base weights restored up to float rounding)."""
    for layer in mose_layers(model).values():
        layer.unmerge()
    return model


def gate_lambdas(model: nn.Module) -> dict[str, torch.Tensor]:
    """The λ (batch,) each layer used in its most recent forward call, detached (for logging)."""
    return {
        name: layer.last_lambda
        for name, layer in mose_layers(model).items()
        if layer.last_lambda is not None
    }


def mose_state_dict(model: nn.Module) -> dict[str, torch.Tensor]:
    """Only the MoSE parameters (names as in ``model.state_dict()``)."""
    return {
        f"{name}.{key}": tensor
        for name, layer in mose_layers(model).items()
        for key, tensor in layer.state_dict().items()
        if not key.startswith("base.")
    }


def save_mose(model: nn.Module, directory: str | Path) -> Path:
    """Write ``mose_adapter.safetensors`` and ``mose_config.json`` into ``directory``."""
    from safetensors.torch import save_file

    config = mose_config_of(model)
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    tensors = {k: v.detach().contiguous().cpu() for k, v in mose_state_dict(model).items()}
    save_file(tensors, str(directory / WEIGHTS_NAME), metadata={"format": "pt", "adapter": "mose"})
    (directory / CONFIG_NAME).write_text(
        json.dumps(config.to_dict(), indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    return directory


def load_mose(model: nn.Module, directory: str | Path) -> nn.Module:
    """Load adapters saved by :func:`save_mose`; applies MoSE first when ``model`` has none."""
    from safetensors.torch import load_file

    directory = Path(directory)
    weights, config_path = directory / WEIGHTS_NAME, directory / CONFIG_NAME
    for path in (weights, config_path):
        if not path.is_file():
            raise InputError(f"missing MoSE adapter file (expected {path.name})", path=path)
    try:
        config = MoSEConfig.from_dict(json.loads(config_path.read_text(encoding="utf-8")))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", path=config_path, line=exc.lineno) from exc
    except ConfigError as exc:
        raise ConfigError(f"{config_path}: {exc}") from exc
    if not mose_layers(model):
        apply_mose(model, config)
    current = mose_config_of(model)
    differ = [k for k in _FUNCTIONAL_FIELDS if getattr(current, k) != getattr(config, k)]
    if differ:
        raise ConfigError(
            f"{config_path}: saved adapter differs from the model's MoSE config in {differ}; "
            "load it into a model without MoSE layers"
        )
    if any(layer.merged for layer in mose_layers(model).values()):
        raise ConfigError("load_mose: unmerge_mose(model) before loading new adapter weights")
    expected = mose_state_dict(model)
    loaded = load_file(str(weights))
    unexpected = sorted(set(loaded) - set(expected))
    missing = sorted(set(expected) - set(loaded))
    if unexpected or missing:
        raise InputError(
            f"adapter does not fit this model: missing {missing[:3]}, unexpected {unexpected[:3]}",
            path=weights,
        )
    with torch.no_grad():
        for key, target in expected.items():
            if tuple(loaded[key].shape) != tuple(target.shape):
                raise InputError(
                    f"{key}: shape {tuple(loaded[key].shape)}, model expects {tuple(target.shape)}",
                    path=weights,
                )
            target.copy_(loaded[key])
    model.mose_config = config
    return model


def trainable_parameter_report(model: nn.Module, config: MoSEConfig) -> dict[str, Any]:
    """MoSE trainable parameters vs three independent LoRAs of the same rank on the same layers.

    Works on the base model or on the adapted one (counted from layer shapes). Per target layer
    with d_in inputs and d_out outputs, rank r and gate hidden h::

        MoSE       = r·d_in (A) + 3·r·d_out (B_g, B_v, B_n) + gate(2·d_in, h)
        three LoRA = 3·r·(d_in + d_out)
    """
    layers = mose_layers(model)
    if layers:
        shapes = {n: (m.base.in_features, m.base.out_features) for n, m in layers.items()}
    else:
        shapes = {
            n: (m.in_features, m.out_features)
            for n, m in find_target_linears(model, config).items()
        }
    r, h = config.r, config.gate_hidden
    shared_a = sum(r * d_in for d_in, _ in shapes.values())
    experts = sum(3 * r * d_out for _, d_out in shapes.values())
    gate = sum(
        (2 * d_in + 1) if h == 0 else (2 * d_in * h + h + h + 1) for d_in, _ in shapes.values()
    )
    mose = shared_a + experts + gate
    three = sum(3 * r * (d_in + d_out) for d_in, d_out in shapes.values())
    one = three // 3
    adapter_ids = {
        id(p) for m in layers.values() for n, p in m.named_parameters() if not n.startswith("base.")
    }
    base_total = sum(p.numel() for p in model.parameters() if id(p) not in adapter_ids)
    report: dict[str, Any] = {
        "layers": len(shapes),
        "rank": r,
        "mose": {"shared_A": shared_a, "experts_B": experts, "gate": gate, "total": mose},
        "single_lora": one,
        "three_loras": three,
        "mose_vs_three_loras": mose / three if three else float("nan"),
        "mose_vs_single_lora": mose / one if one else float("nan"),
        "base_parameters": base_total,
    }
    if layers:
        report["trainable_now"] = sum(p.numel() for p in model.parameters() if p.requires_grad)
    return report
