"""A talk's agreements: record, edit, remove, confirm the wording, react; and closing an
earlier talk's agreement from a later one. `Talk` takes these rules in as a base class."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from plugin.domain.agreement import (
    Agreement,
    AgreementStatus,
    Owner,
    check_due,
    clean_close_note,
    clean_reaction,
    clean_what,
)
from plugin.domain.errors import Conflict, InvalidInput, NotFound
from plugin.domain.rules import Act, may, require
from plugin.domain.talk_state import Role, Signature, TalkStatus

if TYPE_CHECKING:
    from plugin.domain.talk import Talk

#: Agreements per talk: a talk of an hour makes a handful; this many is a runaway client.
MAX_AGREEMENTS = 50


class TalkAgreements:
    """The agreement rules of `Talk` (which supplies the fields and checks declared here)."""

    id: str
    agreements: list[Agreement]
    signatures: list[Signature]

    if TYPE_CHECKING:

        def require_participant(self, person_id: str) -> Role: ...

        def _require_editable(self) -> None: ...

        def _touch(self, now: datetime) -> None: ...

    def agreement(self, agreement_id: str) -> Agreement:
        found = next((a for a in self.agreements if a.id == agreement_id), None)
        if found is None:
            raise NotFound("not_found", "agreement")
        return found

    def _fresh(self, agreement_id: str, expected_version: int) -> Agreement:
        item = self.agreement(agreement_id)
        if item.version != expected_version:
            raise Conflict("stale", "version", current=item.to_dict())
        return item

    def _content_changed(self, now: datetime) -> None:
        # A signature covers the wording as it was; any change asks both to sign again.
        self.signatures = []
        self._touch(now)

    def _revised(self, item: Agreement, now: datetime, *, content: bool = True) -> Agreement:
        """`item` changed: its version moves on; a change of what the form says (`content`)
        asks both to sign again."""
        item.version += 1
        item.updated_at = now
        if content:
            self._content_changed(now)
        else:
            self._touch(now)
        return item

    def add_agreement(
        self,
        by: str,
        *,
        what: str,
        owner: Owner,
        due: date | None,
        today: date,
        new_id: str,
        now: datetime,
    ) -> Agreement:
        require(Act.ADD, self.require_participant(by), by)
        self._require_editable()
        if len(self.agreements) >= MAX_AGREEMENTS:
            raise InvalidInput("too_many", "agreements", max=MAX_AGREEMENTS)
        item = Agreement(
            id=new_id,
            talk_id=self.id,
            position=max((a.position for a in self.agreements), default=0) + 1,
            what=clean_what(what),
            owner=owner,
            due=check_due(due, today),
            author_id=by,
            created_by=by,
            created_at=now,
            updated_at=now,
        )
        self.agreements.append(item)
        self._content_changed(now)
        return item

    def edit_agreement(
        self,
        by: str,
        agreement_id: str,
        *,
        expected_version: int,
        today: date,
        now: datetime,
        what: str | None = None,
        owner: Owner | None = None,
        due: date | None = None,
        clear_due: bool = False,
    ) -> Agreement:
        role = self.require_participant(by)
        self._require_editable()
        item = self._fresh(agreement_id, expected_version)
        require(Act.EDIT, role, by, item)
        new_what = clean_what(what) if what is not None else item.what
        new_owner = owner or item.owner
        new_due = None if clear_due else (check_due(due, today) if due is not None else item.due)
        if (new_what, new_owner, new_due) == (item.what, item.owner, item.due):
            return item
        item.what, item.owner, item.due = new_what, new_owner, new_due
        # New wording needs the other participant's confirmation again, and replaces a
        # request to strike the old one.
        item.removal_requested_by = None
        item.author_id = by
        item.confirmed_by = None
        item.confirmed_at = None
        return self._revised(item, now)

    def remove_agreement(
        self, by: str, agreement_id: str, *, expected_version: int, now: datetime
    ) -> Agreement | None:
        """Strike an agreement. Your own proposal that nobody else reworded or confirmed goes
        at once (None); anything else waits for the other's confirmation, and is returned with
        the request on it."""
        role = self.require_participant(by)
        self._require_editable()
        item = self._fresh(agreement_id, expected_version)
        if may(Act.REMOVE_AT_ONCE, role, by, item):
            self.agreements.remove(item)
            self._content_changed(now)
            return None
        require(Act.ASK_REMOVAL, role, by, item)
        if item.removal_requested_by is None:
            item.removal_requested_by = by
            self._revised(item, now)
        return item

    def decide_removal(
        self, by: str, agreement_id: str, *, keep: bool, expected_version: int, now: datetime
    ) -> Agreement | None:
        """The answer to a request to strike an agreement: the other participant confirms it
        (the agreement goes: None) or keeps the agreement; the one who asked can withdraw."""
        role = self.require_participant(by)
        self._require_editable()
        item = self._fresh(agreement_id, expected_version)
        if item.removal_requested_by is None:
            raise Conflict("no_removal", "agreement")
        require(Act.KEEP if keep else Act.CONFIRM_REMOVAL, role, by, item)
        if keep:
            item.removal_requested_by = None
            return self._revised(item, now)
        self.agreements.remove(item)
        self._content_changed(now)
        return None

    def confirm_agreement(
        self, by: str, agreement_id: str, *, expected_version: int, now: datetime
    ) -> Agreement:
        role = self.require_participant(by)
        self._require_editable()
        item = self._fresh(agreement_id, expected_version)
        require(Act.CONFIRM_WORDING, role, by, item)
        if item.confirmed_by is None:
            item.confirmed_by = by
            item.confirmed_at = now
            # Confirming adds no content: a signature given before it still stands.
            self._revised(item, now, content=False)
        return item

    def react(
        self, by: str, agreement_id: str, *, reaction: str, expected_version: int, now: datetime
    ) -> Agreement:
        require(Act.REACT, self.require_participant(by), by)
        self._require_editable()
        item = self._fresh(agreement_id, expected_version)
        text = clean_reaction(reaction)
        if text != item.reaction:
            item.reaction = text
            self._revised(item, now)
        return item


def close_earlier_agreement(
    current: Talk,
    earlier: Talk,
    agreement_id: str,
    *,
    by: str,
    status: AgreementStatus,
    expected_version: int,
    now: datetime,
    note: str | None = None,
) -> Agreement:
    """Close (or reopen) an agreement of an earlier, signed talk from the current talk, or keep
    it open with a note (`status` unchanged, `note` given).

    The earlier form stays as signed: the change is recorded against the current talk.
    """
    role = current.require_participant(by)
    current._require_editable()
    if earlier.track_id != current.track_id or earlier.status is not TalkStatus.SIGNED:
        raise NotFound("not_found", "agreement")
    if earlier.starts_at >= current.starts_at:
        raise NotFound("not_found", "agreement")
    item = earlier.agreement(agreement_id)
    if item.version != expected_version:
        raise Conflict("stale", "version", current=item.to_dict())
    require(Act.CLOSE, role, by, item)
    new_note = item.close_note if note is None else clean_close_note(note)
    if item.status is status and new_note == item.close_note:
        return item
    item.close_note = new_note
    item.status = status
    if status is AgreementStatus.OPEN:
        item.closed_in_talk_id = item.closed_by = None
        item.closed_at = None
    else:
        item.closed_in_talk_id, item.closed_by, item.closed_at = current.id, by, now
    item.version += 1
    item.updated_at = now
    earlier._touch(now)
    # The current talk shows it on its agenda: its live panels must see the change.
    current._touch(now)
    return item
