"""Live panels' conditional requests, and the per-process cache of talk versions behind them."""

from __future__ import annotations

from plugin.domain.agreement import Owner
from plugin.services import agreements, talks
from plugin.store.db import Database, make_engine
from plugin.web.stamps import TalkStamps


def test_live_answers_304_until_the_talk_changes(client_for, lead, learner, make_talk, clock):
    talk = make_talk(lead, learner)
    marco, sem = client_for(lead), client_for(learner)
    first = marco.get(f"/api/talks/{talk.id}/live")
    assert first.status_code == 200
    etag = first.headers["ETag"]
    assert (
        marco.get(f"/api/talks/{talk.id}/live", headers={"If-None-Match": etag}).status_code == 304
    )

    added = sem.post(f"/api/talks/{talk.id}/agreements", json={"what": "Nieuwe afspraak"})
    assert added.status_code == 201
    changed = marco.get(f"/api/talks/{talk.id}/live", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert [a["what"] for a in changed.json["agreements"]] == ["Nieuwe afspraak"]


def test_every_kind_of_change_moves_the_etag(client_for, lead, learner, make_talk, clock):
    """Confirming or reacting changes only an agreement row; the panel must still see it."""
    talk = make_talk(lead, learner)
    marco, sem = client_for(lead), client_for(learner)
    item = marco.post(f"/api/talks/{talk.id}/agreements", json={"what": "Afspraak"}).json

    def etag():
        return marco.get(f"/api/talks/{talk.id}/live").headers["ETag"]

    before = etag()
    confirmed = sem.post(
        f"/api/talks/{talk.id}/agreements/{item['id']}/confirm", json={"version": item["version"]}
    ).json
    after_confirm = etag()
    assert after_confirm != before
    sem.post(
        f"/api/talks/{talk.id}/agreements/{item['id']}/reaction",
        json={"version": confirmed["version"], "reaction": "Goed"},
    )
    assert etag() != after_confirm


def test_live_refuses_outsiders_and_other_tenants(
    client_for, make_person, lead, learner, make_talk
):
    talk = make_talk(lead, learner)
    outsider = client_for(make_person())
    assert outsider.get(f"/api/talks/{talk.id}/live").status_code == 404
    stranger = client_for(make_person(tenant_id="other-tenant"))
    assert stranger.get(f"/api/talks/{talk.id}/live").status_code == 404


def test_the_cache_takes_local_changes_and_refreshes_others(
    services, db_url, lead, learner, make_talk, clock
):
    talk = make_talk(lead, learner)
    told: list[list[tuple[str, str, int]]] = []

    def on_new_versions(moved: list[tuple[str, str, int]]) -> None:
        # Told before the stamp moves: a poll meanwhile still sees the version it had.
        assert stamps.stamp(talk.tenant_id, talk.id) == local
        told.append(moved)

    # No background refresh during the test.
    stamps = TalkStamps(services.db, interval=3600, on_new_versions=on_new_versions)
    services.db.talk_listeners.append(stamps.learn)
    version = stamps.stamp(talk.tenant_id, talk.id)
    assert version is not None
    assert version[1:] == (lead.id, learner.id)
    assert stamps.stamp("other-tenant", talk.id) is None
    assert stamps.stamp(talk.tenant_id, "no-such-talk") is None

    # A change through this process's database is seen at once.
    services.write(
        lambda s: agreements.add_agreement(
            services, s, lead, talk.id, what="Lokaal", owner=Owner.BOTH, due=None
        )
    )
    local = stamps.stamp(talk.tenant_id, talk.id)
    assert local is not None and local[0] > version[0]
    assert local[0] == services.read(lambda s: talks.load_talk(s, lead, talk.id)).version
    stamps.refresh()
    assert told == [], "a change of this process is no news to it"

    # A change by another process is seen after the next refresh, not before.
    other = Database(make_engine(db_url))
    with other.writing() as session:
        found = talks.load_talk(session, lead, talk.id)
        found.add_agreement(
            learner.id,
            what="Elders",
            owner=Owner.BOTH,
            due=None,
            today=clock.now().date(),
            new_id=services.new_id(),
            now=clock.now(),
        )
    other.dispose()
    assert stamps.stamp(talk.tenant_id, talk.id) == local
    stamps.refresh()
    remote = stamps.stamp(talk.tenant_id, talk.id)
    assert remote is not None and remote[0] > local[0]
    assert told == [[(talk.tenant_id, talk.id, remote[0])]]
    stamps.stop()
