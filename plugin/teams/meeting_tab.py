"""Our tab in a talk's Teams meeting, put there by the worker through Microsoft Graph.

No manifest setting adds an app to every meeting (msteams-docs#5056), so for each talk's
meeting the worker, with the app's own token:

1. finds our app in the organisation's app catalog once per process
   (`GET /appCatalogs/teamsApps?$filter=externalId eq '<manifest id>'`; the catalog's id is
   not the manifest's). Application permission `AppCatalog.Read.All`.
2. installs it in the meeting's chat (`POST /chats/{id}/installedApps`): least privileged
   `TeamsAppInstallation.ReadWriteSelfForChat.All` (this app only). 409 means it is there.
3. pins the talk's tab (`POST /chats/{id}/tabs`), `TeamsTab.ReadWriteSelfForChat.All` (this
   app's own tabs only, reading them included).

Graph does not deduplicate tabs, so when the app was there already (step 2 answered 409: a
person added it, or an earlier try got this far) the chat's tabs are read first and a tab of
ours counts as done. A fresh installation cannot have our tab yet, so the usual cost is two
requests per meeting (three after a 409), plus one catalog read per worker process.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx
from kiota_abstractions.api_error import APIError
from kiota_abstractions.base_request_configuration import RequestConfiguration
from msgraph.generated.app_catalogs.teams_apps.teams_apps_request_builder import (
    TeamsAppsRequestBuilder,
)
from msgraph.generated.chats.item.tabs.tabs_request_builder import TabsRequestBuilder
from msgraph.generated.models.teams_app_installation import TeamsAppInstallation
from msgraph.generated.models.teams_tab import TeamsTab
from msgraph.generated.models.teams_tab_configuration import TeamsTabConfiguration
from msgraph.graph_service_client import GraphServiceClient

from plugin.calendar.graph_client import GraphClient, GraphFailure
from plugin.calendar.port import CalendarRejected, RetryableCalendarError
from plugin.identity.token_problems import TokenProblem

log = logging.getLogger(__name__)

T = TypeVar("T")

TAB_NAME = "Ontwikkelgesprek"


class GraphMeetingTabs:
    def __init__(
        self, client: Callable[[], GraphClient], graph_url: str, teams_app_id: str
    ) -> None:
        self._client = client
        self._graph_url = graph_url.rstrip("/")
        #: The manifest's id: the catalog knows our app as this `externalId`.
        self._external_id = teams_app_id
        self._catalog_id: str | None = None
        self._lock = threading.Lock()

    def pin(self, chat_id: str, talk_id: str, url: str) -> None:
        catalog_id = self._catalog_app_id()
        app_url = f"{self._graph_url}/appCatalogs/teamsApps/{catalog_id}"
        if self._install(chat_id, app_url) and self._has_our_tab(chat_id, catalog_id):
            log.info("our tab is in the meeting chat already")
            return
        tab = TeamsTab(
            display_name=TAB_NAME,
            configuration=TeamsTabConfiguration(
                entity_id=talk_id, content_url=url, website_url=url
            ),
            additional_data={"teamsApp@odata.bind": app_url},
        )
        self._run("pin tab", lambda g: g.chats.by_chat_id(chat_id).tabs.post(tab))
        log.info("pinned the talk's tab in its meeting chat")

    def _catalog_app_id(self) -> str:
        with self._lock:
            if self._catalog_id is not None:
                return self._catalog_id
        config = RequestConfiguration[
            TeamsAppsRequestBuilder.TeamsAppsRequestBuilderGetQueryParameters
        ]()
        config.query_parameters = TeamsAppsRequestBuilder.TeamsAppsRequestBuilderGetQueryParameters(
            filter=f"externalId eq '{self._external_id}'", select=["id"]
        )
        found = self._run("find app", lambda g: g.app_catalogs.teams_apps.get(config))
        first = next(iter(found.value or []), None) if found else None
        if first is None or not first.id:
            raise CalendarRejected(
                "find app: the Teams app is not in the organisation's app catalog; "
                "upload the app package first",
                reason="app_not_in_catalog",
            )
        with self._lock:
            self._catalog_id = first.id
        return first.id

    def _install(self, chat_id: str, app_url: str) -> bool:
        """Install the app in the chat; True when it was there already."""
        installation = TeamsAppInstallation(additional_data={"teamsApp@odata.bind": app_url})

        async def work(graph: GraphServiceClient) -> bool:
            try:
                await graph.chats.by_chat_id(chat_id).installed_apps.post(installation)
            except APIError as error:
                if error.response_status_code == 409:
                    return True
                raise
            return False

        return self._run("install app", work)

    def _has_our_tab(self, chat_id: str, catalog_id: str) -> bool:
        config = RequestConfiguration[TabsRequestBuilder.TabsRequestBuilderGetQueryParameters]()
        config.query_parameters = TabsRequestBuilder.TabsRequestBuilderGetQueryParameters(
            expand=["teamsApp"], filter=f"teamsApp/id eq '{catalog_id}'"
        )
        found = self._run("read tabs", lambda g: g.chats.by_chat_id(chat_id).tabs.get(config))
        return any(
            tab.teams_app is not None and tab.teams_app.id == catalog_id
            for tab in (found.value or [] if found else [])
        )

    def _run(self, operation: str, work: Callable[[GraphServiceClient], Awaitable[T]]) -> T:
        try:
            return self._client().call(work)
        except APIError as error:
            raise _rejected_or_retry(operation, error) from None
        except (httpx.TransportError, TimeoutError) as error:
            log.info("Graph %s: %s", operation, type(error).__name__)
            raise RetryableCalendarError(f"{operation}: {type(error).__name__}") from None
        except TokenProblem as problem:
            raise _token_trouble(operation, problem) from None


def _rejected_or_retry(operation: str, error: APIError) -> Exception:
    failure = GraphFailure.read(error, operation)
    text = f"{operation}: Graph answered {failure.status} {failure.code}: {failure.message}"
    if failure.passing:
        return RetryableCalendarError(text, retry_after=failure.retry_after)
    if failure.status in (401, 403):
        # What an admin reads in the worker's log when a permission was not granted.
        return CalendarRejected(text, reason="tab_permission")
    if failure.status == 404:
        return CalendarRejected(text, reason="chat_not_found")
    return CalendarRejected(text)


def _token_trouble(operation: str, problem: TokenProblem) -> Exception:
    if problem.kind == "unavailable":
        return RetryableCalendarError(f"{operation}: sign-in unavailable")
    return CalendarRejected(f"{operation}: {problem}", reason="calendar_sign_in")
