"""Booking the follow-up talk, and keeping a talk's calendar event in step with the talk.

These run as outbox jobs. Both are safe to repeat: the follow-up's id is derived from the
signed talk's id, and every event is created with a transaction id derived from its talk.
A track has one follow-up at a time (domain/followup_rules.py): when a later talk of the
track is planned already, that one is the follow-up, moved earlier if the policy says so.
"""

from __future__ import annotations

import logging
import uuid
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from plugin.calendar.port import (
    Attendee,
    Calendar,
    EventDraft,
    EventRef,
    SlotRequest,
    attendee_of,
)
from plugin.domain.followup import FollowUpPolicy
from plugin.domain.followup_rules import earlier_span, event_is_ours, planned_follow_up
from plugin.domain.meeting import chat_id_from_join_url
from plugin.domain.people import Person
from plugin.domain.schedule import Interval, SlotSearch, WorkingHours
from plugin.domain.talk import Talk
from plugin.domain.talk_calendar import FOLLOW_UP_BEFORE_TALK
from plugin.domain.talk_state import CalendarState, FollowUpStatus, TalkStatus
from plugin.jobs.outbox import Job, JobKind, enqueue
from plugin.services import (
    calendar_sync,
    checkin_invite,
    checkins,
    meeting_jobs,
    reminders,
    summary_card,
    talk_types,
)
from plugin.services.admin_settings import effective_policy
from plugin.services.context import Services
from plugin.services.invite import event_of, render_invite
from plugin.services.talks import (
    BOOK_FOLLOW_UP,
    REBOOK_FOLLOW_UP,
    SYNC_EVENT,
    default_title,
    job_key,
    pin_tab_later,
)
from plugin.store import repo

log = logging.getLogger(__name__)

FOLLOW_UP_NAMESPACE = uuid.UUID("6f1b7d4e-2c51-4c8e-9d43-0b7b8a5f1e21")


def follow_up_id(talk_id: str) -> str:
    return str(uuid.uuid5(FOLLOW_UP_NAMESPACE, f"follow-up:{talk_id}"))


def event_draft(svc: Services, session: Session, talk: Talk) -> EventDraft:
    if talk.check_in_of is not None:  # a check-in's invite is about its one agreement
        return checkin_invite.event_draft(svc, session, talk)
    people = repo.people_by_id(session, (talk.lead_id, talk.learner_id))
    lead, learner = people[talk.lead_id], people[talk.learner_id]
    content = render_invite(
        language=svc.language,
        subject=talk.title,
        lead_name=lead.display_name,
        learner_name=learner.display_name,
        starts_at=talk.starts_at,
        timezone=svc.policy.hours.timezone,
        talk_url=svc.links.talk(talk.id),
        # The talk's own type version, as planned: never the type's current file.
        template=talk_types.talk_template(svc, session, talk),
        goals=talk.goals,
        own_goal=talk.own_goal,
        open_agreements=[a for a, _ in repo.earlier_open_agreements(session, talk)],
    )
    return event_of(talk, lead, learner, content, svc.links.talk(talk.id))


def sync_event(svc: Services, session: Session, job: Job) -> None:
    """Create, update or cancel the talk's event so that it matches the talk."""
    talk = session.get(Talk, job.payload["talk_id"])
    if talk is None:
        return
    if not event_is_ours(talk):
        # Held in a meeting the organiser booked themselves: not ours to edit.
        talk.calendar_state = CalendarState.SYNCED
        return
    calendar = svc.calendar(session)
    draft = event_draft(svc, session, talk)
    if talk.status is TalkStatus.CANCELLED:
        if talk.event_id:
            calendar.cancel_event(_ref(talk), draft.organizer)
    elif talk.event_id:
        store_ref(talk, calendar.update_event(_ref(talk), draft))
    else:
        store_ref(talk, calendar.create_event(draft))
        pin_tab_later(svc, session, talk)
    talk.calendar_state = CalendarState.SYNCED
    talk.calendar_error = None


def sync_failed(svc: Services, session: Session, job: Job, reason: str) -> None:
    talk = session.get(Talk, job.payload["talk_id"])
    if talk is not None:
        talk.calendar_state = CalendarState.FAILED
        talk.calendar_error = reason


