"""rolecall: role clarity and matchmaking for business networking meetups."""

__version__ = "0.1.0"

from .engine import Engine, ImportReport
from .errors import ModelIntegrityError, NotFound, RolecallError, RowError, ValidationFailed
from .importing import parse_members, read_members
from .profiles import ROLES, Member, normalise_role
from .store import Store

__all__ = [
    "ROLES",
    "Engine",
    "ImportReport",
    "Member",
    "ModelIntegrityError",
    "NotFound",
    "RolecallError",
    "RowError",
    "Store",
    "ValidationFailed",
    "normalise_role",
    "parse_members",
    "read_members",
]
