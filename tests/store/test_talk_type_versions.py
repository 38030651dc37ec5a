"""Migration 0015: talks planned before types kept their versions get the development talk's
checklist as their version; a version is kept once, whatever number of talks use it."""

from __future__ import annotations

import json
from datetime import timedelta
from importlib.resources import files

from alembic import command
from sqlalchemy import select, update

from plugin.domain.checklist import content_hash
from plugin.services.talk_types import talk_template
from plugin.store import migrate, repo
from plugin.store.schema import talks
from plugin.store.talk_type_tables import talk_type_versions

COPY = files("plugin").joinpath("store", "migrations", "data", "0015_ontwikkelgesprek.json")


def _rows(services):
    with services.db.engine.connect() as connection:
        return connection.execute(select(talk_type_versions)).all()


def test_talks_from_before_get_the_development_talk_as_their_version(
    services, lead, learner, make_talk
):
    first = make_talk(lead, learner)
    second = make_talk(lead, learner, starts_at=services.clock.now() + timedelta(days=9))
    engine = services.db.engine
    command.downgrade(migrate.alembic_config(engine), "0014")
    with engine.begin() as connection:
        # As 0014's app wrote it: the one checklist's id.
        connection.execute(update(talks).values(template_id="default"))
    migrate.upgrade(engine)

    copy = json.loads(COPY.read_text(encoding="utf-8"))
    (row,) = _rows(services)
    assert row.content == copy and row.type_id == "ontwikkelgesprek"
    assert row.content_hash == content_hash(copy)
    for talk_id in (first.id, second.id):
        talk = services.read(lambda s, i=talk_id: repo.talk(s, lead.tenant_id, i))
        assert talk is not None and talk.template_id == row.content_hash
        template = services.read(lambda s, t=talk: talk_template(services, s, t))
        assert template.ordered_item_ids()[0] == "goals.learn"


def test_an_empty_database_gets_no_version(services):
    engine = services.db.engine
    command.downgrade(migrate.alembic_config(engine), "0014")
    migrate.upgrade(engine)
    assert _rows(services) == []


def test_a_version_is_kept_once(services, lead, learner, make_talk):
    for day in (1, 2, 3):
        make_talk(lead, learner, starts_at=services.clock.now() + timedelta(days=day))
    make_talk(lead, learner, talk_type="inwerkgesprek", goals=["goals.start"])
    assert sorted(row.type_id for row in _rows(services)) == ["inwerkgesprek", "ontwikkelgesprek"]
