"""The meeting chat in Microsoft mode: does the lead still need to consent, and posting the
signed talk's summary card there in the lead's name.

`consent_missing` runs in the web request where the lead signs: one on-behalf-of exchange with
the lead's Teams token, which also leaves their refresh token in their (encrypted) cache. The
worker later posts with `post`, which only ever uses that cache (it holds no Teams token). The
web process needs msal only; msgraph-sdk is imported on the first post, in the worker.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from plugin.identity.token_problems import TokenProblem
from plugin.identity.tokens import TokenService
from plugin.teams.card import TalkSummary, talk_card_message

if TYPE_CHECKING:
    from plugin.calendar.graph_client import GraphClient

log = logging.getLogger(__name__)

#: The delegated permission for posting as the user (not a resource-specific one).
CHAT_SCOPE_NAME = "ChatMessage.Send"


class GraphMeetingChat:
    def __init__(
        self,
        tokens: Callable[[], TokenService],
        client: Callable[[], GraphClient],
        graph_url: str,
    ) -> None:
        self._tokens = tokens
        self._client = client
        host = graph_url.rstrip("/").rsplit("/v1.0", 1)[0]
        self.scopes = (f"{host}/{CHAT_SCOPE_NAME}",)

    def consent_missing(self, user_key: str, assertion: str) -> bool:
        """True when on-behalf-of says the user must consent first (AADSTS65001).

        Any other trouble (Entra ID unreachable, say) is not a reason to stop a signature: the
        post is tried later, and its failure shows on the talk.
        """
        try:
            self._tokens().user_token(user_key, assertion, self.scopes)
        except TokenProblem as problem:
            if problem.kind == "consent_required":
                return True
            log.warning("could not check chat consent: %s", problem)
        return False

    def begin_consent(self, user_key: str, redirect_uri: str, login_hint: str) -> dict[str, Any]:
        """Start the pop-up's sign-in that asks the user to allow posting in their name."""
        return self._tokens().begin_consent(user_key, self.scopes, redirect_uri, login_hint)

    def finish_consent(
        self,
        user_key: str,
        flow: Mapping[str, Any],
        answer: Mapping[str, str],
        tenant_id: str,
        object_id: str,
    ) -> None:
        """Redeem the pop-up's answer; raises TokenProblem (declined, another account...)."""
        self._tokens().finish_consent(user_key, flow, answer, tenant_id, object_id)

    def post(
        self, user_key: str, chat_id: str, summary: TalkSummary, language: str, timezone: str
    ) -> str:
        """Post the summary card as the user; raises the chat module's errors."""
        from plugin.teams.chat import ChatRejected, RetryableChatError, post_card

        try:
            token = self._tokens().user_token_silent(user_key, self.scopes)
        except TokenProblem as problem:
            if problem.kind == "unavailable":
                raise RetryableChatError(str(problem)) from None  # Entra ID will be back
            raise ChatRejected(str(problem), "chat_permission") from None
        message = talk_card_message(summary, language, timezone=timezone)
        return post_card(self._client(), token, chat_id, message)
