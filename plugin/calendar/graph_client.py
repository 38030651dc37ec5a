"""One long-lived msgraph-sdk client per process, on its own event loop, callable from sync code.

msgraph-sdk is async only, and a client must stay on the loop it was made on (a fresh
`asyncio.run` per call fails with "Event loop is closed"). So each process gets one daemon
thread running one loop with one `GraphServiceClient`, and sync code hands it coroutines
(`GraphClient.call`). A forked child notices the changed pid and starts its own.

How the client is wired, and why (see README, "Microsoft Graph"):
- **TLS**: an `ssl.SSLContext` with the system's trust plus the configured extra CA. A context,
  not a file path, because httpx would otherwise let `SSL_CERT_FILE`-style variables win.
- **Middleware**: `GraphClientFactory.create_with_default_middleware` on our httpx client; a
  plain client would have no retry handler, so a 429 would not be retried.
- **Tokens**: an `AccessTokenProvider` giving msal's app token. Its allowed hosts name the Graph
  host only (no scheme, no port); a host outside the list silently gets no token.
- **Acting as a user**: some calls need a *delegated* token (posting to a meeting chat: Graph
  refuses app-only posts). `call_as_user` runs them on a second `GraphServiceClient` that
  shares the loop, the httpx client and its middleware; its token provider reads the caller's
  token from a context variable set inside that call's own task, so concurrent calls for
  different users never see each other's token, and the app's token is never sent instead.
- **Correlation**: every request carries a fresh `client-request-id`, which we log with Graph's
  `request-id` when something fails, so Microsoft support can find the call.

Importing this module is cheap; `warm()` pays the SDK's first-use cost (its model modules) once,
at worker start, instead of on the first booking.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextvars
import logging
import os
import threading
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.authentication import (
    AccessTokenProvider,
    AllowedHostsValidator,
    BaseBearerTokenAuthenticationProvider,
)
from kiota_http.middleware.options import RetryHandlerOption, UrlReplaceHandlerOption
from msgraph.generated.models.o_data_errors.o_data_error import ODataError
from msgraph.graph_request_adapter import GraphRequestAdapter
from msgraph.graph_service_client import GraphServiceClient
from msgraph_core import GraphClientFactory

from plugin.identity.tokens import TokenService
from plugin.tls import tls_context

log = logging.getLogger(__name__)

T = TypeVar("T")


@dataclass(frozen=True)
class GraphFailure:
    """What Graph said when it refused a request, read once from the SDK's error."""

    status: int
    code: str
    message: str
    headers: dict[str, str]

    @classmethod
    def read(cls, error: APIError, what: str) -> GraphFailure:
        """Read `error` and log it (with Graph's request ids, never a token) as `what` failed."""
        headers: dict[str, str] = {}
        for name, value in (error.response_headers or {}).items():
            if isinstance(value, (set, list, tuple)):
                value = next(iter(value), "")
            headers[name.lower()] = str(value)
        code, message = "", error.message or ""
        if isinstance(error, ODataError) and error.error is not None:
            code, message = error.error.code or "", error.error.message or message
        failure = cls(error.response_status_code or 0, code, message, headers)
        log.warning(
            "Graph %s failed: %s %s (request-id %s, client-request-id %s)",
            what,
            failure.status,
            code,
            headers.get("request-id", ""),
            headers.get("client-request-id", ""),
        )
        return failure

    @property
    def passing(self) -> bool:
        """Throttled, a server error or no answer: worth trying again later."""
        return self.status == 429 or self.status >= 500 or self.status == 0

    @property
    def retry_after(self) -> timedelta | None:
        try:
            return timedelta(seconds=max(0, int(self.headers.get("retry-after", ""))))
        except ValueError:
            return None


@dataclass(frozen=True)
class GraphOptions:
    """How patient to be with Graph. The defaults suit production; tests shorten them."""

    #: Seconds for one HTTP exchange (connect, write, read) with Graph.
    request_timeout: float = 30.0
    #: Seconds a whole operation may take, the SDK's own retries included.
    call_timeout: float = 120.0
    #: Retries the SDK makes on 429/503/504 before the outbox takes over.
    max_retries: int = 3
    #: Base delay the SDK adds to its back-off when Graph sends no `Retry-After`.
    retry_delay: float = 3.0


class _AppTokens(AccessTokenProvider):
    def __init__(self, tokens: TokenService, host: str) -> None:
        self._tokens = tokens
        self._hosts = AllowedHostsValidator([host])

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        # msal is blocking (requests); it answers from its cache nearly always.
        return await asyncio.get_running_loop().run_in_executor(None, self._tokens.app_token)

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._hosts


#: The delegated token of the `call_as_user` call running in this task (None elsewhere).
_USER_TOKEN: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "graph_user_token", default=None
)


class _UserTokens(AccessTokenProvider):
    def __init__(self, host: str) -> None:
        self._hosts = AllowedHostsValidator([host])

    async def get_authorization_token(
        self, uri: str, additional_authentication_context: dict[str, Any] | None = None
    ) -> str:
        token = _USER_TOKEN.get()
        if not token:
            # Only reachable by using the user client outside `call_as_user`: fail loudly
            # rather than send a request without a token.
            raise RuntimeError("a delegated Graph call was made without the user's token")
        return token

    def get_allowed_hosts_validator(self) -> AllowedHostsValidator:
        return self._hosts


