"""What produced a result: the emoreason version, the model files' digests and the settings of
perception and consistency analysis (so two results can be compared, or a run repeated)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Provenance(BaseModel):
    """Recorded in every :class:`~emoreason.schema.evidence.Evidence`, analysis result and
    evaluation report (built by :func:`emoreason.provenance.make_provenance`)."""

    model_config = ConfigDict(extra="forbid")

    emoreason_version: str
    models: dict[str, str] = Field(
        default_factory=dict, description="model or model file -> SHA-256 of its content"
    )
    perception: dict[str, Any] = Field(
        default_factory=dict, description="PerceptionConfig fields (empty: not recorded)"
    )
    consistency: dict[str, Any] = Field(
        default_factory=dict, description="ConsistencyConfig fields (empty: not recorded)"
    )
