"""The retention purge: tracks past their retention period are deleted for good.

`expired` lists them (the CLI's dry run: ids, dates and why, no names); `purge` deletes them
in batches, each batch its own short transaction, so the web's writes wait for one batch at
most, never for the whole purge. People left in nothing are deleted with them, and their
token caches (`forget_tokens`). Calendar events in Outlook stay: they are their owners'.
`daily` is the upkeep's entry: at most once a day, whichever worker comes first. Each tenant
keeps its own periods (its admin's stored terms, else the settings'): `TenantTerms`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from plugin.domain import retention
from plugin.services.context import Services, user_key
from plugin.services.privacy_terms import Terms, by_tenant
from plugin.store import privacy_purge as store
from plugin.store.audit_tables import audit_log, upkeep_runs
from plugin.store.schema import tracks

log = logging.getLogger(__name__)

#: Tracks per transaction: a few hundred talks, a fraction of a second on PostgreSQL.
BATCH_TRACKS = 100
AUDIT_BATCH = 5000
DAILY = "privacy_purge"
#: Forget a user's persisted tokens, by `user_key` (Microsoft mode's token caches).
ForgetTokens = Callable[[str], None]


@dataclass(frozen=True)
class TenantTerms:
    """The terms of each tenant: its admin's stored ones, else the settings' (`base`)."""

    base: Terms
    stored: dict[str, Terms] = field(default_factory=dict)

    def of(self, tenant_id: str | None) -> Terms:
        return self.stored.get(tenant_id or "", self.base)


def tenant_terms(session: Session, base: Terms) -> TenantTerms:
    """Every tenant's terms (one read)."""
    return TenantTerms(base, by_tenant(session, base))


@dataclass(frozen=True)
class Expired:
    """A track whose retention ended, and its talks (ids, dates, status)."""

    track_id: str
    last_activity: datetime | None
    delete_after: datetime | None
    talks: list[store.TalkLine]
    tenant_id: str = ""
    #: The retention period (months) of the track's tenant.
    retention_months: int = 0


@dataclass
class PurgeResult:
    tracks: int = 0
    talks: int = 0
    people: int = 0
    audit_entries: int = 0
    batches: int = 0
    #: Batch durations in seconds (the benchmark reads them).
    seconds: list[float] = field(default_factory=list)

    def summary(self) -> dict[str, int]:
        return {
            "tracks": self.tracks,
            "talks": self.talks,
            "people": self.people,
            "audit_entries": self.audit_entries,
        }


def _tenants(session: Session, track_ids: list[str] | None = None) -> dict[str, str]:
    only = [] if track_ids is None else [tracks.c.id.in_(track_ids)]
    return {
        row.id: row.tenant_id
        for row in session.execute(select(tracks.c.id, tracks.c.tenant_id).where(*only))
    }


def expired_ids(
    session: Session, now: datetime, terms: TenantTerms
) -> list[tuple[str, retention.Verdict]]:
    """The tracks past their own tenant's retention period, by id."""
    tenants = _tenants(session)
    out = []
    for track_id, facts in store.track_facts(session).items():
        months = terms.of(tenants.get(track_id)).retention_months
        verdict = retention.verdict(facts, now, months)
        if verdict.expired:
            out.append((track_id, verdict))
    return sorted(out, key=lambda item: item[0])


def expired(svc: Services, base: Terms) -> tuple[TenantTerms, list[Expired]]:
    """What a purge would delete now, and the terms it would apply (each tenant's own)."""

    def work(session: Session) -> tuple[TenantTerms, list[Expired]]:
        terms = tenant_terms(session, base)
        found = expired_ids(session, svc.clock.now(), terms)
        lines: dict[str, list[store.TalkLine]] = {}
        ids = [track_id for track_id, _ in found]
        tenants: dict[str, str] = {}
        for start in range(0, len(ids), 1000):
            chunk = ids[start : start + 1000]
            tenants.update(_tenants(session, chunk))
            for line in store.talks_of_tracks(session, chunk):
                lines.setdefault(line.track_id, []).append(line)
        return terms, [
            Expired(
                t,
                v.last_activity,
                v.delete_after,
                lines.get(t, []),
                tenants.get(t, ""),
                terms.of(tenants.get(t)).retention_months,
            )
            for t, v in found
        ]

    return svc.read(work)


