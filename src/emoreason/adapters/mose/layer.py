"""The MoSE linear layer: a frozen ``nn.Linear`` plus modality-specific low-rank experts.

docs/methods/mose.md (MoSEAR arXiv 2508.01181; the gate and the constants are ours)::

    h_t = W0 x_t + (α/r) · [ B_g A x_t + 2λ·[t∈V]·B_v A x_t + 2(1−λ)·[t∉V]·B_n A x_t ]

Implementation: ``z = A x`` is computed once; the three up-projections run as one matmul of
``[c_g·z ; c_v·z ; c_n·z]`` (batch, L, 3r) against ``[B_g B_v B_n]`` (d_out, 3r), with per-token
weights c_g = α/r, c_v = (α/r)·2λ·[t∈V], c_n = (α/r)·2(1−λ)·[t∉V]. The masks are exact zeros, so a
visual token never receives anything from B_n and a non-visual token nothing from B_v.

Merging (ours): λ and the masks depend on the tokens, so only the token-independent global expert
can be folded into W0. ``merge()`` adds (α/r)·B_g A to the base weight and keeps the two modality
experts running; the merged layer computes the same function as the unmerged one (to float
rounding) for every input. ``unmerge()`` subtracts the same product.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from emoreason.adapters.mose.config import MoSEConfig
from emoreason.adapters.mose.router import RegularizedGate, TokenRouting, pool_modalities
from emoreason.errors import InputError

_HALF = (torch.float16, torch.bfloat16)


class MoSELinear(nn.Module):
    """Wraps a frozen ``nn.Linear`` (kept as ``.base``) with MoSE experts and a gate."""

    def __init__(self, base: nn.Linear, config: MoSEConfig, module_name: str = "") -> None:
        super().__init__()
        if not isinstance(base, nn.Linear):
            raise TypeError(f"MoSELinear wraps nn.Linear, got {type(base).__name__}")
        self.base = base
        self.module_name = module_name
        self.r = config.r
        self.scaling = config.scaling
        self.disabled = False
        self.merged = False
        self.last_lambda: torch.Tensor | None = None
        weight = base.weight
        # half-precision bases keep their adapters in float32 (stable optimiser updates)
        dtype = torch.float32 if weight.dtype in _HALF else weight.dtype
        kw = {"dtype": dtype, "device": weight.device}
        d_in, d_out, r = base.in_features, base.out_features, config.r
        self.lora_A = nn.Parameter(torch.empty(r, d_in, **kw))  # shared down-projection
        self.lora_B_global = nn.Parameter(torch.empty(d_out, r, **kw))  # B_g, all tokens
        self.lora_B_visual = nn.Parameter(torch.empty(d_out, r, **kw))  # B_v, visual tokens
        self.lora_B_nonvisual = nn.Parameter(torch.empty(d_out, r, **kw))  # B_n, text + audio
        self.gate = RegularizedGate(
            d_in, config.gate_hidden, config.epsilon, config.init_gate, **kw
        )
        self.dropout = nn.Dropout(config.dropout) if config.dropout > 0 else nn.Identity()
        self._init_experts(config)

    def _init_experts(self, config: MoSEConfig) -> None:
        if config.init_lora_a == "kaiming":  # as LoRA: kaiming-uniform with a = sqrt(5)
            nn.init.kaiming_uniform_(self.lora_A, a=math.sqrt(5))
        else:
            nn.init.normal_(self.lora_A, std=1.0 / self.r)
        for b in self.experts():
            if config.init_lora_b == "zero":
                nn.init.zeros_(b)
            else:
                nn.init.normal_(b, std=0.02)

    def experts(self) -> tuple[nn.Parameter, nn.Parameter, nn.Parameter]:
        """(B_g, B_v, B_n), each (d_out, r)."""
        return self.lora_B_global, self.lora_B_visual, self.lora_B_nonvisual

    def global_delta(self) -> torch.Tensor:
        """(α/r)·B_g A as (d_out, d_in) in the base weight's dtype: the mergeable part."""
        delta = self.lora_B_global @ self.lora_A  # (d_out, r) @ (r, d_in) -> (d_out, d_in)
        return (delta * self.scaling).to(self.base.weight.dtype)

    @torch.no_grad()
    def merge(self) -> None:
        """Fold the global expert into W0 (exact for every input; see the module docstring).

        For inference: while merged, B_g receives no gradient (it lives in the frozen W0).
        """
        if not self.merged:
            self.base.weight.add_(self.global_delta())
            self.merged = True

    @torch.no_grad()
    def unmerge(self) -> None:
        """Undo :meth:`merge` (W0 is restored up to float rounding)."""
        if self.merged:
            self.base.weight.sub_(self.global_delta())
            self.merged = False

    def forward(self, x: torch.Tensor, routing: TokenRouting | None = None) -> torch.Tensor:
        result = self.base(x)
        if self.disabled:
            if self.merged:  # the reference model: take the folded global expert back out
                result = result - F.linear(x, self.global_delta())
            return result
        length = x.shape[-2] if x.dim() >= 2 else 1
        x3 = x.reshape(-1, length, x.shape[-1])  # (..., L, d_in) -> (batch, L, d_in)
        visual, valid = self._masks(x3, routing)
        xa = x3.to(self.lora_A.dtype)
        if routing is not None and routing.reuse_lambdas and self.module_name in routing.lambdas:
            lam = routing.lambdas[self.module_name]  # cached decoding: λ of the prompt call
        else:
            lam = self.gate(pool_modalities(xa, visual, valid))  # (batch,)
            if routing is not None:
                routing.lambdas[self.module_name] = lam
        self.last_lambda = lam.detach()
        z = F.linear(self.dropout(xa), self.lora_A)  # (batch, L, d_in) -> (batch, L, r)
        vis = visual.to(z.dtype)  # (batch, L), exact 0/1
        s = self.scaling
        # per-token expert weights, (α/r) folded in: (α/r)·2λ·[t∈V] and (α/r)·2(1−λ)·[t∉V]
        w_visual = (2.0 * s * lam)[:, None] * vis  # (batch, L)
        w_nonvisual = (2.0 * s * (1.0 - lam))[:, None] * (1.0 - vis)  # (batch, L)
        columns = [w_visual, w_nonvisual]
        experts = [self.lora_B_visual, self.lora_B_nonvisual]
        if not self.merged:  # merged: (α/r)·B_g A already lives in W0
            columns.insert(0, torch.full_like(vis, s))
            experts.insert(0, self.lora_B_global)
        coef = torch.stack(columns, dim=-1)  # (batch, L, k), k = 3 experts (2 when merged)
        mixed = (z.unsqueeze(-2) * coef.unsqueeze(-1)).flatten(-2)  # (b, L, k, r) -> (b, L, k·r)
        # (batch, L, k·r) @ (k·r, d_out) -> (batch, L, d_out): all experts in one matmul
        update = F.linear(mixed, torch.cat(experts, dim=1)).to(result.dtype)
        return result + update.reshape(result.shape)

    def _masks(
        self, x3: torch.Tensor, routing: TokenRouting | None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        batch, length = x3.shape[0], x3.shape[1]
        if routing is None:  # outside modality_ids: every token is text (non-visual)
            return torch.zeros(batch, length, dtype=torch.bool, device=x3.device), None
        if tuple(routing.visual.shape) != (batch, length):
            raise InputError(
                f"modality ids give {tuple(routing.visual.shape)} tokens but layer "
                f"{self.module_name or '?'} received input of shape {tuple(x3.shape)}; if this "
                "layer is outside the language model, add it to MoSEConfig.exclude_modules",
                field="modality_ids",
            )
        return routing.visual, routing.valid

    def extra_repr(self) -> str:
        return (
            f"r={self.r}, scaling={self.scaling:g}, merged={self.merged}, disabled={self.disabled}"
        )
