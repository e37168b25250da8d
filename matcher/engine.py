"""The engine facade: the one API both the CLI and the HTTP service call.

It owns a :class:`~matcher.store.Store` and an encoder, and turns requests ("import these
members", "who should X meet") into calls on the small modules that do the work.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from .embedding import get_encoder, text_hash
from .profiles import Member
from .store import Store
from .vectors import MemberMatrix, member_texts, missing_texts

Progress = Callable[[int, int], None]  # (done, total)
MATRIX_MAX = 3000  # up to this many members, keep the n x n score matrix (exposure cap, pairing)
CONFUSED_SIM = 0.5  # specificity names as "confused with" the neighbours more similar than this
NEIGHBOURS = 3  # ... and at most this many (matcher.specificity's n_confused)


@dataclass(frozen=True)
class ImportReport:
    """Counts of an import, and from :meth:`Engine.import_file` also the ids created, the
    fields changed per updated member, how the file was read (``file``: format, encoding,
    delimiter, column -> field, unknown columns) and whether it was a dry run (nothing
    written; ``encoded`` then counts the texts that would be embedded)."""

    created: int
    updated: int
    unchanged: int
    encoded: int
    created_ids: tuple[str, ...] = ()
    changes: dict[str, list[str]] = field(default_factory=dict)
    file: dict[str, Any] = field(default_factory=dict)
    dry_run: bool = False

    def as_dict(self) -> dict[str, Any]:
        return {"created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "encoded": self.encoded,
                "created_ids": list(self.created_ids), "changes": dict(self.changes),
                "file": dict(self.file), "dry_run": self.dry_run}


class Engine:
    """Parameters
    ----------
    store : Store
    encoder : object with ``model_id`` and ``encode(texts, progress=None)``, optional
        Defaults to the shared ONNX encoder, loaded only when a text needs a vector.
    """

    def __init__(self, store: Store, *, encoder=None):
        self.store = store
        self._encoder = encoder
        self.stale_reads = 0  # scorer(None) calls answered while edits were pending

    @property
    def encoder(self):
        if self._encoder is None:
            self._encoder = get_encoder()
        return self._encoder

    @property
    def model_id(self) -> str:
        return self._encoder.model_id if self._encoder is not None else _default_model_id()

    # -- members -----------------------------------------------------------------------
    def embed_missing(
        self, members: Sequence[Member], *, progress: Progress | None = None
    ) -> dict[str, np.ndarray]:
        """Vectors for the texts of ``members`` that the cache lacks (hash -> vector)."""
        model_id = self.model_id
        todo = missing_texts(members, lambda hs: set(self.store.vectors(model_id, hs)))
        if not todo:
            return {}
        done = 0

        def tick(n: int) -> None:
            nonlocal done
            done += n
            if progress:
                progress(done, len(todo))

        vecs = self.encoder.encode(todo, progress=tick)
        return {text_hash(t): v for t, v in zip(todo, vecs, strict=True)}

    def import_members(
        self, members: Sequence[Member], *, progress: Progress | None = None,
        fields: dict[str, set[str]] | None = None, keep_fitted: bool = False,
    ) -> ImportReport:
        """Upsert validated ``members`` and cache vectors of any text not seen before; with
        ``fields`` (id -> names), existing members get only those fields written.

        Nothing is written unless everything is: vectors are computed first, then members and
        vectors land in one transaction. Edits of fields no score reads
        (:data:`~matcher.refresh.UNSCORED_FIELDS`) keep the fitted scorers; other edits drop
        them, unless ``keep_fitted``: then the community's scorer stays as it was (out of date
        for the members in :meth:`pending_edits`) until :meth:`refresh` and :meth:`install`
        bring it up to date. New members always drop the fitted scorers.
        """
        new = self.embed_missing(members, progress=progress)
        counts = self.store.save_import(list(members), new, model_id=self.model_id,
                                        fields=fields)
        self._written(members, keep_fitted=keep_fitted)
        return ImportReport(**counts, encoded=len(new))

    def import_file(self, parsed, *, dry_run: bool = False, event: str | None = None,
                    create_event: bool = False, email_scope: Sequence[str] | None = None,
                    progress: Progress | None = None) -> ImportReport:
        """Import a :class:`~matcher.importing.ParsedFile`: each row updates only the fields
        its file gives (absent columns keep their stored values). All or nothing; with
        ``dry_run`` nothing is written. With ``event``, the rows become its attendees and the
        file's explicit column mapping is remembered in the event's settings (an unknown
        event is created when ``create_event``, else NotFound). Rows whose id comes from
        their email update the member with that email, among ``email_scope`` (ids) if given;
        see :meth:`match_emails`."""
        from .errors import NotFound
        from .importing import plan

        new_event = False
        if event is not None:
            try:
                self.store.event(event)
            except NotFound:
                if not create_event:
                    raise
                new_event = True
        self.match_emails(parsed.rows, among=email_scope)
        stored = {m.id: m for m in self.store.members(parsed.ids())}
        todo = plan(parsed.rows, stored, parsed.errors, columns=parsed.columns)
        info = {"created_ids": tuple(todo.created), "changes": todo.changes,
                "file": parsed.describe(), "dry_run": dry_run}
        if dry_run:
            model_id = self.model_id
            texts = missing_texts(todo.members, lambda hs: set(self.store.vectors(model_id, hs)))
            return ImportReport(len(todo.created), len(todo.changes), todo.unchanged,
                                len(texts), **info)
        if new_event:
            self.store.create_event(event)
        report = replace(self.import_members(todo.members, progress=progress,
                                             fields=todo.given), **info)
        if event is not None:
            from .store import extra

            extra.set_attendance(self.store, event, add=[m.id for m in todo.members])
            if parsed.mapping:
                settings = dict(self.store.event(event).settings or {})
                settings["import_map"] = {**settings.get("import_map", {}), **parsed.mapping}
                self.store.update_event(event, settings=settings)
            self.invalidate()
        return report

    def match_emails(self, rows, *, among: Sequence[str] | None = None) -> None:
        """Give a row whose id was derived from its email the id of the stored member with
        that email (any letter case), so a list without ids never duplicates a member. Only
        members in ``among`` are matched when it is given (a host's own attendees: the
        profile of someone else's member is not theirs to change)."""
        derived = [r for r in rows if r.id_from == "email"]
        if not derived:
            return
        members = self.store.members(None if among is None else list(among))
        by_email = {m.email.casefold(): m.id for m in members if m.email}
        for r in derived:
            known = by_email.get(str(r.given.get("email", "")).strip().casefold())
            if known is not None:
                r.given["id"] = known

    def saved_mapping(self, event: str | None) -> dict[str, str]:
        """The column mapping remembered for ``event`` (empty without one)."""
        if event is None:
            return {}
        return dict((self.store.event(event).settings or {}).get("import_map", {}))

    def invalidate(self) -> None:
        """Forget cached scores (after members, attendance or history change)."""
        self.__dict__.pop("_scorers", None)
        self.__dict__.pop("_pending", None)

    # -- edits: keeping the fitted community up to date ---------------------------------
    def fitted(self) -> bool:
        """Is the community's scorer fitted (and kept)?"""
        return None in self.__dict__.get("_scorers", {})

    def pending_edits(self) -> dict[str, int]:
        """Members whose scored fields changed since the community's scorer was fitted (id ->
        the edit's sequence number); empty when the scorer is up to date."""
        return dict(self.__dict__.get("_pending", {}))

    def compare(self, members: Sequence[Member]) -> bool:
        """Compare the store's ``members`` (every member, e.g. after another process wrote)
        with the fitted community: scored edits become :meth:`pending_edits`. Returns False
        (and drops the fitted scorers) when the set of members differs or nothing is fitted."""
        community = self.__dict__.get("_scorers", {}).get(None)
        if community is None or {m.id for m in members} != set(community.scorer.matrix_.ids):
            self.invalidate()
            return False
        self._written(members, keep_fitted=True)
        return True

    def _written(self, members: Sequence[Member], *, keep_fitted: bool) -> None:
        from .refresh import scored_change

        snapshots = self.__dict__.get("_scorers", {})
        community = snapshots.get(None)
        if community is None:
            self.invalidate()
            return
        m = community.scorer.matrix_
        if any(member.id not in m for member in members):
            self.invalidate()  # a new member: every scorer is refitted on next use
            return
        edited = [x.id for x in members if scored_change(m.members[m.index(x.id)], x)]
        if not edited:
            return  # only fields no score reads
        if not keep_fitted:
            self.invalidate()
            return
        for event in [e for e in snapshots if e is not None]:
            del snapshots[event]  # an event's scorer is small: refitted on next use
        pending = self.__dict__.setdefault("_pending", {})
        self.__dict__["_edit_seq"] = seq = self.__dict__.get("_edit_seq", 0) + 1
        pending.update(dict.fromkeys(edited, seq))

    def refresh(self, pending: dict[str, int] | None = None):
        """The community's scorer refitted with the edits in ``pending`` (default:
        :meth:`pending_edits`), recomputing per-member insights only for the edited members
        and those whose specificity read them; not installed (see :meth:`install`). None when
        nothing is fitted or nothing is pending. Safe to call while other threads read the
        installed scorer: it changes nothing they use.
        """
        from .refresh import Refresh, replace_rows

        pending = self.pending_edits() if pending is None else dict(pending)
        old = self.__dict__.get("_scorers", {}).get(None)
        if old is None or not pending:
            return None
        ids = sorted(pending)
        old_matrix = old.scorer.matrix_
        rows = [old_matrix.index(i) for i in ids]
        matrix = replace_rows(old_matrix, rows, self.matrix(ids))
        insights = self._insights_after_edit(old.insights, matrix, rows)
        return Refresh(old=old, new=self._fit(matrix, insights, None),
                       members=frozenset(ids), pending=pending)

    def install(self, refresh) -> bool:
        """Make ``refresh.new`` the community's scorer, unless the scorer it replaces was
        dropped or replaced meanwhile (then False). Edits made since stay pending."""
        snapshots = self.__dict__.get("_scorers", {})
        if snapshots.get(None) is not refresh.old:
            return False
        snapshots[None] = refresh.new
        pending = self.__dict__.get("_pending", {})
        for member_id, seq in refresh.pending.items():
            if pending.get(member_id) == seq:
                del pending[member_id]
        return True

    def stale_answers(self, refresh, answers: dict[str, list[dict]], k: int) -> set[str]:
        """Which of ``answers`` (member id -> :meth:`recommend` answer with this ``k``,
        computed from ``refresh.old``) may differ under ``refresh.new``: see
        :mod:`matcher.refresh`. Call before :meth:`install`."""
        from .recommend import exposure_allowed
        from .refresh import stale_answers

        old, new = refresh.old, refresh.new
        allowed_old = allowed_new = None
        if new.S is not None:
            history = self._history_rows(new.scorer.matrix_)
            new.allowed = exposure_allowed(
                new.scorer, k, lambda row: self._exclusions(new, row, history), S=new.S, R=new.R)
            new.allowed_k = k
            allowed_old = old.allowed if old.allowed_k == k else None
            allowed_new = new.allowed
        return stale_answers(refresh, answers, k, allowed_old=allowed_old, allowed_new=allowed_new)

    def _insights_after_edit(self, insights: list[dict], matrix: MemberMatrix,
                             rows: list[int]) -> list[dict]:
        """``insights`` with the entries that an edit of ``rows`` can change recomputed: the
        edited members, and the members whose specificity compares them with an edited one
        (named among whom they are confused with, before or after)."""
        ids = {matrix.members[r].id for r in rows}
        spec = matrix.specialty
        redo = set(rows)
        redo |= {r for r, row in enumerate(insights)
                 if any(c["member_id"] in ids for c in row["confused_with"])}
        redo |= set(np.flatnonzero((spec[rows] @ spec.T > CONFUSED_SIM).any(axis=0)).tolist())
        redo = sorted(redo)
        # with each member its nearest neighbours, so that "confused with" is the community's
        near = np.argpartition(-(spec[redo] @ spec.T), min(NEIGHBOURS, len(matrix) - 1), axis=1)
        group = sorted(set(redo) | set(near[:, :NEIGHBOURS + 1].ravel().tolist()))
        fresh = self.insights(None, matrix=matrix.subset(group))
        out = list(insights)
        for pos, r in enumerate(group):
            if r in redo:
                out[r] = fresh[pos]
        return out

    def matrix(self, ids: Sequence[str] | None = None) -> MemberMatrix:
        """The vector view of the given members (all members by default)."""
        members = self.store.members(ids)
        if ids is not None:
            found = {m.id for m in members}
            missing = [i for i in ids if i not in found]
            if missing:
                from .errors import NotFound

                raise NotFound("member", missing[0])
            order = {i: k for k, i in enumerate(ids)}
            members.sort(key=lambda m: order[m.id])
        model_id = self.model_id
        hashes = [text_hash(t) for m in members for t in member_texts(m)]
        cache = self.store.vectors(model_id, hashes)
        if len(cache) < len(set(hashes)):  # e.g. members written by an older version
            new = self.embed_missing(members)
            self.store.put_vectors(new, model_id=model_id)
            cache.update(new)
        return MemberMatrix.build(members, lambda t: cache[text_hash(t)])


    def text_vectors(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of arbitrary texts through the store's cache; shape (len(texts), 384)."""
        model_id = self.model_id
        hashes = [text_hash(t) for t in texts]
        cache = self.store.vectors(model_id, hashes)
        todo = [t for t, h in zip(texts, hashes, strict=True) if h not in cache]
        if todo:
            new = {text_hash(t): v for t, v in zip(todo, self.encoder.encode(todo), strict=True)}
            self.store.put_vectors(new, model_id=model_id)
            cache.update(new)
        return np.stack([cache[h] for h in hashes]) if hashes else np.zeros((0, 384), np.float32)

    # -- roles, industries, specificity ----------------------------------------------------
    def member_ids(self, event: str | None = None) -> list[str] | None:
        """Attendees of ``event``, or None for the whole community."""
        return self.store.attendees(event) if event else None

    def taxonomy(self, event: str | None = None):
        from .roles import load_taxonomy

        overrides = self.store.event(event).settings.get("synergy") if event else None
        return load_taxonomy().with_overrides(overrides)

    def insights(self, event: str | None = None, *, matrix: MemberMatrix | None = None) -> list[dict]:
        """Per member: role (declared, inferred, used), industry, market, specificity."""
        from .industry import default_index
        from .occupations import default_occupations
        from .roles import RoleClassifier, assess, role_features
        from .roles.reading import read_markets
        from .specificity import GENERIC_PHRASES, specificity
        from .vectors import industry_query, profile_text, trade_text

        matrix = matrix if matrix is not None else self.matrix(self.member_ids(event))
        members = matrix.members
        if not members:  # an event nobody attends (yet)
            return []
        index = default_index()
        readings = read_markets([trade_text(m) for m in members], industry_query(matrix),
                                index=index, occupations=default_occupations())
        matches = [r.industry for r in readings]
        model = RoleClassifier.load()
        shares = [m.consumer_share for m in matches]
        markets = [m.market for m in matches]
        texts = [profile_text(m) for m in members]
        proba = model.predict_proba(role_features(matrix.profile, shares, markets), texts)
        roles = assess(
            [m.id for m in members], [m.role for m in members], proba,
            profiles=matrix.profile, industry_titles=[m.title for m in matches], markets=markets,
            model=model, taxonomy=self.taxonomy(event), texts=texts,
            occupations=[r.occupation.title for r in readings],
        )
        spec = specificity(
            [m.id for m in members], [m.name for m in members], [m.specialty for m in members],
            [m.location for m in members], matrix.specialty,
            self.text_vectors(list(GENERIC_PHRASES)), index.code_vectors([m.code for m in matches]),
            np.array([m.confidence for m in matches]),
        )
        out = []
        for member, role, match, sp, rd in zip(members, roles, matches, spec, readings,
                                               strict=True):
            out.append({
                "member_id": member.id, "name": member.name,
                "declared_role": role.declared_role, "inferred_role": role.inferred_role,
                "role": role.role, "confidence": role.confidence,
                "probabilities": role.probabilities, "ambiguous": role.ambiguous,
                "question": role.question, "mismatch": role.mismatch,
                "naics": {"code": match.code, "title": match.title},
                "naics_confidence": round(match.confidence, 4), "naics_evidence": match.evidence,
                "consumer_share": round(match.consumer_share, 4), "market": match.market,
                "occupation": {"code": rd.occupation.soc, "title": rd.occupation.title},
                "occupation_confidence": rd.occupation.confidence,
                "specificity": sp.score, "specificity_parts": sp.parts,
                "suggestions": sp.suggestions, "confused_with": sp.confused_with,
            })
        return out


    # -- pair scores and recommendations -----------------------------------------------
    def scorer(self, event: str | None = None):
        """A fitted PairScorer over the community (or an event's attendees), with its insights;
        cached on this engine per event."""
        cache = self.__dict__.setdefault("_scorers", {})
        if event is None and self.__dict__.get("_pending"):
            self.stale_reads += 1
        if event not in cache:
            matrix = self.matrix(self.member_ids(event))
            cache[event] = self._fit(matrix, self.insights(event, matrix=matrix), event)
        return cache[event]

    def _fit(self, matrix: MemberMatrix, insights: list[dict], event: str | None) -> _Scored:
        from .candidates import generator_for
        from .industry import default_index
        from .scoring import PairScorer

        scorer = PairScorer().fit(
            matrix, codes=[r["naics"]["code"] for r in insights],
            markets=[r["market"] for r in insights], roles=[r["role"] for r in insights],
            synergy=self.taxonomy(event).synergy, index=default_index(),
        )
        big = len(matrix) > MATRIX_MAX  # no n x n matrix: no exposure cap, no pairing
        S, R = (None, None) if big else scorer.score_matrix()
        candidates = generator_for(len(matrix)).fit(matrix, groups=scorer.roles_)
        return _Scored(scorer, insights, S, R, candidates)

    def _history_rows(self, matrix) -> dict[int, list[int]]:
        """Row -> rows it must not be introduced to: met before (history) or blocked."""
        out: dict[int, list[int]] = {}
        for a, b in self.store.met_pairs() | self.store.blocked_pairs():
            if a in matrix and b in matrix:
                ra, rb = matrix.index(a), matrix.index(b)
                out.setdefault(ra, []).append(rb)
                out.setdefault(rb, []).append(ra)
        return out

    def _exclusions(self, scored, i: int, history: dict | None = None) -> np.ndarray:
        """Bool mask of the rows member ``i`` must not be recommended."""
        matrix = scored.scorer.matrix_
        history = self._history_rows(matrix) if history is None else history
        mask = np.zeros(len(matrix), bool)
        mask[history.get(i, [])] = True
        return mask

    def recommend(self, member_id: str, k: int = 10, *, event: str | None = None,
                  allow_competitors: bool = False) -> list[dict]:
        """Who ``member_id`` should meet, best first, with relation and reasons."""
        return self.recommend_many([member_id], k, event=event,
                                   allow_competitors=allow_competitors)[member_id]

    def recommend_many(self, member_ids: Sequence[str], k: int = 10, *,
                       event: str | None = None, allow_competitors: bool = False,
                       progress: Progress | None = None) -> dict[str, list[dict]]:
        """:meth:`recommend` for each of ``member_ids`` (history is read once for all)."""
        from .recommend import exposure_allowed, recommend

        scored = self.scorer(event)
        m = scored.scorer.matrix_
        rows = [m.index(member_id) for member_id in member_ids]  # NotFound before any work
        history = self._history_rows(m)
        if scored.S is not None and (scored.allowed is None or scored.allowed_k != k):
            scored.allowed = exposure_allowed(
                scored.scorer, k, lambda row: self._exclusions(scored, row, history),
                S=scored.S, R=scored.R)
            scored.allowed_k = k
        out = {}
        for b, (member_id, i) in enumerate(zip(member_ids, rows, strict=True)):
            out[member_id] = recommend(
                scored.scorer, i, k, candidates=scored.candidates.candidates(i),
                excluded=self._exclusions(scored, i, history),
                allowed=None if scored.S is None else scored.allowed[i],
                allow_competitors=allow_competitors)
            if progress:
                progress(b + 1, len(rows))
        return out

    def explain(self, a: str, b: str, *, event: str | None = None) -> dict:
        from .recommend import explain

        scored = self.scorer(event)
        m = scored.scorer.matrix_
        row = explain(scored.scorer, m.index(a), m.index(b))
        row["already_met"] = bool(self._exclusions(scored, m.index(a))[m.index(b)])
        return row

    def helpable(self, member_id: str, k: int = 10, *, event: str | None = None) -> list[dict]:
        from .recommend import helpable

        scored = self.scorer(event)
        return helpable(scored.scorer, scored.scorer.matrix_.index(member_id), k)

    def introductions(self, member_id: str, k: int = 10) -> list[dict]:
        """Pairs among the people ``member_id`` has met who should meet each other."""
        from .recommend import introductions

        scored = self.scorer(None)
        m = scored.scorer.matrix_
        history = self.store.met_pairs()
        met = sorted({m.index(b if a == member_id else a) for a, b in history
                      if member_id in (a, b)})
        met_rows = {(min(m.index(a), m.index(b)), max(m.index(a), m.index(b))) for a, b in history}
        return introductions(scored.scorer, scored.S, scored.R, m.index(member_id), met,
                             met_pairs=met_rows, k=k)


    # -- events and pairings ----------------------------------------------------------
    def pairings(self, event: str | None = None, **options):
        """Schedule rounds of introductions; see :func:`matcher.events.run_pairings`."""
        from .events import run_pairings

        return run_pairings(self, event, **options)

    def save_run(self, run) -> int:
        """Keep an event's schedule in the store (the newest is the event's current one)."""
        from .store import extra

        if run.event is None:
            raise ValueError("only an event's schedule is kept; this one covers all members")
        return extra.save_pairing_run(self.store, run.event, run.to_document())

    def runs(self, event: str, limit: int = 2) -> list:
        """The newest ``limit`` saved schedules of ``event``, newest first."""
        from .events import PairingRun
        from .store import extra

        return [PairingRun.from_document(d) for d in extra.pairing_runs(self.store, event, limit)]

    def hold(self, run) -> int:
        """Mark a schedule as held: its meetings go into history (avoided next time)."""
        pairs = run.pairs()
        return self.store.add_meetings([(a, b) for a, b, _ in pairs], event_name=run.event,
                                       rounds=[r + 1 for _, _, r in pairs], source="event")

    def host_rule(self, event: str, rule: str, members: list[str], *, round_index: int = 0) -> dict:
        """Add a host rule to an event: ``lock`` a group into a round, ``forbid`` or ``force`` a
        pair. Rules live in the event's settings, so every re-run keeps them."""
        if rule not in ("lock", "forbid", "force"):
            raise ValueError(f"unknown rule {rule!r}; expected lock, forbid or force")
        attendees = set(self.store.attendees(event))
        unknown = [m for m in members if m not in attendees]
        if unknown:
            raise ValueError(f"{unknown[0]!r} is not an attendee of {event!r}")
        if rule != "lock" and len(members) != 2:
            raise ValueError(f"{rule} takes exactly two members, got {members!r}")
        settings = dict(self.store.event(event).settings)
        if rule == "lock":
            settings["locked"] = [*settings.get("locked", []),
                                  {"round": round_index, "members": sorted(members)}]
        else:
            key = {"forbid": "forbidden", "force": "forced"}[rule]
            settings[key] = [*settings.get(key, []), sorted(members)]
        self.store.update_event(event, settings=settings)
        return settings


@dataclass
class _Scored:
    scorer: object
    insights: list[dict]
    S: np.ndarray | None
    R: np.ndarray | None
    candidates: object
    allowed: np.ndarray | None = None
    allowed_k: int = 0


def _default_model_id() -> str:
    from .embedding import MODEL_NAME

    return MODEL_NAME

