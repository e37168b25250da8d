"""Meetup roles: the taxonomy, the classifier, and per-member assessments."""

from .assess import RoleAssessment, assess
from .classifier import RoleClassifier, role_features
from .reading import MarketReading, read_markets
from .taxonomy import Taxonomy, load_taxonomy

__all__ = ["MarketReading", "RoleAssessment", "RoleClassifier", "Taxonomy", "assess",
           "load_taxonomy", "read_markets", "role_features"]
