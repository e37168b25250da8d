"""Who a member's customers are: businesses, consumers or both, from three kinds of evidence.

- the **industry** of the text (NAICS nearest phrases, :mod:`matcher.industry`) and its BEA
  consumer share;
- the **occupation** read from the text (O*NET titles, :mod:`matcher.occupations`) and its
  employment-weighted consumer share (where BLS OEWS says the occupation works);
- the **audience words** of the text: whom it says it serves ("for dog owners", "patients",
  "for vertical SaaS", "B2B"), as word cues and as the cosine to audience prototype phrases,
  and whether it addresses the reader ("your") as app-store and brand copy does;
- the text's **sentence vector** itself (384 dims), which carries the register of a consumer
  app or brand vs a business product beyond any word list.

A logistic regression (:class:`MarketModel`) weighs them into P(consumers). The market is
``both`` only when the evidence really is mixed: the text names consumer *and* business
customers ("for families and small businesses", "homes and offices"); otherwise it is the side
P(consumers) leans to (``consumers`` at or above :data:`CONSUMERS_AT`). An uncertain P is not
evidence of a mixed market, so a bare "Plumber" reads as one side, with its probability shown.
Persisted as plain arrays in ``models/role_market.npz``.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np

from .errors import NotFittedError

__all__ = ["FEATURES", "MarketModel", "audience_cues", "market_features", "market_from_p",
           "mixed_audience"]

MODEL_PATH = Path(__file__).resolve().parents[1] / "models" / "role_market.npz"
CONSUMERS_AT = 0.5

CONSUMER_AUDIENCE = (
    "for individuals and families", "patients", "for homeowners", "for parents and kids",
    "for pet owners", "for couples", "for seniors and their families", "for students",
    "for travelers", "for women", "consumers and shoppers", "for people in our neighborhood",
)
BUSINESS_AUDIENCE = (
    "for businesses", "for companies and their teams", "B2B software for enterprises",
    "for startups", "for small business owners", "for employers", "for restaurants and retailers",
    "for manufacturers and distributors", "for law firms and medical practices",
    "for developers", "for sales teams", "for hospitals and clinics",
)
_CONSUMER_WORDS = {
    "patient", "patients", "pts", "family", "families", "homeowner", "homeowners",
    "homes", "parent", "parents", "kid", "kids", "child", "children", "toddlers", "teen", "teens",
    "women", "men", "couples", "individuals", "seniors", "elderly", "adults", "athletes",
    "brides", "wedding", "diners", "guests", "travelers", "travellers", "pets", "pet", "dog",
    "dogs", "cats", "residents", "neighbors", "personal", "household", "households",
    "consumers", "shoppers", "fans", "smiles", "clientele", "moms", "dads", "babies",
    "retirees", "veterans", "singles", "runners", "homebuyers", "renters", "consumer",
    "d2c", "dtc", "residential", "weddings", "birthdays", "friends", "roommates", "beginners",
}
WINDOW = 6  # words after a customer-naming word ("for", "to", "serving") that name the audience
_BUSINESS_WORDS = {
    "business", "businesses", "biz", "companies", "company", "enterprise", "enterprises",
    "startups", "startup", "teams", "team", "employers", "merchants", "firms", "firm",
    "hospitals", "clinics", "practices", "restaurants", "manufacturers", "contractors",
    "developers", "engineers", "retailers", "brands", "agencies", "nonprofits", "schools",
    "offices", "fleets", "3pls", "distributors", "carriers", "lenders", "banks", "insurers",
    "saas", "fintech", "organizations", "organisations", "vendors", "suppliers", "accounting",
    "hr", "sales", "marketing", "operators", "landlords", "builders", "architects",
    "corporations", "plants", "warehouses", "stores", "shops",
}
_BUSINESS_ANYWHERE = {"b2b", "saas", "api", "enterprise", "commercial", "corporate", "wholesale",
                      "industrial", "b2b2c", "payroll", "compliance", "procurement", "invoicing"}
# words that make a text about a product rather than a practitioner: "software for dentists"
# sells to dental practices even though dentists serve consumers
_PRODUCT_WORDS = {"app", "apps", "software", "platform", "api", "saas", "tool", "tools",
                  "marketplace", "dashboard", "automation", "plugin", "crm", "portal",
                  "subscription", "tooling", "analytics", "ai", "startup", "sdk", "service"}
_TRIGGERS = {"for", "serving", "serve", "serves", "to", "help", "helps", "helping", "with",
             "clients", "customers", "advises", "advise", "represents", "represent"}
_SECOND_PERSON = {"you", "your", "yours", "you're", "youre"}
_TOKEN = re.compile(r"[a-z0-9]+")

FEATURES = (
    "industry_share", "industry_confidence", "industry_share_x_conf",
    "occupation_share", "occupation_confidence", "occupation_share_x_conf",
    "audience_cosine", "consumer_cues", "business_cues", "product_words",
    "occupation_x_product", "second_person",
)


def product_words(text: str) -> float:
    """How many product words ("app", "software", "API", "platform"...) ``text`` has."""
    return float(sum(w in _PRODUCT_WORDS for w in _TOKEN.findall(text.lower())))


def second_person(text: str) -> float:
    """How often ``text`` addresses the reader ("you", "your"): app-store and brand copy."""
    return float(sum(w in _SECOND_PERSON for w in _TOKEN.findall(text.lower())))


def mixed_audience(text: str) -> bool:
    """True when ``text`` names both consumer and business customers (see
    :func:`audience_cues`): the only evidence that makes a market ``both``."""
    consumer, business = audience_cues(text)
    return consumer > 0 and business > 0


def audience_cues(text: str) -> tuple[float, float]:
    """(consumer cue count, business cue count) of ``text``. Consumer words count anywhere
    ("patients", "homeowners"); business words only within WINDOW words after a word that names
    the customers ("for", "serving", "helps"...), so "practices at Lakeside Dental Clinic" is
    not a business cue but "software for dental practices" is; a few words (B2B, SaaS, API,
    commercial, payroll) count anywhere."""
    words = _TOKEN.findall(text.lower())
    consumer = business = 0.0
    after = -10
    for i, w in enumerate(words):
        if w in _TRIGGERS:
            after = i
        if w in _BUSINESS_ANYWHERE or (w in _BUSINESS_WORDS and i - after <= WINDOW):
            business += 1
        elif w in _CONSUMER_WORDS and not _PRODUCT_WORDS & set(words[i + 1:i + 5]):
            consumer += 1  # ... unless it only qualifies a product ("patient scheduling app")
    return consumer, business


def market_features(texts: list[str], vectors: np.ndarray, industry: list, occupation: list,
                    prototypes: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """Feature matrix of shape (n, len(FEATURES) + 384): the named features, then the sentence
    vector. ``industry`` : IndustryMatch per text;
    ``occupation`` : OccupationMatch per text; ``prototypes`` : the consumer and business
    audience phrases' unit vectors."""
    v = np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)
    cons, bus = prototypes
    aud = (v @ cons.T).max(axis=1) - (v @ bus.T).max(axis=1)
    cues = np.array([audience_cues(t) for t in texts], dtype=np.float64).reshape(-1, 2)
    prod = np.log1p([product_words(t) for t in texts])
    you = np.log1p([second_person(t) for t in texts])
    ish = np.array([m.consumer_share for m in industry])
    ico = np.array([m.confidence for m in industry])
    osh = np.array([m.consumer_share for m in occupation])
    oco = np.array([m.confidence for m in occupation])
    return np.column_stack([
        ish - 0.5, ico, (ish - 0.5) * ico, osh - 0.5, oco, (osh - 0.5) * oco,
        10 * aud, np.log1p(cues[:, 0]), np.log1p(cues[:, 1]), prod,
        (osh - 0.5) * oco * prod, you, v,
    ]).astype(np.float64)


