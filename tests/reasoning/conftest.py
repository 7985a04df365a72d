"""Fixtures for reasoning tests: synthetic Evidence for named scenarios."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from synthetic_evidence import SCENARIOS, make_evidence


@pytest.fixture(params=SCENARIOS)
def any_evidence(request):
    return make_evidence(request.param)


@pytest.fixture
def evidence_factory():
    return make_evidence
