"""One exception tree for the engine.

    RolecallError
    ├── ValidationFailed      one or more bad input rows (carries every RowError)
    ├── NotFound              an unknown member id, event name, ...
    ├── ModelIntegrityError   the embedding weights do not match their published sha256
    └── NotFittedError        a query on an estimator before ``fit``
"""

from __future__ import annotations

from dataclasses import dataclass


class RolecallError(Exception):
    """Base class of every error the engine raises on purpose."""


@dataclass(frozen=True)
class RowError:
    """One problem in one input row. ``row`` is 1-based over the data records."""

    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, field {self.field}: {self.message}"


class ValidationFailed(RolecallError):
    def __init__(self, errors: list[RowError]):
        self.errors = list(errors)
        lines = "\n".join(str(e) for e in self.errors)
        super().__init__(f"{len(self.errors)} invalid row(s); nothing was written\n{lines}")


class NotFound(RolecallError):
    def __init__(self, kind: str, key: object):
        self.kind, self.key = kind, key
        super().__init__(f"unknown {kind} {key!r}")


class ModelIntegrityError(RolecallError):
    """Raised when model weights on disk are not the ones we pinned."""


class NotFittedError(RolecallError, ValueError):
    """Raised when an estimator is queried before it was fitted."""
