"""Shared fixtures. The real embedding model is loaded once per test session."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from matcher.embedding import get_encoder
from matcher.engine import Engine
from matcher.importing import read_members
from matcher.store import Store

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "data" / "sample" / "members.csv"


@pytest.fixture(scope="session")
def encoder():
    """The real all-MiniLM-L6-v2 encoder (ONNX Runtime), shared by every test."""
    return get_encoder()


@pytest.fixture(scope="session")
def sample_members():
    return read_members(SAMPLE)


@pytest.fixture(scope="session")
def _sample_db_master(tmp_path_factory, encoder, sample_members):
    path = tmp_path_factory.mktemp("sample") / "sample.db"
    with Store(path) as store:
        Engine(store, encoder=encoder).import_members(sample_members)
    return path


@pytest.fixture
def sample_db(_sample_db_master, tmp_path):
    """A private copy of a database holding the imported sample meetup."""
    path = tmp_path / "sample.db"
    shutil.copy(_sample_db_master, path)
    return path


@pytest.fixture
def sample_engine(sample_db, encoder):
    store = Store(sample_db)
    yield Engine(store, encoder=encoder)
    store.close()


COMMUNITY_COLUMNS = ["id", "name", "specialty", "offers", "seeks", "location"]


@pytest.fixture
def community(tmp_path, encoder):
    """Build a small community from rows of COMMUNITY_COLUMNS; yields an engine over it."""
    stores = []

    def build(rows):
        path = tmp_path / f"c{len(stores)}.csv"
        with open(path, "w", newline="", encoding="utf-8") as fh:
            w = csv.writer(fh)
            w.writerow(COMMUNITY_COLUMNS)
            w.writerows(rows)
        store = Store(tmp_path / f"c{len(stores)}.db")
        stores.append(store)
        engine = Engine(store, encoder=encoder)
        engine.import_members(read_members(path))
        return engine

    yield build
    for s in stores:
        s.close()
