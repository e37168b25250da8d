"""Property-based tests of the API against its own OpenAPI document (schemathesis):
no request the schema allows may produce a 5xx, and every response must match the schema.

Runs with an admin key on a private copy of the sample meetup; few examples per operation
so the whole file stays well under a minute.

(The schema is loaded eagerly at import: ``schemathesis.pytest.from_fixture`` relies on a
pytest-internal attribute that pytest 9 removed. Schemathesis keeps the app's lifespan
running from then on, over a throw-away store; the fixture below swaps in the
engine on the prepared database before any case runs.)
"""

from __future__ import annotations

import atexit
import shutil
import tempfile

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
)

from matcher.engine import Engine
from matcher.keys import create_key
from matcher.store import Store
from service.app import create_app
from service.deps import Runtime
from service.settings import Settings

CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]
_SCRATCH = tempfile.mkdtemp(prefix="rolecall-fuzz-")
atexit.register(shutil.rmtree, _SCRATCH, ignore_errors=True)
APP = create_app(settings=Settings(db=f"{_SCRATCH}/scratch.db"))
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)


@pytest.fixture(scope="module")
def admin_key(_sample_db_master, encoder, tmp_path_factory):
    path = tmp_path_factory.mktemp("api_fuzz") / "sample.db"
    shutil.copy(_sample_db_master, path)
    store = Store(path)
    store.create_event("june", attendees=[f"m{i:02d}" for i in range(1, 21)])
    key = create_key(store, "admin").secret
    with TestClient(APP):  # the lifespan has run (schemathesis keeps one open anyway)
        previous = APP.state.runtime
        APP.state.runtime = Runtime(Engine(store, encoder=encoder))
        try:
            yield key
        finally:
            APP.state.runtime = previous
            store.close()


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_api_conforms(case, admin_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {admin_key}"}, checks=CHECKS)
