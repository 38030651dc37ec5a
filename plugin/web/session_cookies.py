"""Flask's signed session cookie, with each verified cookie's contents kept for a while.

A live panel sends the same cookie twice a second. Checking its signature and decoding it
(itsdangerous: HMAC, base64, zlib, JSON) is a fifth of what a poll costs the server, every
time for the same bytes. So a cookie, once verified, is remembered by its exact value with
the moment it was signed; a later request with that value gets a fresh copy of its contents,
after the same age check Flask makes (`PERMANENT_SESSION_LIFETIME`). Anything else (a new
cookie, a changed one, a forged one) goes through Flask's own checks, unchanged.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import OrderedDict
from typing import Any

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface
from itsdangerous import BadSignature, URLSafeTimedSerializer

#: Cookies remembered per process: one per open panel or tab, with room to spare.
SIZE = 10_000
_SCALARS = (str, int, float, bool, type(None))


def _own_copy(data: dict[str, Any]) -> dict[str, Any]:
    """A copy no other request shares (ours hold scalars only: a shallow copy will do)."""
    if all(type(value) in _SCALARS for value in data.values()):
        return dict(data)
    return copy.deepcopy(data)


class RememberingSessionInterface(SecureCookieSessionInterface):
    def __init__(self, size: int = SIZE) -> None:
        self._size = size
        self._known: OrderedDict[str, tuple[dict[str, Any], float]] = OrderedDict()
        self._lock = threading.Lock()
        self._serializers: dict[int, tuple[object, URLSafeTimedSerializer]] = {}

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        # Flask builds a new serializer (and derives its key) on every request: one per key.
        if not app.secret_key:
            return None
        key = (app.secret_key, tuple(app.config.get("SECRET_KEY_FALLBACKS") or ()))
        known = self._serializers.get(id(app))
        if known is None or known[0] != key:
            made = super().get_signing_serializer(app)
            if made is None:
                return None
            known = self._serializers[id(app)] = (key, made)
        return known[1]

    def known(self, app: Flask, value: str) -> dict[str, Any] | None:
        """A copy of the contents of the cookie `value` if it was verified before and is not
        too old yet; None means it must be verified (`open_session`)."""
        with self._lock:
            known = self._known.get(value)
            if known is not None:
                self._known.move_to_end(value)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        if known is None or time.time() - known[1] > max_age:
            return None
        return _own_copy(known[0])

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        known = self.known(app, value)
        if known is not None:
            return self.session_class(known)
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        with self._lock:
            self._known[value] = (data, signed_at.timestamp())
            while len(self._known) > self._size:
                self._known.popitem(last=False)
        return self.session_class(_own_copy(data))
