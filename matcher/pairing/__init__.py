"""Pre-event pairing: who meets whom in each round of a meetup.

Independent of the rest of the engine: give it a pair-score matrix (any scorer) and the
constraints, get a :class:`Schedule` back.

>>> import numpy as np
>>> from matcher.pairing import schedule
>>> w = np.array([[0, .9, .1, .2], [.9, 0, .3, .1], [.1, .3, 0, .8], [.2, .1, .8, 0]])
>>> schedule(w, rounds=1).rounds
[[[0, 1], [2, 3]]]

Modules: :mod:`.engine` (``schedule``), :mod:`.pairs` (1:1 rounds), :mod:`.tables` (tables of
N), :mod:`.matching` and :mod:`.tutte` (matching building blocks), :mod:`.sizes` (table sizes),
:mod:`.constraints`, :mod:`.metrics` (``evaluate``, ``compare``), :mod:`.export` (JSON, CSV,
HTML, iCalendar).
"""

from .constraints import PairingConstraints
from .engine import AUTO_EXACT_MAX, schedule
from .errors import ConstraintError, InfeasibleScheduleError, PairingError, PairingWarning
from .metrics import compare, evaluate
from .result import Schedule
from .sizes import table_sizes

__all__ = [
    "AUTO_EXACT_MAX",
    "ConstraintError",
    "InfeasibleScheduleError",
    "PairingConstraints",
    "PairingError",
    "PairingWarning",
    "Schedule",
    "compare",
    "evaluate",
    "schedule",
    "table_sizes",
]