def book_follow_up(svc: Services, session: Session, job: Job) -> None:
    talk = session.get(Talk, job.payload["talk_id"])
    if talk is None or talk.follow_up_status is not FollowUpStatus.BOOKING:
        return  # booked already, or nothing to book: a repeated job does nothing
    # Hold both people until this booking commits: another worker booking for either of
    # them waits, then sees this event as busy. (Row locks on PostgreSQL; on SQLite, where
    # one worker runs the outbox, bookings do not overlap in the first place.)
    repo.lock_people(session, (talk.lead_id, talk.learner_id))
    people = repo.people_by_id(session, (talk.lead_id, talk.learner_id))
    attendees = (attendee_of(people[talk.lead_id]), attendee_of(people[talk.learner_id]))
    # The interval an admin set counts from the next booking on: read per booking.
    policy = effective_policy(session, svc.policy, talk.tenant_id)
    calendar = svc.calendar(session)
    chosen = job.payload.get("starts_at")
    # One follow-up per track. Read after the lock: a booking in this track that ran
    # meanwhile has committed, and its follow-up is seen here.
    planned = planned_follow_up(
        talk,
        repo.planned_talks_of_track(session, talk.tenant_id, talk.track_id),
        svc.clock.now(),
    )
    if planned is not None:
        _take_planned_follow_up(svc, session, calendar, job, talk, planned, attendees)
        return
    if chosen:
        start = datetime.fromisoformat(chosen)
        slot = Interval(start, start + policy.duration)
        found = calendar.find_slot(
            SlotRequest(
                attendees=attendees,
                window=slot,
                earliest=slot.start,
                horizon=slot.end,
                duration=policy.duration,
                hours=policy.hours,
                options=0,
            )
        )
        if found.slot is None or found.slot.start != slot.start:
            talk.follow_up_needs_attention("slot_taken", [(o.start, o.end) for o in found.options])
            return
    else:
        found = _policy_slot(svc, policy, calendar, talk, attendees, policy.duration)
        if found.slot is None:
            log.info("no free slot for the follow-up of talk %s", talk.id)
            talk.follow_up_needs_attention(
                "no_free_slot", [(o.start, o.end) for o in found.options]
            )
            return
        slot = found.slot
    follow_up = _follow_up_talk(svc, session, talk, people[talk.learner_id], slot)
    # The event first, the new talk's row after: nothing is written before the remote call,
    # so a remote calendar's wait holds no write lock.
    store_ref(follow_up, calendar.create_event(event_draft(svc, session, follow_up)))
    follow_up.calendar_state = CalendarState.SYNCED
    session.add(follow_up)
    pin_tab_later(svc, session, follow_up)
    talk.follow_up_booked(follow_up.id)
    log.info("booked follow-up %s for talk %s", follow_up.id, talk.id)


def _take_planned_follow_up(
    svc: Services,
    session: Session,
    calendar: Calendar,
    job: Job,
    talk: Talk,
    follow_up: Talk,
    attendees: tuple[Attendee, ...],
) -> None:
    """`follow_up`, planned already in the track, follows up `talk`: none is booked beside it.

    Its agenda lists `talk`'s open agreements as it stands (they come from the earlier signed
    talks of the track). It moves earlier when the policy (or the time the two chose) wants
    the follow-up sooner and both are free then; else it stays where it is.
    """
    duration = follow_up.ends_at - follow_up.starts_at
    chosen = job.payload.get("starts_at")
    # The tenant's interval and working hours (one read).
    policy = effective_policy(session, svc.policy, talk.tenant_id)
    if chosen:
        start = datetime.fromisoformat(chosen)
        wanted = Interval(start, start + duration)
    else:
        now = svc.clock.now()
        wanted = policy.window_for(talk.starts_at, talk.open_due_dates(), now).window
    span = earlier_span(wanted, follow_up)
    slot = _earlier_slot(calendar, job, follow_up, attendees, span, policy.hours) if span else None
    if slot is not None:
        _move_earlier(svc, session, calendar, follow_up, slot)
    talk.follow_up_booked(follow_up.id)
    log.info("talk %s is followed up by talk %s, planned already", talk.id, follow_up.id)


def _earlier_slot(
    calendar: Calendar,
    job: Job,
    follow_up: Talk,
    attendees: tuple[Attendee, ...],
    span: Interval,
    hours: WorkingHours,
) -> Interval | None:
    """The first time in `span` free for both, for the follow-up's own length."""
    if job.attempts > 1 and follow_up.event_ical_uid:
        # A run before may have moved the event and lost the answer on the way: the event
        # itself would then take that time from a new search. Where it is now counts instead.
        for event in calendar.list_events(attendees[0], span):
            moved = Interval(event.start, event.end)
            ours = event.ref.ical_uid == follow_up.event_ical_uid and not event.cancelled
            if ours and span.contains(moved):
                return moved
    found = calendar.find_slot(
        SlotRequest(
            attendees=attendees,
            window=span,
            earliest=span.start,
            horizon=span.end,
            duration=follow_up.ends_at - follow_up.starts_at,
            hours=hours,
            options=0,
        )
    )
    return found.slot


def _move_earlier(
    svc: Services, session: Session, calendar: Calendar, follow_up: Talk, slot: Interval
) -> None:
    # The event first, the talk's row after (as a booking does): nothing is written before
    # the remote call, so a remote calendar's wait holds no write lock.
    with session.no_autoflush:
        follow_up.rebooked(slot.start, slot.end, svc.clock.now())
        if follow_up.event_id is not None:
            draft = event_draft(svc, session, follow_up)
            store_ref(follow_up, calendar.update_event(_ref(follow_up), draft))
    if follow_up.event_id is None:
        # Its event is not made yet (or could not be): it is made at the new time.
        now = svc.clock.now()
        enqueue(session, SYNC_EVENT, {"talk_id": follow_up.id}, now, key=job_key(follow_up.id))
    log.info("moved follow-up %s earlier, as the policy wants", follow_up.id)


