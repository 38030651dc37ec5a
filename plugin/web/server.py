"""Serving with gunicorn (a production WSGI server), started from our own command line."""

from __future__ import annotations

import gc
import logging
from collections.abc import Callable
from typing import Any

from flask import Flask
from gunicorn.app.base import BaseApplication

log = logging.getLogger(__name__)


class GunicornServer(BaseApplication):  # type: ignore[misc]
    def __init__(
        self,
        app: Flask,
        *,
        bind: str,
        workers: int,
        threads: int,
        post_fork: Callable[[], None],
        when_ready: Callable[[], None],
    ) -> None:
        self._app = app
        self._options: dict[str, Any] = {
            "bind": bind,
            "workers": workers,
            "threads": threads,
            "worker_class": "gthread",
            "preload_app": True,
            "accesslog": None,
            "errorlog": "-",
            "loglevel": "warning",
            "timeout": 60,
            # Live panels poll twice a second over one connection; keep it open between polls
            # (gunicorn's default of 2 s races the clients' reuse of idle connections).
            "keepalive": 75,
            "graceful_timeout": 10,
            # As Python's docs advise for forked workers (`gc.freeze`): what the master built
            # (modules, the app, its schemas) moves out of the collector's sight before each
            # fork, so a worker's full collection no longer walks it (that pause was up to
            # 150 ms under load, holding every request of the worker), and the workers' memory
            # stays shared with the master's.
            "pre_fork": lambda _server, _worker: gc.freeze(),
            "post_fork": lambda _server, _worker: post_fork(),
            "when_ready": lambda _server: when_ready(),
        }
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self) -> Flask:
        return self._app
