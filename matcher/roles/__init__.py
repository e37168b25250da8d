"""Meetup roles: the taxonomy, the classifier, and per-member assessments."""

from .assess import RoleAssessment, assess
from .classifier import RoleClassifier, role_features
from .taxonomy import Taxonomy, load_taxonomy

__all__ = ["RoleAssessment", "RoleClassifier", "Taxonomy", "assess", "load_taxonomy",
           "role_features"]
