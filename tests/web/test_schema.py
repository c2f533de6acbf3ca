"""Property tests of the JSON API against its own OpenAPI schema (schemathesis, bounded).

Every generated request, valid or not, must get a documented status, a body matching the
schema (errors included: one error body), and never a server error.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

# schemathesis drives ASGI apps through starlette's TestClient, which warns about httpx.
pytestmark = pytest.mark.filterwarnings("ignore:Using `httpx` with `starlette.testclient`")
_SETTINGS = settings(
    max_examples=10,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)


def _check_operation(operation: Any, mode: GenerationMode) -> None:
    @_SETTINGS
    @given(case=operation.as_strategy(generation_mode=mode))
    def check(case: Any) -> None:
        # Cursors are opaque: a schema-valid string that is no cursor is rightly a 400.
        case.call_and_validate(excluded_checks=[positive_data_acceptance])

    check()


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_api_matches_its_schema(app: Any, mode: GenerationMode) -> None:
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    operations: list[Any] = [r.ok() for r in schema.get_all_operations()]  # type: ignore[union-attr]
    assert len(operations) == 9
    tested = []
    for operation in operations:
        try:
            _check_operation(operation, mode)
        except Unsatisfiable:
            # No invalid input exists (GET /health; a free-form id in the path).
            assert mode is GenerationMode.NEGATIVE
            continue
        tested.append(operation.label)
    assert len(tested) >= (9 if mode is GenerationMode.POSITIVE else 4), tested
