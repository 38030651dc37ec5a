"""API routes that describe themselves: each route declares its body and query models and its
answer, and `/api/openapi.json` is built from those declarations (pydantic supplies the JSON
Schemas).

Every route checks, in this order, before its view runs: who is asking (401), the CSRF token
of a cookie-signed change (403), then the request's own content (400/413/422). So a request
without a token learns nothing about what it sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Blueprint, current_app, request
from pydantic import BaseModel

from plugin.domain.errors import InvalidInput
from plugin.web.errors import BadRequest, PayloadTooLarge, Unauthenticated
from plugin.web.session import SAFE_METHODS, check_csrf, signed_in_identity

REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    summary: str
    tag: str
    body: type[BaseModel] | None
    query: type[BaseModel] | None
    status: int
    content_type: str


def read_body(model: type[BaseModel]) -> BaseModel:
    if not request.is_json:
        raise BadRequest("json_required")
    raw = request.get_data(cache=True)
    # A body sent in chunks has no Content-Length for Werkzeug to refuse up front; it is cut
    # off at the limit instead, so a body that fills the limit is one that went over it.
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    if limit is not None and len(raw) >= limit:
        raise PayloadTooLarge()
    try:
        parsed = json.loads(raw or b"{}")
    except (ValueError, RecursionError):  # nested deeper than any body of ours is malformed too
        raise BadRequest("malformed_json") from None
    refuse_control_characters(parsed)
    # Validated from the JSON text again, not from `parsed`: strict JSON mode is what accepts
    # ISO 8601 strings as times while refusing "1" for a number.
    return model.model_validate_json(raw or b"{}")


def read_query(model: type[BaseModel]) -> BaseModel:
    values = request.args.to_dict(flat=True)
    refuse_control_characters(values)
    return model.model_validate(values)


#: Line breaks and tabs are text; every other control character, and a lone surrogate (which
#: no UTF-8 can carry), only ever comes from a broken or hostile client.
_ALLOWED_CONTROLS = frozenset("\t\n\r")


def _bad_character(text: str) -> bool:
    return any(
        (ord(ch) < 32 and ch not in _ALLOWED_CONTROLS)
        or ord(ch) == 127
        or 0xD800 <= ord(ch) <= 0xDFFF
        for ch in text
    )


def refuse_control_characters(value: Any, field: str = "") -> None:
    """Refuse a request whose text anywhere (keys too) holds a control character, naming the
    field: the same answer on every database, and nothing of it is ever stored."""
    if isinstance(value, str):
        if _bad_character(value):
            raise InvalidInput("control_characters", field or None)
    elif isinstance(value, dict):
        for key, item in value.items():
            name = f"{field}.{key}" if field else str(key)
            if _bad_character(str(key)):
                raise InvalidInput("control_characters", field or None)
            refuse_control_characters(item, name)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            refuse_control_characters(item, f"{field}[{index}]")


class Api:
    def __init__(self, blueprint: Blueprint, title: str, version: str) -> None:
        self.blueprint = blueprint
        self.title = title
        self.version = version
        self.operations: list[Operation] = []

    def route(
        self,
        method: str,
        rule: str,
        *,
        summary: str,
        tag: str,
        body: type[BaseModel] | None = None,
        query: type[BaseModel] | None = None,
        status: int = 200,
        content_type: str = "application/json",
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(view)
            def endpoint(**kwargs: Any) -> Any:
                if signed_in_identity() is None:
                    raise Unauthenticated()
                if method not in SAFE_METHODS:
                    check_csrf()
                if body is not None:
                    kwargs["body"] = read_body(body)
                if query is not None:
                    kwargs["query"] = read_query(query)
                result = view(**kwargs)
                return (result, status) if isinstance(result, dict | list) else result

            self.blueprint.add_url_rule(
                rule, endpoint=view.__name__, view_func=endpoint, methods=[method]
            )
            self.operations.append(
                Operation(method.lower(), rule, summary, tag, body, query, status, content_type)
            )
            return endpoint

        return decorate

    def document(self, prefix: str, *, microsoft: bool) -> dict[str, Any]:
        """The OpenAPI 3.1 document; its security is the running mode's (bearer tokens in
        Microsoft mode, the session cookie plus the CSRF header for changes in local mode)."""
        paths: dict[str, dict[str, Any]] = {}
        schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
        for op in self.operations:
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", prefix + op.rule)
            params: list[dict[str, Any]] = [
                {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                for p in re.findall(r"{(\w+)}", path)
            ]
            if op.query is not None:
                query = op.query.model_json_schema(ref_template=REF)
                params += [
                    {
                        "name": name,
                        "in": "query",
                        "required": name in query.get("required", []),
                        "schema": schema,
                    }
                    for name, schema in query["properties"].items()
                ]
            entry: dict[str, Any] = {
                "summary": op.summary,
                "operationId": f"{op.method}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
                "tags": [op.tag],
                "parameters": params,
                "security": _security(op.method, microsoft=microsoft),
                "responses": {
                    str(op.status): {
                        "description": "OK",
                        "content": {op.content_type: {"schema": {}}},
                    },
                    "401": {"$ref": "#/components/responses/Unauthenticated"},
                    "default": {
                        "description": "An error, with a message in the user's language",
                        "content": {
                            "application/json": {"schema": {"$ref": REF.format(model="Error")}}
                        },
                    },
                },
            }
            if op.body is not None:
                schema = op.body.model_json_schema(ref_template=REF)
                schemas.update(schema.pop("$defs", {}))
                schemas[op.body.__name__] = schema
                entry["requestBody"] = {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": REF.format(model=op.body.__name__)}}
                    },
                }
            paths.setdefault(path, {})[op.method] = entry
        schemes = BEARER_SCHEMES if microsoft else SESSION_SCHEMES
        return {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": self.version},
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": schemes,
                "responses": {
                    "Unauthenticated": {
                        "description": "Not signed in: no valid session or token",
                        "content": {
                            "application/json": {"schema": {"$ref": REF.format(model="Error")}}
                        },
                    }
                },
            },
        }


SESSION_SCHEMES: dict[str, Any] = {
    "session": {
        "type": "apiKey",
        "in": "cookie",
        "name": "ontwikkelgesprek_session",
        "description": "Set by a one-time sign-in link (local mode).",
    },
    "csrf": {
        "type": "apiKey",
        "in": "header",
        "name": "X-CSRF-Token",
        "description": "The session's CSRF token (from GET /api/me), on every change.",
    },
}
BEARER_SCHEMES: dict[str, Any] = {
    "bearer": {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "JWT",
        "description": "A Teams SSO token for api://<host>/<client-id> (Microsoft mode).",
    }
}


def _security(method: str, *, microsoft: bool) -> list[dict[str, list[str]]]:
    if microsoft:
        return [{"bearer": []}]
    if method.upper() in SAFE_METHODS:
        return [{"session": []}]
    return [{"session": [], "csrf": []}]


ERROR_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["error"],
    "properties": {
        "error": {
            "type": "object",
            "required": ["code", "message"],
            "properties": {
                "code": {"type": "string"},
                "message": {"type": "string"},
                "field": {"type": ["string", "null"]},
                "details": {"type": "array", "items": {"type": "object"}},
                "current": {},
            },
        }
    },
}
