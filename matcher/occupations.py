"""Occupation knowledge: which O*NET occupation (SOC) a member's text describes, where that
occupation works (BLS OEWS sectors -> a typical NAICS industry) and whom it serves (BEA
consumer share, employment-weighted).

Everything is numpy and dict look-ups over the precomputed files in ``data/occupations/``
(built by ``python -m matcher.occupations_build``; see the README there). Callers pass the
texts and their vectors (from :func:`matcher.embedding.get_encoder`); nothing is embedded here.

This product includes information from the O*NET 30.1 Database by the U.S. Department of Labor,
Employment and Training Administration (USDOL/ETA). Used under the CC BY 4.0 license.

>>> from matcher.embedding import get_encoder
>>> occ = default_occupations()
>>> [m] = occ.infer(["Dr. Lee practices at Lakeside Family Dental"],
...                 get_encoder().encode(["Dr. Lee practices at Lakeside Family Dental"]))
>>> m.soc, m.market
('29-1021', 'consumers')
"""

from __future__ import annotations

import csv
import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from .embedding.weights import DIM, MODEL_NAME
from .errors import RolecallError
from .industry import exact_top_k

__all__ = ["OccupationDataError", "OccupationIndex", "OccupationMatch", "default_occupations"]

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "occupations"
K = 10  # nearest embedded titles that vote
TEMPERATURE = 0.04  # vote weight exp((sim - best) / T)
FIT_LOW, FIT_HIGH = 0.35, 0.75  # cosine of the best title -> fit ramp 0..1
MAX_NGRAM = 6
LEXICAL_WEIGHT = 0.8  # share of the vote given to exact title matches when there are any
_CHUNK = 1024
_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
# single-word titles that name a position, not an occupation ("Owner", "Manager", "Partner")
_GENERIC = {"owner", "manager", "director", "partner", "president", "founder", "consultant",
            "associate", "assistant", "specialist", "supervisor", "lead", "head", "chief",
            "officer", "agent", "representative", "rep", "worker", "helper", "technician",
            "analyst", "coordinator", "administrator", "operator", "principal", "advisor",
            "adviser", "executive", "member", "staff", "employee", "intern", "student", "ceo",
            "coo", "cfo", "vp", "dr", "doctor", "md", "pa", "pt", "ma", "it", "pr", "hr"}


class OccupationDataError(RolecallError):
    """The files in data/occupations are missing or stale (re-run the builder)."""


@dataclass(frozen=True)
class OccupationMatch:
    """The occupation read from one text. ``evidence``: the titles that matched (exact title
    look-ups first, then the nearest embedded titles); ``naics``: the occupation's typical
    industry; ``consumer_share``: BEA consumer share weighted by OEWS sector employment."""

    code: str
    soc: str
    title: str
    confidence: float
    naics: str
    naics_title: str
    consumer_share: float
    market: str
    evidence: list[str]


