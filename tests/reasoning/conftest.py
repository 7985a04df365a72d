"""Fixtures for reasoning tests: synthetic Evidence for named scenarios."""

from __future__ import annotations

import pytest

from synthetic_evidence import SCENARIOS, make_evidence


@pytest.fixture(params=SCENARIOS)
def any_evidence(request):
    return make_evidence(request.param)


@pytest.fixture
def evidence_factory():
    return make_evidence
