"""API routes that describe themselves: each route declares its body model and answer, and
`/api/openapi.json` is built from those declarations (pydantic supplies the JSON Schemas)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Blueprint, request
from pydantic import BaseModel, ValidationError

from plugin.web.errors import BadRequest

REF = "#/components/schemas/{model}"


@dataclass(frozen=True)
class Operation:
    method: str
    rule: str
    summary: str
    tag: str
    body: type[BaseModel] | None
    status: int
    content_type: str


def read_body(model: type[BaseModel]) -> BaseModel:
    if not request.is_json:
        raise BadRequest("json_required")
    raw = request.get_data(cache=True)
    try:
        return model.model_validate_json(raw or b"{}")
    except ValidationError as error:
        if any(e["type"] == "json_invalid" for e in error.errors()):
            raise BadRequest("malformed_json") from None
        raise


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
        status: int = 200,
        content_type: str = "application/json",
    ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
            @wraps(view)
            def endpoint(**kwargs: Any) -> Any:
                if body is not None:
                    kwargs["body"] = read_body(body)
                result = view(**kwargs)
                return (result, status) if isinstance(result, dict | list) else result

            self.blueprint.add_url_rule(
                rule, endpoint=view.__name__, view_func=endpoint, methods=[method]
            )
            self.operations.append(
                Operation(method.lower(), rule, summary, tag, body, status, content_type)
            )
            return endpoint

        return decorate

    def document(self, prefix: str) -> dict[str, Any]:
        paths: dict[str, dict[str, Any]] = {}
        schemas: dict[str, Any] = {"Error": ERROR_SCHEMA}
        for op in self.operations:
            path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", prefix + op.rule)
            params = re.findall(r"{(\w+)}", path)
            entry: dict[str, Any] = {
                "summary": op.summary,
                "operationId": f"{op.method}_{re.sub(r'[^a-z0-9]+', '_', path.lower()).strip('_')}",
                "tags": [op.tag],
                "parameters": [
                    {"name": p, "in": "path", "required": True, "schema": {"type": "string"}}
                    for p in params
                ],
                "responses": {
                    str(op.status): {
                        "description": "OK",
                        "content": {op.content_type: {"schema": {}}},
                    },
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
        return {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": self.version},
            "paths": paths,
            "components": {
                "schemas": schemas,
                "securitySchemes": {
                    "session": {
                        "type": "apiKey",
                        "in": "cookie",
                        "name": "ontwikkelgesprek_session",
                    },
                    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
                },
            },
            "security": [{"session": [], "csrf": []}],
        }


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