def purge(
    svc: Services,
    base: Terms,
    *,
    forget_tokens: ForgetTokens | None = None,
    batch_tracks: int = BATCH_TRACKS,
) -> PurgeResult:
    """Delete every expired track (batch by batch) and audit entries past their period."""
    import time

    result = PurgeResult()
    terms, ids = svc.read(
        lambda s: (
            (t := tenant_terms(s, base)),
            [i for i, _ in expired_ids(s, svc.clock.now(), t)],
        )
    )
    for start in range(0, len(ids), batch_tracks):
        batch = ids[start : start + batch_tracks]
        began = time.perf_counter()
        tracks, talks, gone = svc.write(
            lambda s, batch=batch: _delete_batch(s, svc, batch, terms)  # type: ignore[misc]
        )
        result.seconds.append(time.perf_counter() - began)
        result.batches += 1
        result.tracks += tracks
        result.talks += talks
        result.people += len(gone)
        for person in gone:
            if forget_tokens is not None:
                forget_tokens(user_key(person.tenant_id, person.object_id))
    result.audit_entries = _purge_audit(svc, terms)
    if result.tracks or result.audit_entries:
        try:
            store.compact(svc.db.engine)
        except OperationalError:
            # Busy (SQLite): the rows are deleted already; the next purge that deletes
            # something rebuilds the file.
            log.warning("privacy purge: the database file could not be compacted now")
    log.info(
        "privacy purge: %s tracks, %s talks, %s people, %s audit entries in %s batches",
        result.tracks,
        result.talks,
        result.people,
        result.audit_entries,
        result.batches,
    )
    return result


def _purge_audit(svc: Services, terms: TenantTerms) -> int:
    """Audit entries past their tenant's period: the tenants with stored terms one by one,
    then every other tenant on the settings' period. How many went."""
    now = svc.clock.now()
    groups: list[tuple[Terms, ColumnElement[bool]]] = [
        (t, audit_log.c.tenant_id == tenant) for tenant, t in sorted(terms.stored.items())
    ]
    groups.append((terms.base, audit_log.c.tenant_id.not_in(sorted(terms.stored))))
    gone = 0
    for tenant_terms_, which in groups:
        before = retention.add_months(now, -tenant_terms_.audit_retention_months)
        while True:
            went = svc.write(
                lambda s, before=before, which=which: store.delete_audit_before(  # type: ignore[misc]
                    s, before, AUDIT_BATCH, which
                )
            )
            gone += went
            if went < AUDIT_BATCH:
                break
    return gone


def _delete_batch(
    session: Session, svc: Services, batch: list[str], terms: TenantTerms
) -> tuple[int, int, list[store.GonePerson]]:
    # Checked again inside the transaction: a talk planned since the listing keeps its track.
    now = svc.clock.now()
    tenants = _tenants(session, batch)
    still = [
        track_id
        for track_id, facts in store.track_facts(session, batch).items()
        if retention.verdict(facts, now, terms.of(tenants.get(track_id)).retention_months).expired
    ]
    talks, involved = store.delete_tracks(session, still)
    gone = store.delete_people_left_bare(session, involved)
    return len(still), talks, gone


def claim_daily(svc: Services, name: str = DAILY) -> bool:
    """True for the one caller that may run the daily job now (its last run is a day old, or
    there was none); the claim is recorded at once, so other workers skip it."""
    now = svc.clock.now()

    def work(session: Session) -> bool:
        moved = session.execute(
            update(upkeep_runs)
            .where(upkeep_runs.c.name == name, upkeep_runs.c.last_run_at <= now - timedelta(days=1))
            .values(last_run_at=now)
        )
        if moved.rowcount:  # type: ignore[attr-defined]
            return True
        exists = session.execute(upkeep_runs.select().where(upkeep_runs.c.name == name)).first()
        if exists is not None:
            return False
        # The first run ever; two workers inserting at once: one wins, the other's write is
        # retried by `Services.write` and then finds the row.
        session.execute(insert(upkeep_runs).values(name=name, last_run_at=now, summary={}))
        return True

    return svc.write(work)


def daily(
    svc: Services, base: Terms, *, forget_tokens: ForgetTokens | None = None
) -> PurgeResult | None:
    """The upkeep's purge: once a day (None when another run had it already)."""
    if not claim_daily(svc):
        return None
    result = purge(svc, base, forget_tokens=forget_tokens)
    svc.write(
        lambda s: s.execute(
            update(upkeep_runs).where(upkeep_runs.c.name == DAILY).values(summary=result.summary())
        )
    )
    return result