def rebook_follow_up(svc: Services, session: Session, job: Job) -> None:
    """A follow-up dragged in Outlook to before the talk it follows is booked again by the
    policy, as it was first: a follow-up never comes before its talk."""
    follow_up = session.get(Talk, job.payload["talk_id"])
    if follow_up is None or follow_up.status is not TalkStatus.PLANNED:
        return
    previous = session.get(Talk, follow_up.previous_talk_id) if follow_up.previous_talk_id else None
    if previous is None or follow_up.starts_at >= previous.ends_at:
        return  # put right meanwhile: nothing to do
    repo.lock_people(session, (follow_up.lead_id, follow_up.learner_id))
    people = repo.people_by_id(session, (follow_up.lead_id, follow_up.learner_id))
    calendar = svc.calendar(session)
    attendees = (attendee_of(people[follow_up.lead_id]), attendee_of(people[follow_up.learner_id]))
    found = _policy_slot(
        svc,
        effective_policy(session, svc.policy, follow_up.tenant_id),
        calendar,
        previous,
        attendees,
        follow_up.ends_at - follow_up.starts_at,
    )
    if found.slot is None:
        follow_up.calendar_attention = FOLLOW_UP_BEFORE_TALK
        return
    follow_up.rebooked(found.slot.start, found.slot.end, svc.clock.now())
    store_ref(
        follow_up, calendar.update_event(_ref(follow_up), event_draft(svc, session, follow_up))
    )
    log.info("rebooked follow-up %s after its talk", follow_up.id)


def _policy_slot(
    svc: Services,
    policy: FollowUpPolicy,
    calendar: Calendar,
    followed: Talk,
    attendees: tuple[Attendee, ...],
    duration: timedelta,
) -> SlotSearch:
    """Where the policy puts the follow-up of `followed`: a free slot in its window, or the
    nearest options."""
    window = policy.window_for(followed.starts_at, followed.open_due_dates(), svc.clock.now())
    return calendar.find_slot(
        SlotRequest(
            attendees=attendees,
            window=window.window,
            earliest=window.earliest,
            horizon=window.horizon,
            duration=duration,
            hours=policy.hours,
            options=policy.options,
        )
    )


def follow_up_failed(svc: Services, session: Session, job: Job, reason: str) -> None:
    talk = session.get(Talk, job.payload["talk_id"])
    if talk is not None and talk.follow_up_status is FollowUpStatus.BOOKING:
        talk.follow_up_needs_attention(reason)


def _follow_up_talk(
    svc: Services, session: Session, talk: Talk, learner: Person, slot: Interval
) -> Talk:
    """The follow-up talk: the one stored by an earlier run, else a new one not yet added."""
    existing = session.get(Talk, follow_up_id(talk.id))
    if existing is not None:
        return existing
    now = svc.clock.now()
    return Talk(
        id=follow_up_id(talk.id),
        tenant_id=talk.tenant_id,
        track_id=talk.track_id,
        lead_id=talk.lead_id,
        learner_id=talk.learner_id,
        title=default_title(svc, learner, follow_up=True),
        starts_at=slot.start,
        ends_at=slot.end,
        template_id=talk.template_id,
        goals=list(talk.goals),
        own_goal="",
        previous_talk_id=talk.id,
        created_at=now,
        updated_at=now,
    )


def _ref(talk: Talk) -> EventRef:
    return EventRef(
        event_id=talk.event_id or "", ical_uid=talk.event_ical_uid or "", join_url=talk.join_url
    )


def store_ref(talk: Talk, ref: EventRef) -> None:
    """Keep the event's ids on the talk (a check-in's booking too)."""
    talk.event_id, talk.event_ical_uid, talk.join_url = ref.event_id, ref.ical_uid, ref.join_url
    talk.event_written(ref.change_key)  # its change notification then echoes nothing
    # The meeting we booked is the talk's meeting (unless the lead linked another one): its
    # tabs find the talk by this chat id, and only the two are in its chat.
    booked_chat = chat_id_from_join_url(ref.join_url)
    if talk.meeting_chat_id is None and booked_chat is not None:
        talk.meeting_chat_id, talk.chat_summary = booked_chat, True


def job_kinds(svc: Services) -> dict[str, JobKind]:
    return {
        **meeting_jobs.job_kinds(svc),
        **calendar_sync.job_kinds(svc),
        **summary_card.job_kinds(svc),
        **reminders.job_kinds(svc),
        **checkins.job_kinds(svc),
        SYNC_EVENT: JobKind(
            run=lambda s, j: sync_event(svc, s, j), failed=lambda s, j, r: sync_failed(svc, s, j, r)
        ),
        BOOK_FOLLOW_UP: JobKind(
            run=lambda s, j: book_follow_up(svc, s, j),
            failed=lambda s, j, r: follow_up_failed(svc, s, j, r),
        ),
        REBOOK_FOLLOW_UP: JobKind(
            run=lambda s, j: rebook_follow_up(svc, s, j),
            failed=lambda s, j, r: log.warning("follow-up %s not rebooked: %s", j.payload, r),
        ),
    }
