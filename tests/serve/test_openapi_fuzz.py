"""Schemathesis against /openapi.json: generated requests to every operation (fake analyser).

Bounded: a few examples per operation, no shrinking, against a synthetic analyser (no models).
Checks: no 5xx, status codes, content types, headers and bodies as the schema declares them.
"""

from __future__ import annotations

import pytest

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis (dev extra) not installed")
from hypothesis import HealthCheck, Phase, settings  # noqa: E402
from schemathesis.checks import (  # noqa: E402
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from emoreason.serve import ServeConfig, create_app  # noqa: E402
from emoreason.serve.testing import synthetic_analyzers  # noqa: E402

app = create_app(ServeConfig(max_upload_bytes=64 * 1024, queue_size=4), synthetic_analyzers())
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
]


@schema.parametrize()
@settings(
    max_examples=12,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_as_its_schema_says(case) -> None:
    case.call_and_validate(checks=CHECKS)
