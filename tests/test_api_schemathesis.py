"""Property-based tests of the API against its own OpenAPI document (schemathesis):
no request the schema allows may produce a 5xx, and every response must match the schema.

Runs once per key scope (admin, app, host of event june, member m01), each on its own copy
of the sample meetup, so that what one scope deletes cannot hide a failure of another; few
examples per operation so the whole file stays around a minute.

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


SCOPES = ("admin", "app", "host", "member")


@pytest.fixture(scope="module", params=SCOPES)
def api_key(request, _sample_db_master, encoder, tmp_path_factory):
    """A key of one scope, on a fresh copy of the sample meetup with event june."""
    scope = request.param
    path = tmp_path_factory.mktemp(f"api_fuzz_{scope}") / "sample.db"
    shutil.copy(_sample_db_master, path)
    store = Store(path)
    store.create_event("june", attendees=[f"m{i:02d}" for i in range(1, 21)])
    bound = {"host": {"event": "june"}, "member": {"member_id": "m01"}}.get(scope, {})
    key = create_key(store, scope, **bound).secret
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
def test_api_conforms(case, api_key):
    case.call_and_validate(headers={"Authorization": f"Bearer {api_key}"}, checks=CHECKS)
