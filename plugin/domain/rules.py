"""Who may do what in a talk: one table, enforced on every path.

The guide asks both people to write the agreements together, check each other's wording and
keep to them afterwards. That gives two kinds of say: the participants share the record (either
may write, reword or ask to strike an agreement, and the other confirms), while closing an
agreement is for the person who has to keep it, or the lead who follows it up. The table below
is the only place these rules live: `Talk` asks `require` before each change, and README shows
the same table (a test compares them).

Each rule names who may act:

- `EITHER`: either participant;
- `LEAD`, `LEARNER`: that participant only;
- `WRITER_UNCONFIRMED`: the one who wrote the agreement, while nobody else has reworded or
  confirmed it (then it is still only their own proposal);
- `NOT_AUTHOR`: the participant who did not write the current wording;
- `NOT_REQUESTER`: the participant who did not ask for the removal;
- `OWNER_OR_LEAD`: the agreement's owner (for "both": either) or the lead.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from plugin.domain.agreement import Agreement, Owner
from plugin.domain.errors import NotAllowed
from plugin.domain.talk_state import Role


class Act(StrEnum):
    ADD = "add"
    EDIT = "edit"
    REMOVE_AT_ONCE = "remove_at_once"
    ASK_REMOVAL = "ask_removal"
    CONFIRM_REMOVAL = "confirm_removal"
    KEEP = "keep"
    CONFIRM_WORDING = "confirm_wording"
    REACT = "react"
    CLOSE = "close"
    SET_GOALS = "set_goals"
    LEAD_GOAL = "lead_goal"
    LEARNER_GOAL = "learner_goal"
    NOTE_AGENDA = "note_agenda"
    SIGN = "sign"
    PROGRESS_NOTE = "progress_note"
    MARK_DONE = "mark_done"
    MARK_STUCK = "mark_stuck"
    MARK_DROPPED = "mark_dropped"
    REOPEN = "reopen"


class Who(StrEnum):
    EITHER = "either participant"
    LEAD = "the lead"
    LEARNER = "the learner"
    WRITER_UNCONFIRMED = "its writer, until someone else rewords or confirms it"
    NOT_AUTHOR = "the participant who did not write the current wording"
    NOT_REQUESTER = "the participant who did not ask for the removal"
    OWNER_OR_LEAD = "its owner (for both: either), or the lead"


@dataclass(frozen=True)
class Rule:
    act: Act
    who: Who
    #: What the act is, for the README table.
    what: str
    #: The refusal's code and field (translated by the web layer).
    refusal: str
    field: str


RULES: tuple[Rule, ...] = (
    Rule(Act.ADD, Who.EITHER, "Write a new agreement", "participant_only", "agreements"),
    Rule(
        Act.EDIT,
        Who.EITHER,
        "Reword an agreement (the other confirms again)",
        "participant_only",
        "what",
    ),
    Rule(
        Act.REMOVE_AT_ONCE,
        Who.WRITER_UNCONFIRMED,
        "Strike an agreement at once",
        "not_writer",
        "agreement",
    ),
    Rule(
        Act.ASK_REMOVAL, Who.EITHER, "Ask to strike an agreement", "participant_only", "agreement"
    ),
    Rule(
        Act.CONFIRM_REMOVAL,
        Who.NOT_REQUESTER,
        "Confirm that it goes",
        "confirm_own_removal",
        "agreement",
    ),
    Rule(
        Act.KEEP,
        Who.EITHER,
        "Keep it after all (refuse or withdraw the request)",
        "participant_only",
        "agreement",
    ),
    Rule(
        Act.CONFIRM_WORDING,
        Who.NOT_AUTHOR,
        "Confirm the wording",
        "confirm_own_wording",
        "confirmed",
    ),
    Rule(Act.REACT, Who.LEARNER, "React to an agreement", "learner_only", "reaction"),
    Rule(
        Act.CLOSE,
        Who.OWNER_OR_LEAD,
        "Mark an earlier agreement done, dropped or open again",
        "owner_or_lead",
        "status",
    ),
    Rule(Act.SET_GOALS, Who.LEAD, "Choose the talk's goals", "lead_only", "goals"),
    Rule(Act.LEAD_GOAL, Who.LEAD, "Write the lead's own goal", "lead_only", "own_goal"),
    Rule(
        Act.LEARNER_GOAL,
        Who.LEARNER,
        "Write the learner's own goal",
        "learner_only_goal",
        "learner_goal",
    ),
    Rule(
        Act.NOTE_AGENDA,
        Who.EITHER,
        "Mark an agenda item discussed, write what was heard",
        "participant_only",
        "agenda",
    ),
    Rule(Act.SIGN, Who.EITHER, "Sign off the form", "participant_only", "form_hash"),
    # After sign-off, any day (agreement_progress.py): both follow an agreement, so either
    # writes how it goes; its state is for whoever keeps it, or the lead who follows it up.
    Rule(
        Act.PROGRESS_NOTE,
        Who.EITHER,
        "After sign-off: write a dated progress note on an agreement",
        "participant_only",
        "note",
    ),
    Rule(
        Act.MARK_DONE,
        Who.OWNER_OR_LEAD,
        "After sign-off: mark an agreement done",
        "owner_or_lead",
        "kind",
    ),
    Rule(
        Act.MARK_STUCK,
        Who.OWNER_OR_LEAD,
        "After sign-off: say an agreement is stuck",
        "owner_or_lead",
        "kind",
    ),
    Rule(
        Act.MARK_DROPPED,
        Who.OWNER_OR_LEAD,
        "After sign-off: drop an agreement, saying why",
        "owner_or_lead",
        "kind",
    ),
    Rule(
        Act.REOPEN,
        Who.OWNER_OR_LEAD,
        "After sign-off: pick up a done, dropped or stuck agreement again",
        "owner_or_lead",
        "kind",
    ),
)

_BY_ACT = {rule.act: rule for rule in RULES}


def may(act: Act, role: Role, by: str, agreement: Agreement | None = None) -> bool:
    """Whether `by`, a participant in `role`, may do `act` (to `agreement`, where it has one)."""
    who = _BY_ACT[act].who
    if who is Who.EITHER:
        return True
    if who is Who.LEAD:
        return role is Role.LEAD
    if who is Who.LEARNER:
        return role is Role.LEARNER
    if agreement is None:
        raise ValueError(f"{act} needs an agreement")
    if who is Who.WRITER_UNCONFIRMED:
        return agreement.created_by == by and agreement.author_id == by and not agreement.confirmed
    if who is Who.NOT_AUTHOR:
        return agreement.author_id != by
    if who is Who.NOT_REQUESTER:
        return agreement.removal_requested_by != by
    # OWNER_OR_LEAD
    return role is Role.LEAD or agreement.owner is Owner.BOTH or agreement.owner.value == role.value


def require(act: Act, role: Role, by: str, agreement: Agreement | None = None) -> None:
    if not may(act, role, by, agreement):
        rule = _BY_ACT[act]
        raise NotAllowed(rule.refusal, rule.field)


def markdown_table() -> str:
    """The rules as README shows them."""
    lines = ["| What | Who may |", "|---|---|"]
    lines += [f"| {rule.what} | {rule.who.value} |" for rule in RULES]
    return "\n".join(lines)
