"""The role classifier: multinomial logistic regression over a profile's sentence vector, its
market features and TF-IDF word and bigram weights of its text (role cues such as "by day",
"hiring" or "retired" that a sentence vector dilutes), with temperature scaling for calibrated
probabilities.

Persisted as plain arrays (``.npz``, loaded with ``allow_pickle=False``): coefficients,
intercepts, the temperature, the TF-IDF vocabulary and idf weights, and the labelled
exemplars' vectors (to say *why* a profile reads like a role: the nearest labelled profile).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax

from ..errors import NotFittedError
from ..profiles import ROLES

MODEL_PATH = Path(__file__).resolve().parents[2] / "models" / "role_classifier.npz"
MARKET_WEIGHT = 2.0  # scales the 4 market features against the 384 unit-vector dims
TFIDF_WEIGHT = 2.0  # scales the (unit-length) TF-IDF block against the sentence vector
NGRAMS = (1, 2)


class Tfidf:
    """TF-IDF (sublinear tf, L2-normalised rows) whose state is two plain arrays."""

    def __init__(self, vocabulary: np.ndarray, idf: np.ndarray):
        from sklearn.feature_extraction.text import CountVectorizer

        self.vocabulary, self.idf = vocabulary, idf
        self._counts = CountVectorizer(ngram_range=NGRAMS, vocabulary=list(vocabulary))

    @classmethod
    def fit(cls, texts: list[str]) -> Tfidf:
        from sklearn.feature_extraction.text import TfidfVectorizer

        vec = TfidfVectorizer(ngram_range=NGRAMS, min_df=2, sublinear_tf=True).fit(texts)
        return cls(vec.get_feature_names_out(), vec.idf_.astype(np.float32))

    def transform(self, texts: list[str]):
        from sklearn.preprocessing import normalize

        counts = self._counts.transform(texts).astype(np.float32)
        counts.data = 1.0 + np.log(counts.data)
        return normalize(counts.multiply(self.idf).tocsr())


def role_features(profile: np.ndarray, consumer_share: np.ndarray, market: list[str]) -> np.ndarray:
    """Feature matrix of shape (n, 388): profile vector, consumer share, market one-hot."""
    consumer_share = np.asarray(consumer_share, dtype=np.float32).reshape(-1, 1)
    onehot = np.array([[m == "businesses", m == "consumers", m == "both"] for m in market],
                      dtype=np.float32).reshape(-1, 3)
    return np.hstack([profile, MARKET_WEIGHT * consumer_share, MARKET_WEIGHT * onehot]).astype(np.float32)


class RoleClassifier:
    """Parameters
    ----------
    C : float
        Inverse regularisation strength of the logistic regression.
    random_state : int
        Seed for the cross-validation folds used to fit the temperature.

    Attributes
    ----------
    classes_ : tuple of str, the five roles
    coef_ : ndarray of shape (5, n_features)
    intercept_ : ndarray of shape (5,)
    temperature_ : float
    exemplars_ : ndarray of shape (n_train, 384), exemplar_roles_, exemplar_texts_
    """

    def __init__(self, *, C: float = 10.0, random_state: int = 0):
        self.C = C
        self.random_state = random_state

    def _design(self, X: np.ndarray, texts: list[str]):
        from scipy.sparse import csr_matrix, hstack

        return hstack([csr_matrix(X), TFIDF_WEIGHT * self.tfidf_.transform(texts)]).tocsr()

    def fit(self, X: np.ndarray, texts: list[str], y: list[str], *, groups=None):
        """X : ndarray of shape (n, 388) from :func:`role_features`; texts : profile texts;
        groups : optional group per row (e.g. the occupation): the temperature is then fitted
        on out-of-fold logits of folds that keep each group whole (unseen occupations)."""
        y = np.asarray(y)
        unknown = set(y) - set(ROLES)
        if unknown:
            raise ValueError(f"unknown role labels {sorted(unknown)}; expected {ROLES}")
        codes = np.array([ROLES.index(r) for r in y])
        # out-of-fold logits for the temperature (each fold refits TF-IDF too)
        from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

        logits = np.zeros((len(y), len(ROLES)))
        if groups is None:
            splits = StratifiedKFold(5, shuffle=True, random_state=self.random_state).split(X, y)
        else:
            splits = StratifiedGroupKFold(5, shuffle=True, random_state=self.random_state).split(
                X, y, groups=np.asarray(groups))
        for tr, te in splits:
            inner = RoleClassifier(C=self.C)._fit_plain(X[tr], [texts[i] for i in tr], y[tr])
            logits[te] = inner.decision_function(X[te], [texts[i] for i in te])
        self._fit_plain(X, texts, y)
        self.temperature_ = _fit_temperature(logits, codes)
        self.exemplars_ = X[:, :384].astype(np.float32)
        self.exemplar_roles_ = y
        self.exemplar_texts_ = np.array(texts)
        return self

    def _fit_plain(self, X, texts, y):
        from sklearn.linear_model import LogisticRegression

        self.tfidf_ = Tfidf.fit(list(texts))
        lr = LogisticRegression(C=self.C, max_iter=3000, class_weight="balanced")
        lr.fit(self._design(X, list(texts)), y)
        order = [list(lr.classes_).index(r) for r in ROLES]  # LR sorts its classes
        self.coef_ = lr.coef_[order].astype(np.float32)
        self.intercept_ = lr.intercept_[order].astype(np.float32)
        self.classes_ = ROLES
        self.temperature_ = 1.0
        return self

    def _check(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFittedError("RoleClassifier is not fitted; call fit() or load()")

    def decision_function(self, X: np.ndarray, texts: list[str]) -> np.ndarray:
        self._check()
        return np.asarray(self._design(X, texts) @ self.coef_.T) + self.intercept_

    def predict_proba(self, X: np.ndarray, texts: list[str]) -> np.ndarray:
        """Calibrated probabilities, shape (n, 5), columns in :data:`ROLES` order."""
        return softmax(self.decision_function(X, texts) / self.temperature_, axis=1)

    def predict(self, X: np.ndarray, texts: list[str]) -> list[str]:
        return [ROLES[i] for i in self.predict_proba(X, texts).argmax(axis=1)]

    def cue_words(self, text: str, role: str, other: str, n: int = 3) -> list[str]:
        """Words or word pairs of ``text`` that most favour ``role`` over ``other`` (their
        TF-IDF weight times the coefficient difference), strongest first; only positive ones."""
        self._check()
        row = self.tfidf_.transform([text])
        a, b = ROLES.index(role), ROLES.index(other)
        k = self.coef_.shape[1] - len(self.tfidf_.vocabulary)
        diff = self.coef_[a, k:] - self.coef_[b, k:]
        idx, w = row.indices, row.data * TFIDF_WEIGHT * diff[row.indices]
        from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

        picked: list[str] = []
        for j in np.argsort(-w):
            term = str(self.tfidf_.vocabulary[idx[j]])
            if w[j] <= 0.05 or len(picked) == n:
                break
            if all(t in ENGLISH_STOP_WORDS or t in ("offers", "seeks") for t in term.split()):
                continue
            if any(term in p or p in term for p in picked):
                continue
            picked.append(term)
        return picked

    def nearest_exemplar(self, profile: np.ndarray, role: str) -> tuple[str, float]:
        """The labelled profile of ``role`` closest to ``profile`` (text, cosine)."""
        self._check()
        mask = self.exemplar_roles_ == role
        sims = self.exemplars_[mask] @ profile
        k = int(np.argmax(sims))
        return str(self.exemplar_texts_[mask][k]), float(sims[k])

    def save(self, path: Path = MODEL_PATH) -> Path:
        self._check()
        np.savez_compressed(
            path, coef=self.coef_, intercept=self.intercept_,
            temperature=np.array(self.temperature_), classes=np.array(self.classes_),
            C=np.array(self.C), exemplars=self.exemplars_.astype(np.float16),
            vocabulary=np.asarray(self.tfidf_.vocabulary, dtype=str), idf=self.tfidf_.idf,
            exemplar_roles=np.asarray(self.exemplar_roles_, dtype=str),
            exemplar_texts=np.asarray(self.exemplar_texts_, dtype=str),
        )
        return path

    @classmethod
    def load(cls, path: Path = MODEL_PATH) -> RoleClassifier:
        if not Path(path).is_file():
            raise NotFittedError(f"no role model at {path}; run `matcher train-roles`")
        with np.load(path, allow_pickle=False) as z:
            if tuple(z["classes"]) != ROLES:
                raise ValueError(f"{path} was trained on roles {tuple(z['classes'])}")
            model = cls(C=float(z["C"]))
            model.coef_, model.intercept_ = z["coef"], z["intercept"]
            model.temperature_ = float(z["temperature"])
            model.tfidf_ = Tfidf(z["vocabulary"], z["idf"])
            model.classes_ = ROLES
            model.exemplars_ = z["exemplars"].astype(np.float32)
            model.exemplar_roles_, model.exemplar_texts_ = z["exemplar_roles"], z["exemplar_texts"]
        return model


def _fit_temperature(logits: np.ndarray, codes: np.ndarray) -> float:
    def nll(t: float) -> float:
        return -log_softmax(logits / t, axis=1)[np.arange(len(codes)), codes].mean()

    return float(minimize_scalar(nll, bounds=(0.05, 20.0), method="bounded").x)
