"""Short human sentences naming the evidence behind a pair's relation and score."""

from __future__ import annotations

import numpy as np

from .profiles import ROLES


def best_phrase_pair(seeks: list[str], seek_vecs: np.ndarray | None,
                     offers: list[str], offer_vecs: np.ndarray | None) -> tuple[str, str, float] | None:
    """The (seek, offer, cosine) pair that matches best, or None when a side is empty."""
    if not seeks or not offers or seek_vecs is None or offer_vecs is None:
        return None
    sims = seek_vecs @ offer_vecs.T
    a, b = np.unravel_index(int(np.argmax(sims)), sims.shape)
    return seeks[a], offers[b], float(sims[a, b])


def pair_reasons(scorer, i: int, j: int, relation: str, c: dict[str, float], *,
                 third_person: bool = False) -> list[str]:
    """Reasons about member ``j`` addressed to member ``i`` ("you"), or, with
    ``third_person``, to someone introducing them (i's first name instead of "you")."""
    m = scorer.matrix_
    a, b = m.members[i], m.members[j]
    first = first_name(b.name)
    if third_person:
        you = You = first_name(a.name)
        seek, offer, are = "seeks", "offers", "is"
    else:
        you, You, seek, offer, are = "you", "You", "seek", "offer", "are"
    pv = m.phrase_vectors
    out: list[str] = []
    title_a = scorer.index_.title(scorer.codes_[i])
    masks = scorer.customer_masks_
    known = bool(c.get("customers_known", False))
    if relation == "competitor":
        out.append(
            f"{first} is in the same trade as {you} ({title_a}), serves the same market in the same "
            f"town, with near-identical offers: a pure competitor, so not introduced by default."
        )
        shared = scorer.segments_.names(int(masks[i]) & int(masks[j]))
        if known and shared:
            town = b.location or a.location
            out.append(f"Both serve {_join(shared)}" + (f" in {town}." if town else "."))
        return out
    if relation == "referral-partner":
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
        field = f"Same field as {you} ({title_a})"
        if shared and shared[0] == i:  # j's field, read in i's offers
            field = f"Same field ({scorer.index_.title(scorer.codes_[j])})"
        out.append(
            f"{field} but {' and '.join(what)}: "
            f"{first} focuses on \"{_clip(b.specialty)}\". They can refer work to each other."
        )
        if shared:
            carrier, k, code = shared
            phrase = m.members[carrier].offers[k]
            read_as = scorer.index_.title(code)
            if carrier == j:
                owner = "your" if not third_person else f"{you}'s"
                out.append(f"{first} also works in {owner} field: \"{phrase}\" ({read_as}).")
            else:
                works = "work" if not third_person else "works"
                out.append(f"{You} also {works} in {first}'s field: \"{phrase}\" ({read_as}).")
    theirs = best_phrase_pair(a.seeks, pv.get((i, "seeks")), b.offers, pv.get((j, "offers")))
    if theirs and theirs[2] >= 0.35:
        out.append(f"{first} offers {theirs[1]}, which is what {you} {seek}: {theirs[0]}.")
    yours = best_phrase_pair(b.seeks, pv.get((j, "seeks")), a.offers, pv.get((i, "offers")))
    if yours and yours[2] >= 0.35:
        out.append(f"{You} {offer} {yours[1]}, which {first} seeks: {yours[0]}.")
    if c["industry"] >= 0.2:
        evidence = scorer.index_.complement_evidence(scorer.codes_[i], scorer.codes_[j])
        if evidence:
            out.append(evidence)
    ra, rb = ROLES[scorer.roles_[i]], ROLES[scorer.roles_[j]]
    if c["synergy"] >= 0.6 or not out:
        from .roles import load_taxonomy

        out.append(f"{You} {are} {_article(ra)} {ra}, {first} {_article(rb)} {rb}: "
                   f"{load_taxonomy().reasons[(ra, rb)]}")
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