def market_from_p(p: float, *, mixed: bool = False) -> str:
    """'both' if the text names both kinds of customer (``mixed``, see
    :func:`mixed_audience`), else 'consumers' if P(consumers) >= CONSUMERS_AT, else
    'businesses'."""
    if mixed:
        return "both"
    return "consumers" if p >= CONSUMERS_AT else "businesses"


class MarketModel:
    """P(the member's customers are consumers) from :func:`market_features`.

    Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.

    Attributes
    ----------
    coef_ : ndarray of shape (len(FEATURES) + 384,)
    intercept_ : float
    consumer_prototypes_, business_prototypes_ : ndarray of shape (12, 384)
    """

    def __init__(self, *, C: float = 1.0):
        self.C = C

    def fit(self, X: np.ndarray, y: list[str], prototypes: tuple[np.ndarray, np.ndarray]):
        """X : (n, len(FEATURES) + 384), see :func:`market_features`; y : 'consumers' or
        'businesses' per row."""
        from sklearn.linear_model import LogisticRegression

        y = np.asarray(y)
        bad = set(y) - {"consumers", "businesses"}
        if bad:
            raise ValueError(f"market labels must be 'consumers' or 'businesses', got {sorted(bad)}")
        lr = LogisticRegression(C=self.C, max_iter=2000, class_weight="balanced")
        lr.fit(X, y == "consumers")
        self.coef_ = lr.coef_[0].astype(np.float64)
        self.intercept_ = float(lr.intercept_[0])
        self.consumer_prototypes_, self.business_prototypes_ = prototypes
        return self

    @property
    def prototypes(self) -> tuple[np.ndarray, np.ndarray]:
        self._check()
        return self.consumer_prototypes_, self.business_prototypes_

    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("MarketModel is not fitted; call fit() or load()")

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """P(consumers) per row, shape (n,)."""
        self._check()
        return 1.0 / (1.0 + np.exp(-(np.asarray(X) @ self.coef_ + self.intercept_)))

    def predict(self, X: np.ndarray) -> list[str]:
        """Market per row; 'both' where the audience-cue columns show both kinds of customer."""
        X = np.asarray(X)
        mixed = (X[:, FEATURES.index("consumer_cues")] > 0) & (X[:, FEATURES.index("business_cues")] > 0)
        return [market_from_p(float(p), mixed=bool(m))
                for p, m in zip(self.predict_proba(X), mixed, strict=True)]

    def save(self, path: Path = MODEL_PATH) -> Path:
        self._check()
        np.savez_compressed(path, coef=self.coef_, intercept=np.array(self.intercept_),
                            C=np.array(self.C), features=np.array(FEATURES),
                            consumer_prototypes=self.consumer_prototypes_.astype(np.float32),
                            business_prototypes=self.business_prototypes_.astype(np.float32))
        return path

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> MarketModel:
        if not Path(path).is_file():
            raise NotFittedError(f"no market model at {path}; run `matcher train-roles`")
        with np.load(path, allow_pickle=False) as z:
            if tuple(z["features"]) != FEATURES:
                raise ValueError(f"{path} was trained on features {tuple(z['features'])}")
            model = cls(C=float(z["C"]))
            model.coef_, model.intercept_ = z["coef"], float(z["intercept"])
            model.consumer_prototypes_ = z["consumer_prototypes"]
            model.business_prototypes_ = z["business_prototypes"]
        return model
