"""Short human sentences naming the evidence behind a pair's relation and score.

Every sentence says only what the evidence supports:

- "B offers X, which is what you seek: Y" (or "B's work, "...", answers what you seek: Y")
  only when that phrase pair's cosine (an offer or the specialty, never pooled text) reaches
  the need-answer claim threshold, calibrated on the hand-written need-offer set for precision
  >= 0.95 at 95% confidence (:class:`~matcher.pairs.need_fit.NeedFit`);
  weaker need matches are left out;
- shared customers are said as such ("You both serve restaurants and bars");
- no industry title or BEA statistic: the industry read from a member's own words is right at
  the 4-digit NAICS level only about half the time on held-out profiles (`matcher eval roles`
  sets), too often to state as fact ("Same field (Automobile ... Wholesalers)" for two
  software start-ups); fields are said in the members' own words instead, and the industry
  reading stays a scored feature;
- the role prior only for a complement or a peer (a hedged "may"), so no reason contradicts
  the relation shown;
- every pair keeps at least one reason.
"""

from __future__ import annotations

from dataclasses import dataclass
from weakref import WeakKeyDictionary

import numpy as np

from .places import Towns
from .profiles import ROLES

_TOWNS: WeakKeyDictionary = WeakKeyDictionary()  # scorer -> the towns of its members


@dataclass(frozen=True)
class NeedAnswer:
    """The best answer one member gives to one of another's seeks."""

    seek: str  # the seeker's phrase
    answer: str  # the answering phrase as shown (an offer, or who they are)
    kind: str  # "offer" or "identity"
    cosine: float


def need_answer(scorer, i: int, j: int) -> NeedAnswer | None:
    """How ``j`` best answers a seek of ``i``: over i's seek phrases and j's single phrases
    (each offer, the specialty; never the pooled trade text, which the claim threshold was not
    calibrated on); None if i has no seeks."""
    m = scorer.matrix_
    q = scorer.seek_phrases_.of(i)
    if not len(q):
        return None
    offers = scorer.offer_phrases_.of(j)
    answers = np.concatenate([offers, m.specialty[j][None, :]])
    sims = q @ answers.T
    first = scorer.seek_phrases_.start[i]
    serving = scorer._serving_not_being(np.arange(first, first + len(q)), np.full(len(q), j))
    sims[serving] = -np.inf
    if scorer._both_self(i, np.array([j]))[0]:  # two job seekers: only offers answer
        sims[:, len(offers):] = -np.inf
    if not np.isfinite(sims).any():
        return None
    a, b = np.unravel_index(int(np.argmax(sims)), sims.shape)
    seeks = scorer.seek_phrases_.texts_of(i)
    member = m.members[j]
    if b < len(offers):
        text, kind = scorer.offer_phrases_.texts_of(j)[b], "offer"
    else:
        text, kind = member.specialty, "identity"
    return NeedAnswer(seeks[a], text, kind, float(sims[a, b]))


def claimed(scorer, i: int, j: int) -> NeedAnswer | None:
    """:func:`need_answer` if it reaches the claim threshold, names no other town than the
    seek does ("operators in San Antonio" does not answer "owners in East Austin") and, when
    the answering offer names the industries it serves, is for the seeker's: the seeker is in
    one of them or the seek names it ("bookkeeping for restaurants and bars" does not answer a
    dentist's "bookkeeping for my practice", nor a furniture maker's); else None."""
    ans = need_answer(scorer, i, j)
    if ans is None or not bool(scorer.need_fit_.claims(ans.cosine)):
        return None
    if towns_of(scorer).conflict(ans.seek, ans.answer):
        return None
    if ans.kind == "offer":  # an offer for named kinds of business answers only them
        seg = scorer.segments_
        named = np.uint64(seg.mask(ans.answer) & seg.industries)
        asked = np.uint64(seg.mask(ans.seek))
        if named and not (named & (scorer.own_segments_[i] | asked)):
            return None
    return ans


def towns_of(scorer) -> Towns:
    """The towns of the scorer's members (:class:`~matcher.places.Towns`), made once."""
    towns = _TOWNS.get(scorer)
    if towns is None:
        towns = _TOWNS[scorer] = Towns().fit([m.location for m in scorer.matrix_.members])
    return towns


