"""Errors and warnings of the pairing engine.

They hang off the engine's one exception tree (:class:`matcher.errors.RolecallError`)::

    RolecallError
    └── PairingError (also a ValueError)
        ├── ConstraintError           constraints contradict themselves (forced and forbidden, ...)
        └── InfeasibleScheduleError   a round cannot be seated without breaking a forbidden pair
"""

from __future__ import annotations

from matcher.errors import RolecallError


class PairingError(RolecallError, ValueError):
    """Base class of the pairing engine's errors (bad weights, bad arguments, ...)."""


class ConstraintError(PairingError):
    """The constraints contradict each other or name attendees that do not exist."""


class InfeasibleScheduleError(PairingError):
    """No seating of a round keeps every forbidden pair apart, even with repeats allowed.

    Attributes
    ----------
    round : int
        The 0-based round that could not be seated.
    attendees : list of int
        The attendees that were still to be seated in that round.
    """

    def __init__(self, round_index: int, attendees: list[int], detail: str = ""):
        self.round = round_index
        self.attendees = list(attendees)
        msg = (
            f"round {round_index + 1}: cannot seat {len(self.attendees)} attendee(s) without "
            "putting a forbidden pair at one table"
        )
        super().__init__(msg + (f" ({detail})" if detail else ""))


class PairingWarning(UserWarning):
    """A constraint had to be relaxed (forced pair deferred, repeat meeting allowed, ...)."""