def normalise(text: str) -> str:
    return " ".join(_TOKEN.findall(text.lower().replace("&", " and ")))


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class OccupationIndex:
    """O*NET occupations, their titles (exact look-up) and title vectors (nearest titles)."""

    def __init__(self, *, rows: list[dict], lexicon: dict[str, list[int]],
                 title_vectors: np.ndarray, title_occ: np.ndarray, title_text: list[str]):
        self.rows = rows
        self.codes = [r["code"] for r in rows]
        self.shares = np.array([float(r["consumer_share"]) for r in rows])
        self.lexicon = lexicon
        self.title_vectors = title_vectors
        self.title_occ = title_occ
        self.title_text = title_text
        self._pos = {c: i for i, c in enumerate(self.codes)}
        self._first_words = {t.split(" ", 1)[0] for t in lexicon}

    @classmethod
    def load(cls, folder: str | Path | None = None) -> OccupationIndex:
        folder = Path(folder) if folder else DATA_DIR
        try:
            with open(folder / "occupations.csv", encoding="utf-8", newline="") as fh:
                rows = list(csv.DictReader(fh))
            with open(folder / "titles.csv", encoding="utf-8", newline="") as fh:
                titles = list(csv.DictReader(fh))
            z = np.load(folder / "title_vectors.npz", allow_pickle=False)
        except FileNotFoundError as exc:
            raise OccupationDataError(f"occupation data missing ({exc.filename}); run "
                                      "`python -m matcher.occupations_build`") from exc
        with z:
            v = {k: z[k] for k in z.files}
        stale = None
        if str(v["model_id"]) != MODEL_NAME:
            stale = f"model {v['model_id']!s}, expected {MODEL_NAME}"
        elif str(v["titles_sha256"]) != _sha256(folder / "titles.csv"):
            stale = "titles.csv changed since the vectors were computed"
        elif str(v["occupations_sha256"]) != _sha256(folder / "occupations.csv"):
            stale = "occupations.csv changed since the vectors were computed"
        if stale:
            raise OccupationDataError(f"{folder / 'title_vectors.npz'} is stale ({stale}); "
                                      "re-run `python -m matcher.occupations_build`")
        pos = {r["code"]: i for i, r in enumerate(rows)}
        lexicon: dict[str, list[int]] = {}
        for t in titles:
            key = normalise(t["title"])
            if not key or (" " not in key and key in _GENERIC):
                continue
            occ = lexicon.setdefault(key, [])
            if pos[t["code"]] not in occ:
                occ.append(pos[t["code"]])
        tv = v["title_vectors"].astype(np.float32) * v["title_scale"][:, None]
        tv /= np.linalg.norm(tv, axis=1, keepdims=True)
        return cls(rows=rows, lexicon=lexicon, title_vectors=tv,
                   title_occ=np.array([pos[c] for c in v["title_code"]], dtype=np.int64),
                   title_text=[str(t) for t in v["title_text"]])

    def __len__(self) -> int:
        return len(self.rows)

    def row(self, code: str) -> dict:
        return self.rows[self._pos[code]]

    def socs(self) -> list[str]:
        return [r["soc"] for r in self.rows]

    # ------------------------------------------------------------------ inference
    def lexical(self, text: str) -> dict[int, float]:
        """Exact O*NET title matches in ``text``: occupation row -> weight. A matched span
        counts len(words) (longer titles are more specific), split among the occupations that
        share the title; spans inside a longer matched span are skipped."""
        words = normalise(text).split()
        starts = [i for i, w in enumerate(words) if w in self._first_words]
        found: list[tuple[int, int, list[int]]] = []
        for n in range(min(MAX_NGRAM, len(words)), 0, -1):
            for i in starts:
                if i + n > len(words) or (found and any(a <= i and i + n <= b
                                                        for a, b, _ in found)):
                    continue
                occ = self.lexicon.get(" ".join(words[i:i + n]))
                if occ:
                    found.append((i, i + n, occ))
        score: dict[int, float] = {}
        for a, b, occ in found:
            for o in occ:
                score[o] = score.get(o, 0.0) + (b - a) / len(occ)
        return score

    def infer(self, texts: list[str], vectors: np.ndarray) -> list[OccupationMatch]:
        """The occupation of each text (one match per row) from exact title matches and the
        k nearest embedded titles. ``vectors`` : ndarray of shape (n, 384), the texts' vectors."""
        q = np.asarray(vectors, dtype=np.float32).reshape(-1, DIM)
        if len(q) != len(texts):
            raise ValueError(f"{len(texts)} texts but {len(q)} vectors")
        q = q / np.clip(np.linalg.norm(q, axis=1, keepdims=True), 1e-12, None)
        out = []
        if "_search" not in self.__dict__:
            self._search = exact_top_k(self.title_vectors)
        for lo in range(0, len(q), _CHUNK):
            ts, top = self._search(q[lo:lo + _CHUNK], K)
            for r in range(len(top)):
                out.append(self._combine(texts[lo + r], top[r], ts[r]))
        return out

    def _combine(self, text: str, top: np.ndarray, ts: np.ndarray) -> OccupationMatch:
        w = np.exp((ts - ts[0]) / TEMPERATURE)
        votes: dict[int, float] = {}
        for j, wj in zip(top, w, strict=True):
            o = int(self.title_occ[j])
            votes[o] = votes.get(o, 0.0) + float(wj)
        total = sum(votes.values())
        emb = {o: v / total for o, v in votes.items()}
        fit = float(np.clip((ts[0] - FIT_LOW) / (FIT_HIGH - FIT_LOW), 0.0, 1.0))
        lex = self.lexical(text)
        if lex:
            lt = sum(lex.values())
            strength = min(1.0, max(lex.values()) / 2.0)  # a two-word title match is sure
            a = LEXICAL_WEIGHT
            keys = set(emb) | set(lex)
            score = {o: (1 - a) * emb.get(o, 0.0) + a * lex.get(o, 0.0) / lt for o in keys}
            fit = max(fit, strength)
        else:
            score = emb
        best = max(score, key=lambda o: (score[o], -o))
        row = self.rows[best]
        evidence = [self.title_text[j] for j in top if self.title_occ[j] == best][:3]
        share = float(row["consumer_share"])
        return OccupationMatch(
            code=row["code"], soc=row["soc"], title=row["title"],
            confidence=round(float(score[best]) * fit, 4), naics=row["naics"],
            naics_title=row["naics_title"], consumer_share=share, market=row["market"],
            evidence=evidence,
        )


@lru_cache(maxsize=1)
def default_occupations() -> OccupationIndex:
    """The process-wide occupation index over ``data/occupations`` (loaded once)."""
    return OccupationIndex.load()