def answer_sentence(ans: NeedAnswer, who: str, whom: str, *, you_answer: bool) -> str:
    """'{who} offers X, which is what {whom} seek(s): Y' and the identity variant."""
    if you_answer:  # "You offer X, which Dana seeks: Y."
        if ans.kind == "offer":
            return f"You offer {ans.answer}, which {whom} seeks: {ans.seek}."
        return f"Your work (\"{_clip(ans.answer)}\") answers what {whom} seeks: {ans.seek}."
    verb = "seek" if whom == "you" else "seeks"
    if ans.kind == "offer":
        return f"{who} offers {ans.answer}, which is what {whom} {verb}: {ans.seek}."
    return f"{who}'s work (\"{_clip(ans.answer)}\") answers what {whom} {verb}: {ans.seek}."


def pair_reasons(scorer, i: int, j: int, relation: str, c: dict[str, float], *,
                 third_person: bool = False) -> list[str]:
    """Reasons about member ``j`` addressed to member ``i`` ("you"), or, with
    ``third_person``, to someone introducing them (i's first name instead of "you")."""
    m = scorer.matrix_
    a, b = m.members[i], m.members[j]
    first = first_name(b.name)
    if third_person:
        you = You = first_name(a.name)
        are = "is"
    else:
        you, You, are = "you", "You", "are"
    out: list[str] = []
    masks = scorer.customer_masks_
    known = bool(c.get("customers_known", False))
    shared = scorer.segments_.names(int(masks[i]) & int(masks[j])) if known else []
    if relation == "competitor":
        out.append(
            f"{first} does the same work as {you}, for the same market in the same town, with "
            f"near-identical offers: a pure competitor, so not introduced by default."
        )
        if shared:
            town = b.location or a.location
            out.append(f"Both serve {_join(shared)}" + (f" in {town}." if town else "."))
        return out
    if relation == "referral-partner":
        out.extend(_field_reasons(scorer, i, j, c, you, You, first, third_person, known))
    theirs = claimed(scorer, i, j)
    if theirs:
        out.append(answer_sentence(theirs, first, you, you_answer=False))
    yours = claimed(scorer, j, i)
    if yours:
        if third_person:
            out.append(answer_sentence(yours, You, first, you_answer=False))
        else:
            out.append(answer_sentence(yours, You, first, you_answer=True))
    if shared and relation != "referral-partner":
        both = "You both serve" if not third_person else "Both serve"
        out.append(f"{both} {_join(shared)}.")
    ra, rb = ROLES[scorer.roles_[i]], ROLES[scorer.roles_[j]]
    if (relation == "complement" and c["synergy"] >= 0.6) or not out:
        from .roles import load_taxonomy

        out.append(f"{You} {are} {_article(ra)} {ra}, {first} {_article(rb)} {rb}: "
                   f"{load_taxonomy().reasons[(ra, rb)]}")
    return out


def _field_reasons(scorer, i, j, c, you, You, first, third_person, known) -> list[str]:
    m = scorer.matrix_
    b = m.members[j]
    masks = scorer.customer_masks_
    out = []
    what = []
    if not c["same_locality"] or scorer.localities_[i] != scorer.localities_[j]:
        what.append(f"a different area ({b.location or 'elsewhere'})")
    if known and c.get("customer_overlap", 0.0) <= 0:
        what.append(f"different customers ({_join(scorer.segments_.names(masks[j]))} rather "
                    f"than {_join(scorer.segments_.names(masks[i]))})")
    elif scorer.markets_[i] != scorer.markets_[j]:
        what.append(f"different customers ({scorer.markets_[j]} rather than {scorer.markets_[i]})")
    if not what:
        what.append("a different niche")
    shared = None if c["same_naics4"] else scorer.fields_.shared(i, j)
    out.append(
        f"Related work but {' and '.join(what)}: "
        f"{first} focuses on \"{_clip(b.specialty)}\". They can refer work to each other."
    )
    if shared:
        carrier, k, _ = shared
        phrase = m.members[carrier].offers[k]
        if carrier == j:
            owner = "your" if not third_person else f"{you}'s"
            out.append(f"{first} also works in {owner} field: \"{phrase}\".")
        else:
            works = "work" if not third_person else "works"
            out.append(f"{You} also {works} in {first}'s field: \"{phrase}\".")
    return out


def first_name(name: str) -> str:
    """'Dr. Elena Ruiz' -> 'Elena': the first word that is not a title."""
    words = [w for w in name.split() if not w.endswith(".")]
    return words[0] if words else name


def _article(role: str) -> str:
    return "an" if role[0] in "aeiou" else "a"


def _join(names: list[str], n: int = 2) -> str:
    """'a', 'a, b', or 'a, b and others' for more than ``n`` (labels say "and" themselves:
    "restaurants and bars")."""
    return ", ".join(names[:n]) + (" and others" if len(names) > n else "")


def _clip(text: str, n: int = 80) -> str:
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"
