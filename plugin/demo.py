"""A small demo organisation for local mode: five people, one signed talk, one upcoming talk.

Running it again adds nothing twice: people are found by their fixed identities, and the talks
are only made when their tracks do not exist yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from plugin.domain.agreement import Owner
from plugin.domain.clock import FixedClock
from plugin.domain.people import LOCAL_TENANT, Person
from plugin.identity.feeds import feed_token
from plugin.identity.local import issue_signin_token
from plugin.services import agreements, sharing, signoff, talks
from plugin.services.context import Services
from plugin.store import repo


@dataclass(frozen=True)
class DemoPerson:
    key: str
    name: str
    email: str
    job_title: str
    external: bool = False


PEOPLE = (
    DemoPerson(
        "praktijkopleider", "Marco de Vries", "marco@installatiebedrijf.example", "Praktijkopleider"
    ),
    DemoPerson(
        "leidinggevende",
        "Anouk Jansen",
        "anouk@installatiebedrijf.example",
        "Leidinggevende service",
    ),
    DemoPerson(
        "stagiair", "Sem Bakker", "sem@installatiebedrijf.example", "Stagiair (BBL, eerste jaar)"
    ),
    DemoPerson(
        "nieuwe-medewerker",
        "Fatima El Amrani",
        "fatima@installatiebedrijf.example",
        "Monteur (nieuw)",
    ),
    DemoPerson(
        "stagebegeleider",
        "Ingrid Visser",
        "i.visser@roc.example",
        "Stagebegeleider ROC",
        external=True,
    ),
)


@dataclass(frozen=True)
class DemoLink:
    person: Person
    signin_url: str
    feed_url: str


def _ensure_people(svc: Services, session: Session) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for demo in PEOPLE:
        object_id = f"demo-{demo.key}"
        person = repo.person_by_identity(session, LOCAL_TENANT, object_id)
        if person is None:
            person = Person(
                id=svc.new_id(),
                tenant_id=LOCAL_TENANT,
                object_id=object_id,
                display_name=demo.name,
                email=demo.email,
                job_title=demo.job_title,
                external=demo.external,
            )
            session.add(person)
            session.flush()
        found[demo.key] = person
    return found


def _at(day: datetime, hour: int, zone: ZoneInfo) -> datetime:
    local = datetime.combine(day.astimezone(zone).date(), time(hour), tzinfo=zone)
    # Keep demo talks on working days.
    while local.weekday() >= 5:
        local += timedelta(days=1)
    return local


def seed(svc: Services, clock: FixedClock) -> list[DemoLink]:
    """Create what is missing; returns fresh sign-in links and the feed URLs."""
    now = clock.now()
    zone = ZoneInfo(svc.policy.hours.timezone)
    people = svc.write(lambda s: _ensure_people(svc, s))
    lead, intern = people["praktijkopleider"], people["stagiair"]
    manager, newcomer = people["leidinggevende"], people["nieuwe-medewerker"]
    supervisor = people["stagebegeleider"]

    if svc.read(lambda s: repo.track_for(s, LOCAL_TENANT, lead.id, intern.id)) is None:
        past = _at(now - timedelta(days=21), 10, zone)
        clock.set(past - timedelta(days=2))
        talk_id = svc.write(
            lambda s: (
                talks.plan_talk(
                    svc,
                    s,
                    lead,
                    learner_id=intern.id,
                    starts_at=past,
                    duration_minutes=45,
                    title=None,
                    goals=["goals.learn", "goals.feedback", "goals.wishes"],
                    own_goal="Hoe bevalt het werken in de ploeg van Kees?",
                ).id
            )
        )
        clock.set(past + timedelta(minutes=30))
        due_soon = (now + timedelta(days=10)).astimezone(zone).date()
        due_later = (now + timedelta(days=30)).astimezone(zone).date()
        plans = [
            (
                "Sem maakt zelfstandig een inregelrapport voor een cv-installatie",
                Owner.LEARNER,
                due_soon,
            ),
            ("Marco plant twee dagen meelopen met de storingsdienst", Owner.LEAD, due_later),
            ("Elke vrijdag samen tien minuten terugkijken op de week", Owner.BOTH, None),
        ]

        def agree(session: Session) -> None:
            for what, owner, due in plans:
                item = agreements.add_agreement(
                    svc, session, lead, talk_id, what=what, owner=owner, due=due
                )
                agreements.confirm_agreement(
                    svc, session, intern, talk_id, item.id, expected_version=item.version
                )

        svc.write(agree)
        svc.write(lambda s: signoff.sign_as_shown(svc, s, lead, talk_id))
        svc.write(lambda s: signoff.sign_as_shown(svc, s, intern, talk_id))
        svc.write(
            lambda s: sharing.share(
                svc,
                s,
                lead,
                talk_id,
                supervisor.id,
                expected_version=talks.load_talk(s, lead, talk_id).version,
            )
        )
        clock.set(now)

    if svc.read(lambda s: repo.track_for(s, LOCAL_TENANT, manager.id, newcomer.id)) is None:
        upcoming = _at(now + timedelta(days=3), 14, zone)
        svc.write(
            lambda s: talks.plan_talk(
                svc,
                s,
                manager,
                learner_id=newcomer.id,
                starts_at=upcoming,
                duration_minutes=60,
                title="Eerste ontwikkelgesprek na de inwerkperiode",
                goals=["goals.appreciation", "goals.wishes"],
                own_goal="",
            )
        )

    clock.set(now)

    def links(session: Session) -> list[DemoLink]:
        out = []
        for demo in PEOPLE:
            person = people[demo.key]
            token = issue_signin_token(session, person, now)
            out.append(
                DemoLink(
                    person=person,
                    signin_url=svc.links.signin(token),
                    feed_url=svc.links.feed(person.id, feed_token(svc.secret_key, person)),
                )
            )
        return out

    return svc.write(links)
