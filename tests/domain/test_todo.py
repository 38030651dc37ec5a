"""The overview's to-dos (plugin/domain/todo.py): which occasions make one, and their order.

Each row builds talks by hand and names the to-dos the lead ("me") gets, in order. Times are in
Amsterdam; Monday 1 March 2027 09:00 is "now" unless a row says otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from plugin.domain.agreement import Agreement, AgreementStatus, Owner
from plugin.domain.preparation import Preparation
from plugin.domain.schedule import WorkingHours
from plugin.domain.talk import Talk
from plugin.domain.talk_state import Role, Signature, TalkStatus
from plugin.domain.todo import Todo, TodoKind, is_mine, todos

AMS = ZoneInfo("Europe/Amsterdam")
ME, OTHER, STRANGER = "me", "sem", "someone-else"
MONDAY = datetime(2027, 3, 1, 9, 0, tzinfo=AMS)
FRIDAY = datetime(2027, 3, 5, 16, 0, tzinfo=AMS)
SATURDAY = datetime(2027, 3, 6, 11, 0, tzinfo=AMS)
HOURS = WorkingHours()


def at(day: int, hour: int = 10) -> datetime:
    """A moment in March 2027, Amsterdam."""
    return datetime(2027, 3, day, hour, 0, tzinfo=AMS)


@dataclass
class T:
    """A talk for a row: who leads, when, its state, and what is in it."""

    id: str
    starts: datetime
    status: TalkStatus = TalkStatus.PLANNED
    lead: str = ME
    learner: str = OTHER
    prepared_by: tuple[str, ...] = ()
    signed_by: tuple[str, ...] = ()
    agreements: list[dict[str, object]] = field(default_factory=list)

    def build(self) -> Talk:
        talk = Talk(
            id=self.id,
            tenant_id="tenant",
            track_id="track",
            lead_id=self.lead,
            learner_id=self.learner,
            title=f"Talk {self.id}",
            starts_at=self.starts,
            ends_at=self.starts + timedelta(minutes=45),
            template_id="template",
            created_at=MONDAY,
            updated_at=MONDAY,
            status=self.status,
        )
        talk.preparations = [
            Preparation(id=f"p-{who}", talk_id=self.id, person_id=who, updated_at=MONDAY)
            for who in self.prepared_by
        ]
        talk.signatures = [
            Signature(f"s-{who}", self.id, who, talk.role_of(who) or Role.LEAD, MONDAY)
            for who in self.signed_by
        ]
        for n, values in enumerate(self.agreements, 1):
            talk.agreements.append(
                Agreement(
                    id=str(values["id"]),
                    talk_id=self.id,
                    position=n,
                    what=f"Agreement {values['id']}",
                    owner=values.get("owner", Owner.LEAD),  # type: ignore[arg-type]
                    due=values.get("due"),  # type: ignore[arg-type]
                    author_id=str(values.get("author", ME)),
                    created_at=MONDAY,
                    updated_at=MONDAY,
                    status=values.get("status", AgreementStatus.OPEN),  # type: ignore[arg-type]
                    confirmed_by=values.get("confirmed_by"),  # type: ignore[arg-type]
                    removal_requested_by=values.get("removal_by"),  # type: ignore[arg-type]
                )
            )
        return talk


def run(now: datetime, *specs: T, me: str = ME) -> list[tuple[str, str]]:
    """The to-dos as (kind, agreement id or talk id), in order."""
    built = [spec.build() for spec in specs]
    # The service hands over the open agreements of signed talks (repo query); so do we.
    open_items = [
        (a, t)
        for t in built
        if t.status is TalkStatus.SIGNED
        for a in t.agreements
        if a.status is AgreementStatus.OPEN
    ]
    return [
        (item.kind.value, item.agreement_id or item.talk_id)
        for item in todos(me, built, open_items, now.astimezone(ZoneInfo("UTC")), HOURS)
    ]


SIGNED = TalkStatus.SIGNED
BOTH_SIGNED = (ME, OTHER)

CASES: list[tuple[str, datetime, list[T], list[tuple[str, str]]]] = [
    ("nothing to do", MONDAY, [], []),
    # -- prepare --------------------------------------------------------------------------
    ("a talk tomorrow, not prepared", MONDAY, [T("t", at(2))], [("prepare", "t")]),
    ("a talk tomorrow, my preparation saved", MONDAY, [T("t", at(2), prepared_by=(ME,))], []),
    (
        "the other's preparation is theirs",
        MONDAY,
        [T("t", at(2), prepared_by=(OTHER,))],
        [("prepare", "t")],
    ),
    ("two working days ahead", MONDAY, [T("t", at(3, 16))], [("prepare", "t")]),
    ("three working days ahead: not yet", MONDAY, [T("t", at(4, 9))], []),
    ("Friday: Tuesday is two working days on", FRIDAY, [T("t", at(9))], [("prepare", "t")]),
    ("Friday: Wednesday is three", FRIDAY, [T("t", at(10))], []),
    ("Saturday: Tuesday is two", SATURDAY, [T("t", at(9))], [("prepare", "t")]),
    ("past its end: sign, not prepare", at(2, 10), [T("t", at(2, 9))], [("sign", "t")]),
    ("a cancelled talk", MONDAY, [T("t", at(2), status=TalkStatus.CANCELLED)], []),
    ("a talk of other people", MONDAY, [T("t", at(2), lead=STRANGER)], []),
    # -- sign -----------------------------------------------------------------------------
    ("held, not signed", at(2, 11), [T("t", at(2, 9), status=TalkStatus.HELD)], [("sign", "t")]),
    ("past its end, still planned", at(2, 11), [T("t", at(2, 9))], [("sign", "t")]),
    ("still running: nothing yet", at(2, 9) + timedelta(minutes=20), [T("t", at(2, 9))], []),
    (
        "signed by me, waiting for the other",
        at(2, 11),
        [T("t", at(2, 9), status=TalkStatus.HELD, signed_by=(ME,))],
        [],
    ),
    (
        "signed by the other: mine is missing",
        at(2, 11),
        [T("t", at(2, 9), status=TalkStatus.HELD, signed_by=(OTHER,))],
        [("sign", "t")],
    ),
    ("signed by both", at(2, 11), [T("t", at(2, 9), status=SIGNED, signed_by=BOTH_SIGNED)], []),
    # -- confirm --------------------------------------------------------------------------
    (
        "the other wrote it: I confirm (and signing waits for that)",
        at(2, 11),
        [T("t", at(2, 9), status=TalkStatus.HELD, agreements=[{"id": "a", "author": OTHER}])],
        [("confirm", "a")],
    ),
    (
        "I wrote it: the other confirms",
        at(2, 11),
        [T("t", at(2, 9), status=TalkStatus.HELD, agreements=[{"id": "a", "author": ME}])],
        [("sign", "t")],
    ),
    (
        "already confirmed",
        at(2, 11),
        [
            T(
                "t",
                at(2, 9),
                status=TalkStatus.HELD,
                agreements=[{"id": "a", "author": OTHER, "confirmed_by": ME}],
            )
        ],
        [("sign", "t")],
    ),
    (
        "the other asks to strike it",
        at(2, 9),
        [
            T(
                "t",
                at(2, 9),
                agreements=[{"id": "a", "author": ME, "confirmed_by": OTHER, "removal_by": OTHER}],
            )
        ],
        [("confirm", "a")],
    ),
    (
        "I asked to strike it",
        at(2, 9),
        [
            T(
                "t",
                at(2, 9),
                agreements=[{"id": "a", "author": OTHER, "confirmed_by": ME, "removal_by": ME}],
            )
        ],
        [],
    ),
    # -- agreements due -------------------------------------------------------------------
    (
        "mine, due within five working days",
        MONDAY,
        [T("t", at(1, 8), status=SIGNED, agreements=[{"id": "a", "due": date(2027, 3, 8)}])],
        [("due_soon", "a")],
    ),
    (
        "mine, due in six working days: not yet",
        MONDAY,
        [T("t", at(1, 8), status=SIGNED, agreements=[{"id": "a", "due": date(2027, 3, 9)}])],
        [],
    ),
    (
        "Saturday: Friday next week is five working days on",
        SATURDAY,
        [T("t", at(1, 8), status=SIGNED, agreements=[{"id": "a", "due": date(2027, 3, 12)}])],
        [("due_soon", "a")],
    ),
    (
        "Saturday: the Monday after is six",
        SATURDAY,
        [T("t", at(1, 8), status=SIGNED, agreements=[{"id": "a", "due": date(2027, 3, 15)}])],
        [],
    ),
    (
        "due today is due soon, not overdue",
        MONDAY,
        [T("t", at(1, 8), status=SIGNED, agreements=[{"id": "a", "due": date(2027, 3, 1)}])],
        [("due_soon", "a")],
    ),
    (
        "due yesterday: overdue",
        MONDAY,
        [T("t", at(1, 8), status=SIGNED, agreements=[{"id": "a", "due": date(2027, 2, 28)}])],
        [("overdue", "a")],
    ),
    (
        "done: nothing",
        MONDAY,
        [
            T(
                "t",
                at(1, 8),
                status=SIGNED,
                agreements=[
                    {"id": "a", "due": date(2027, 2, 28), "status": AgreementStatus.DONE},
                    {"id": "b", "due": date(2027, 3, 2), "status": AgreementStatus.DROPPED},
                ],
            )
        ],
        [],
    ),
    (
        "the learner's own agreement is not the lead's to-do; a shared one is",
        MONDAY,
        [
            T(
                "t",
                at(1, 8),
                status=SIGNED,
                agreements=[
                    {"id": "a", "due": date(2027, 3, 2), "owner": Owner.LEARNER},
                    {"id": "b", "due": date(2027, 3, 2), "owner": Owner.BOTH},
                ],
            )
        ],
        [("due_soon", "b")],
    ),
    (
        "no due date: never due",
        MONDAY,
        [T("t", at(1, 8), status=SIGNED, agreements=[{"id": "a", "due": None}])],
        [],
    ),
    # -- order ----------------------------------------------------------------------------
    (
        "late first (overdue, confirm, sign), then what comes by its day",
        at(2, 11),
        [
            T("soon", at(4, 9)),  # Thursday: prepare, two working days on
            T("tomorrow", at(3, 9)),  # Wednesday: prepare
            T("held", at(2, 9), status=TalkStatus.HELD),
            T(
                "held-confirm",
                at(1, 13),
                status=TalkStatus.HELD,
                agreements=[{"id": "c", "author": OTHER}],
            ),
            T(
                "old",
                at(1, 8),
                status=SIGNED,
                agreements=[
                    {"id": "due-wed", "due": date(2027, 3, 3)},
                    {"id": "due-thu", "due": date(2027, 3, 4)},
                    {"id": "late-2", "due": date(2027, 3, 1)},
                    {"id": "late-1", "due": date(2027, 2, 26)},
                ],
            ),
        ],
        [
            ("overdue", "late-1"),
            ("overdue", "late-2"),
            ("confirm", "c"),
            ("sign", "held"),
            ("prepare", "tomorrow"),
            ("due_soon", "due-wed"),
            ("prepare", "soon"),
            ("due_soon", "due-thu"),
        ],
    ),
]


@pytest.mark.parametrize(
    ("now", "specs", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_todos(now: datetime, specs: list[T], expected: list[tuple[str, str]]) -> None:
    assert run(now, *specs) == expected


def test_the_learner_gets_the_same_rules_from_the_other_side() -> None:
    talk = T(
        "t",
        at(1, 8),
        status=SIGNED,
        agreements=[
            {"id": "lead", "due": date(2027, 3, 2), "owner": Owner.LEAD},
            {"id": "learner", "due": date(2027, 3, 2), "owner": Owner.LEARNER},
        ],
    )
    assert run(MONDAY, talk, me=OTHER) == [("due_soon", "learner")]


def test_a_todo_carries_what_the_page_shows() -> None:
    talk = T("t", at(1, 8), status=SIGNED, agreements=[{"id": "a", "due": date(2027, 3, 2)}])
    built = talk.build()
    [item] = todos(ME, [built], [(built.agreements[0], built)], MONDAY, HOURS)
    assert item == Todo(TodoKind.DUE_SOON, "t", "Agreement a", "a", date(2027, 3, 2))
    [prepare] = todos(ME, [T("u", at(2)).build()], [], MONDAY, HOURS)
    assert (prepare.title, prepare.starts_at, prepare.due) == ("Talk u", at(2), None)


@pytest.mark.parametrize(
    ("owner", "role", "mine"),
    [
        (Owner.LEAD, Role.LEAD, True),
        (Owner.LEAD, Role.LEARNER, False),
        (Owner.LEARNER, Role.LEARNER, True),
        (Owner.LEARNER, Role.LEAD, False),
        (Owner.BOTH, Role.LEAD, True),
        (Owner.BOTH, Role.LEARNER, True),
    ],
)
def test_is_mine(owner: Owner, role: Role, mine: bool) -> None:
    agreement = T("t", MONDAY, agreements=[{"id": "a", "owner": owner}]).build().agreements[0]
    assert is_mine(agreement, role) is mine
