"""Every analysis result records what produced it: version, model digests, settings."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import emoreason
from emoreason import provenance as prov
from emoreason.assets.models import SHIPPED_MODEL_FILES
from emoreason.pipeline.report import report_html
from emoreason.reasoning.consistency_config import ConsistencyConfig
from emoreason.reasoning.rules import RulesConfig, RulesReasoner
from emoreason.schema import AnalysisResult, Evidence
from synthetic_evidence import make_evidence

PACKAGE = Path(emoreason.__file__).resolve().parent


def test_shipped_model_digests_match_an_independent_hash() -> None:
    digests = prov.model_digests()
    assert SHIPPED_MODEL_FILES  # the package ships its fitted models
    for relative in SHIPPED_MODEL_FILES.values():
        expected = hashlib.sha256((PACKAGE / relative).read_bytes()).hexdigest()
        assert digests[f"emoreason/{relative}"] == expected
    assert all(len(d) == 64 for d in digests.values())


def test_digests_are_computed_once_per_process(monkeypatch) -> None:
    prov.model_digests()  # warm
    calls = []
    monkeypatch.setattr("emoreason.assets.sha256_file", lambda *p: calls.append(p) or "0" * 64)
    for _ in range(3):
        prov.make_provenance()
    assert calls == []


def test_rules_result_records_version_digests_and_settings() -> None:
    config = RulesConfig(consistency=ConsistencyConfig(min_confidence=0.2))
    result = RulesReasoner(config).reason(make_evidence("masking"), "en")
    recorded = result.provenance
    assert recorded is not None and recorded.emoreason_version == emoreason.__version__
    assert recorded.models == prov.model_digests()
    assert recorded.consistency == dataclasses.asdict(config.consistency)
    again = AnalysisResult.model_validate_json(result.model_dump_json())
    assert again.provenance == recorded
    assert "Provenance" in report_html([result]) and emoreason.__version__ in report_html([result])


def test_perception_settings_travel_from_the_evidence() -> None:
    evidence = make_evidence("masking")
    stamped = Evidence.model_validate(
        {**evidence.model_dump(), "provenance": prov.make_provenance(perception={"fps": 2.0})}
    )
    result = RulesReasoner().reason(stamped, "en")
    assert result.provenance is not None and result.provenance.perception == {"fps": 2.0}
