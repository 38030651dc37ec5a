"""A person's manager in Entra ID: `GET /users/{id}/manager` (application permission
User.Read.All), for the `manager` rule of who may lead whom (`services/lead_rule.py`).

msgraph-sdk is imported on the first look-up, never at start-up.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from plugin.calendar.graph_client import GraphClient

log = logging.getLogger(__name__)


class ManagerUnavailable(Exception):
    """Graph did not answer who the manager is (throttled, down, refused): try again later."""


def graph_manager_lookup(client: Callable[[], GraphClient]) -> Callable[[str], str | None]:
    """Looks up the object id of a user's manager by the user's object id (None: no manager,
    Graph's 404 `Request_ResourceNotFound`)."""

    def manager_of(object_id: str) -> str | None:
        from kiota_abstractions.api_error import APIError
        from kiota_abstractions.base_request_configuration import RequestConfiguration
        from msgraph.generated.users.item.manager.manager_request_builder import (
            ManagerRequestBuilder,
        )

        from plugin.calendar.graph_client import GraphFailure

        config = RequestConfiguration[
            ManagerRequestBuilder.ManagerRequestBuilderGetQueryParameters
        ]()
        config.query_parameters = ManagerRequestBuilder.ManagerRequestBuilderGetQueryParameters(
            select=["id"]
        )
        try:
            found = client().call(lambda g: g.users.by_user_id(object_id).manager.get(config))
        except APIError as error:
            if error.response_status_code == 404:
                return None
            GraphFailure.read(error, "read manager")
            raise ManagerUnavailable() from None
        except TimeoutError:
            log.warning("Graph read manager timed out")
            raise ManagerUnavailable() from None
        return found.id if found is not None else None

    return manager_of