async def _stamp_request_id(request: httpx.Request) -> None:
    request.headers.setdefault("client-request-id", str(uuid.uuid4()))


class GraphClient:
    """Runs msgraph-sdk coroutines on this process's Graph loop."""

    def __init__(
        self,
        tokens: TokenService,
        *,
        graph_url: str,
        ca_bundle: Path | None = None,
        options: GraphOptions | None = None,
    ) -> None:
        self.graph_url = graph_url.rstrip("/")
        self.options = options or GraphOptions()
        self._tokens = tokens
        self._ca_bundle = ca_bundle
        self._lock = threading.Lock()
        self._pid: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: GraphServiceClient | None = None
        self._user_client: GraphServiceClient | None = None
        self._http: httpx.AsyncClient | None = None

    def call(self, work: Callable[[GraphServiceClient], Awaitable[T]]) -> T:
        """Run `work(client)` on the Graph loop and wait for it (at most `call_timeout`)."""
        loop, client = self._ensure_started()
        future = asyncio.run_coroutine_threadsafe(_awaited(work(client)), loop)
        try:
            return future.result(self.options.call_timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def call_as_user(
        self, access_token: str, work: Callable[[GraphServiceClient], Awaitable[T]]
    ) -> T:
        """Like `call`, but every request of `work` carries this delegated ``access_token``."""
        if not access_token:
            raise ValueError("call_as_user needs the user's access token")
        loop, _ = self._ensure_started()
        with self._lock:
            user_client = self._user_client
        assert user_client is not None

        async def as_user() -> T:
            # This task runs in its own copy of the context: the token is visible to this
            # call's requests only.
            _USER_TOKEN.set(access_token)
            return await work(user_client)

        future = asyncio.run_coroutine_threadsafe(as_user(), loop)
        try:
            return future.result(self.options.call_timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def warm(self) -> None:
        """Load the SDK's model modules now (about a second), not on the first real call."""
        from kiota_serialization_json.json_parse_node_factory import JsonParseNodeFactory
        from msgraph.generated.models.event import Event

        node = JsonParseNodeFactory().get_root_parse_node(
            "application/json",
            b'{"id": "warm", "subject": "warm", "start": {"dateTime": "2027-01-04T09:00:00",'
            b' "timeZone": "UTC"}, "attendees": [{"emailAddress": {"address": "a@b.c"}}]}',
        )
        node.get_object_value(Event)
        self._ensure_started()

    def close(self) -> None:
        with self._lock:
            loop, http = self._loop, self._http
            self._loop = self._client = self._user_client = self._http = None
            self._pid = None
        if loop is None or loop.is_closed():
            return
        if http is not None:
            asyncio.run_coroutine_threadsafe(http.aclose(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)

    # -- plumbing -----------------------------------------------------------------------------

    def _ensure_started(self) -> tuple[asyncio.AbstractEventLoop, GraphServiceClient]:
        with self._lock:
            if self._pid != os.getpid() or self._loop is None or self._client is None:
                # First use, or a forked child: the parent's loop thread does not exist here.
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="graph-loop", daemon=True)
                thread.start()
                self._loop = loop
                self._client = asyncio.run_coroutine_threadsafe(self._make_client(), loop).result(
                    30
                )
                self._pid = os.getpid()
            return self._loop, self._client

    async def _make_client(self) -> GraphServiceClient:
        host = urlsplit(self.graph_url).hostname or ""
        self._http = httpx.AsyncClient(
            verify=tls_context(self._ca_bundle),
            timeout=httpx.Timeout(self.options.request_timeout),
            trust_env=False,
            event_hooks={"request": [_stamp_request_id]},
        )
        retry = RetryHandlerOption(
            delay=self.options.retry_delay, max_retries=self.options.max_retries
        )
        # The SDK writes `/me` as `/users/me-token-to-replace`; its own client sets up this
        # replacement, so ours must too (else `graph.me…` asks for a user of that name).
        me = UrlReplaceHandlerOption(
            enabled=True, replacement_pairs={"/users/me-token-to-replace": "/me"}
        )
        http = GraphClientFactory.create_with_default_middleware(
            client=self._http,
            options={RetryHandlerOption.get_key(): retry, UrlReplaceHandlerOption.get_key(): me},
        )
        self._user_client = self._service_client(_UserTokens(host), http)
        return self._service_client(_AppTokens(self._tokens, host), http)

    def _service_client(
        self, tokens: AccessTokenProvider, http: httpx.AsyncClient
    ) -> GraphServiceClient:
        adapter = GraphRequestAdapter(BaseBearerTokenAuthenticationProvider(tokens), client=http)
        adapter.base_url = self.graph_url
        return GraphServiceClient(request_adapter=adapter)


async def _awaited(awaitable: Awaitable[T]) -> T:
    return await awaitable
