"""The talk form: what the two sign, its SHA-256 content hash, and the check that it is intact."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from plugin.domain.agenda import summary

if TYPE_CHECKING:
    from plugin.domain.talk import Talk


def talk_form(talk: Talk, names: Mapping[str, str]) -> dict[str, Any]:
    """The talk form: what the two sign. Only content, in a stable order. Parts added later
    (the learner's own goal) appear only when they say something, so forms signed before them
    keep their shape and their check."""
    form: dict[str, Any] = {
        "talk_id": talk.id,
        "tenant_id": talk.tenant_id,
        "title": talk.title,
        "starts_at": talk.starts_at.isoformat(),
        "lead": {"id": talk.lead_id, "name": names.get(talk.lead_id, "")},
        "learner": {"id": talk.learner_id, "name": names.get(talk.learner_id, "")},
        "template_id": talk.template_id,
        "goals": list(talk.goals),
        "own_goal": talk.own_goal,
        "agreements": [
            {
                "id": a.id,
                "what": a.what,
                "owner": a.owner.value,
                "due": a.due.isoformat() if a.due else None,
                "reaction": a.reaction,
                "author_id": a.author_id,
                "confirmed_by": a.confirmed_by,
                "confirmed_at": a.confirmed_at.isoformat() if a.confirmed_at else None,
            }
            for a in sorted(talk.agreements, key=lambda a: a.position)
        ],
        "signatures": [
            {
                "person_id": s.person_id,
                "role": s.role.value,
                "signed_at": s.signed_at.isoformat(),
            }
            for s in sorted(talk.signatures, key=lambda s: s.role.value)
        ],
    }
    if talk.learner_goal:
        form["learner_goal"] = talk.learner_goal
    notes = summary(talk.agenda_notes)
    if notes:
        form["summary"] = notes
    return form


def form_intact(talk: Talk, names: Mapping[str, str]) -> bool:
    """True when the stored form matches its hash and the talk's current content."""
    if talk.signed_form is None or talk.content_hash is None:
        return False
    return form_hash(talk.signed_form) == talk.content_hash and talk_form(talk, names) == {
        **talk.signed_form,
        # Names may change after signing (a marriage, a typo fixed); ids may not.
        "lead": {**talk.signed_form["lead"], "name": names.get(talk.lead_id, "")},
        "learner": {**talk.signed_form["learner"], "name": names.get(talk.learner_id, "")},
    }


def content_to_sign(talk: Talk) -> dict[str, Any]:
    """What a signature covers: the form as both see it before signing, without the signatures
    (they come one by one) and the names (they may be corrected; the ids stay)."""
    form = talk_form(talk, {})
    del form["signatures"]
    # A removal that waits for confirmation is part of what both must have seen. (Not part of
    # the signed form itself: nobody signs while one waits, and stored forms keep their shape.)
    waiting = {a.id: a.removal_requested_by for a in talk.agreements}
    for item in form["agreements"]:
        item["removal_requested_by"] = waiting[item["id"]]
    return form


def signing_hash(talk: Talk) -> str:
    """The hash a signer names: it changes with every change of what the form says."""
    return form_hash(content_to_sign(talk))


def form_hash(form: Mapping[str, Any]) -> str:
    canonical = json.dumps(form, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()
