"""What the tests of planning as a kind of talk share: which type a stored talk was planned as."""

from __future__ import annotations

from plugin.domain.talk import Talk
from plugin.services.context import Services
from plugin.store import talk_types as store


def kind_of(services: Services, talk_id: str) -> str:
    """The id of the type version the talk keeps (its `template_id` names a stored copy)."""

    def read(session: object) -> str:
        talk = session.get(Talk, talk_id)  # type: ignore[attr-defined]
        assert talk is not None
        content = store.stored_content(session, talk.template_id)  # type: ignore[arg-type]
        assert content is not None, "the talk's type version was not kept"
        return str(content["id"])

    return services.read(read)
