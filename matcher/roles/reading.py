"""Read each member's occupation, industry and market from their text: the one place that
combines :mod:`matcher.occupations`, :mod:`matcher.industry` and :mod:`matcher.market`.

The engine, the trainer and the evaluation all call :func:`read_markets`, so a member is read the
same way everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..industry import IndustryMatch
from ..market import MarketModel, market_features
from ..occupations import OccupationMatch

__all__ = ["MarketReading", "read_markets"]


@dataclass(frozen=True)
class MarketReading:
    """One member's reading. ``industry`` is an :class:`IndustryMatch` whose ``consumer_share``
    is the market model's P(consumers) and whose ``market`` follows from it; its code is the
    occupation's typical industry when the occupation is read more surely than the text's
    nearest NAICS phrases. ``raw_industry`` is the plain nearest-phrase reading (the baseline)."""

    industry: IndustryMatch
    occupation: OccupationMatch
    raw_industry: IndustryMatch
    p_consumers: float


def read_markets(texts: list[str], vectors: np.ndarray, *, index, occupations,
                 model: MarketModel | None = None) -> list[MarketReading]:
    """Occupation, industry and market of each text. ``vectors`` : ndarray of shape (n, 384),
    the texts' sentence vectors (the member's trade text: headline, specialty, offers)."""
    model = model or MarketModel.load()
    if len(texts) == 0:
        return []
    raw = index.infer(vectors)
    occ = occupations.infer(texts, vectors)
    X = market_features(texts, vectors, raw, occ, model.prototypes)
    p, markets = model.predict_proba(X), model.predict(X)
    out = []
    for r, o, pc, market in zip(raw, occ, p, markets, strict=True):
        pc = float(pc)
        ind = r
        if o.confidence > r.confidence:
            ind = replace(r, code=o.naics, title=o.naics_title,
                          evidence=[f"O*NET occupation: {o.title}", *o.evidence[:2]])
        ind = replace(ind, consumer_share=round(pc, 4), market=market)
        out.append(MarketReading(industry=ind, occupation=o, raw_industry=r, p_consumers=pc))
    return out
