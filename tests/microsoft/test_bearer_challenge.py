"""Microsoft mode's refusals follow RFC 6750: a request without a token learns which scheme
gets in (and nothing about what it sent), a refused token is named as such, and the API's
description declares the bearer scheme on every operation."""

from __future__ import annotations

import uuid

from flask import Flask

from plugin.domain.clock import FixedClock
from tests.microsoft.entra_fake import EntraFake
from tests.microsoft.fixtures import bearer, https_client


def operations(app: Flask) -> list[tuple[str, str]]:
    document = https_client(app).get("/api/openapi.json").json
    return [(method, path) for path, ops in document["paths"].items() for method in ops]


def test_every_operation_without_a_token_is_401_with_a_bearer_challenge(ms_app: Flask) -> None:
    client = https_client(ms_app)
    found = operations(ms_app)
    assert len(found) > 25
    for method, path in found:
        url = path.replace("{", "").replace("}", "")
        # A body and query string that would each be a 422 for someone signed in.
        answer = client.open(
            url,
            method=method.upper(),
            data=b"{not json",
            headers={"Content-Type": "application/json"},
            query_string={"start": "gisteren", "version": "x"},
        )
        assert answer.status_code == 401, (method, path, answer.json)
        assert answer.json["error"]["code"] == "unauthenticated"
        assert answer.headers["WWW-Authenticate"] == "Bearer", (method, path)


def test_a_refused_token_is_named_invalid(
    ms_app: Flask, entra: EntraFake, clock: FixedClock
) -> None:
    client = https_client(ms_app)
    for header in ("Bearer not-a-token", "Bearer", "Basic abc"):
        answer = client.get("/api/me", headers={"Authorization": header})
        assert answer.status_code == 401
        assert answer.headers["WWW-Authenticate"] == 'Bearer error="invalid_token"'
    good = client.get("/api/me", headers=bearer(entra, clock, str(uuid.uuid4())))
    assert good.status_code == 200
    assert "WWW-Authenticate" not in good.headers


def test_the_description_declares_the_bearer_scheme(ms_app: Flask) -> None:
    document = https_client(ms_app).get("/api/openapi.json").json
    assert document["components"]["securitySchemes"] == {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "bearerFormat": "JWT",
            "description": document["components"]["securitySchemes"]["bearer"]["description"],
        }
    }
    for ops in document["paths"].values():
        for operation in ops.values():
            assert operation["security"] == [{"bearer": []}]
