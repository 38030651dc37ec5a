"""The lead-learner pairs an admin keeps, for the `pairs` rule of who may lead whom
(`domain/lead_rule.py`, `services/lead_pairs.py`).

A pair says that its lead may plan talks with its learner; a learner may have several leads
(a leidinggevende and a praktijkopleider, say). Removing a pair changes nothing about talks
planned before: the rule is checked at planning time only.
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, String, Table

from plugin.store.metadata import ID, metadata
from plugin.store.types import UTCDateTime

lead_pairs = Table(
    "lead_pairs",
    metadata,
    #: Entra tenant id, or "local": pairs never cross organisations. The key is the pair.
    Column("tenant_id", String(64), nullable=False, primary_key=True),
    #: The person who may lead; erasing a person removes their pairs with them.
    Column(
        "lead_id", ID, ForeignKey("people.id", ondelete="CASCADE"), nullable=False, primary_key=True
    ),
    #: The person they may plan talks with, as the learner.
    Column(
        "learner_id",
        ID,
        ForeignKey("people.id", ondelete="CASCADE"),
        nullable=False,
        primary_key=True,
    ),
    Column("created_at", UTCDateTime, nullable=False),
    #: Nobody leads themself (the planning rules refuse such a talk anyway).
    CheckConstraint("lead_id <> learner_id", name="not_self"),
)
#: "Who leads this learner?" is the planning check's question.
Index("ix_lead_pairs_learner_id", lead_pairs.c.tenant_id, lead_pairs.c.learner_id)
