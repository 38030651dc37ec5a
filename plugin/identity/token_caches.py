"""Where Microsoft mode's tokens are kept: one in-memory msal cache shared by every tenant's
client, and a user's part of it persisted as one encrypted file per user, so a restarted
process serves their tokens (access token, refresh token, id token, account) without asking
Entra ID again. App tokens (client credentials) live only in memory.

A file's name is an HMAC of the user key and its body is Fernet-encrypted, both keyed from the
server's secret: another key neither finds nor reads it. A file that is unreadable, corrupt or
undecryptable counts as empty (the user signs in again), never as an error.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msal
from cryptography.fernet import InvalidToken

from plugin.identity.signed import fernet

log = logging.getLogger(__name__)

_CACHE_FORMAT = 1


class PartitionedCache(msal.SerializableTokenCache):  # type: ignore[misc]
    """msal's cache, with per-account export and merge (msal's unified cache schema)."""

    def partition(self, home_account_id: str) -> dict[str, dict[str, Any]]:
        with self._lock:
            out: dict[str, dict[str, Any]] = {}
            for credential_type, entries in self._cache.items():
                if not isinstance(entries, dict):
                    continue
                kept = {
                    key: entry
                    for key, entry in entries.items()
                    if credential_type == "AppMetadata"
                    or (isinstance(entry, dict) and entry.get("home_account_id") == home_account_id)
                }
                if kept:
                    out[credential_type] = kept
            copied: dict[str, dict[str, Any]] = json.loads(json.dumps(out))  # a deep copy
            return copied

    def merge(self, partition: Mapping[str, Any]) -> None:
        with self._lock:
            for credential_type, entries in partition.items():
                if isinstance(entries, dict):
                    self._cache.setdefault(credential_type, {}).update(entries)


class UserTokenCaches:
    """The shared msal cache (`memory`) and the users' encrypted cache files under ``cache_dir``.

    `load`, `adopt` and `persist` expect the caller to hold `lock` for that user: the lock must
    span the msal calls between loading and persisting, which only the caller makes.
    """

    def __init__(self, cache_dir: Path, encryption_key: bytes) -> None:
        self.memory = PartitionedCache()
        self._cache_dir = cache_dir
        self._fernet = fernet(encryption_key, b"ontwikkelgesprek/token-cache/v1")
        self._name_key = hashlib.sha256(b"ontwikkelgesprek/token-cache-name\0" + encryption_key)
        self._users_lock = threading.Lock()
        self._user_locks: dict[str, threading.Lock] = {}
        self._home_accounts: dict[str, str | None] = {}  # user_key → home_account_id (loaded)
        self._written: dict[str, str] = {}  # user_key → digest of the last partition written
        # user_key → the cache file's mtime when last read or written: another process (the
        # web, where consent and on-behalf-of happen) may write a newer one for a worker.
        self._file_versions: dict[str, int | None] = {}

    def lock(self, user_key: str) -> threading.Lock:
        with self._users_lock:
            return self._user_locks.setdefault(user_key, threading.Lock())

    def load(self, user_key: str) -> str | None:
        """The user's home_account_id, their file merged into `memory` if it is new or newer."""
        path = self._path(user_key)
        version = _file_version(path)
        if user_key in self._home_accounts and self._file_versions.get(user_key) == version:
            return self._home_accounts[user_key]
        home_account_id: str | None = self._home_accounts.get(user_key)
        self._file_versions[user_key] = version
        try:
            blob = path.read_bytes()
        except FileNotFoundError:
            blob = None
        except OSError as exc:
            log.warning("token cache %s unreadable (%s); starting empty", path.name, exc.strerror)
            blob = None
        if blob is not None:
            try:
                envelope = json.loads(self._fernet.decrypt(blob))
                if envelope.get("v") != _CACHE_FORMAT:
                    raise ValueError("format")
                home_account_id = str(envelope["home_account_id"])
                self.memory.merge(envelope["cache"])
            except (InvalidToken, ValueError, KeyError, TypeError, AttributeError):
                log.warning("token cache %s is corrupt or undecryptable; ignored", path.name)
        self._home_accounts[user_key] = home_account_id
        return home_account_id

    def adopt(self, user_key: str, home_account_id: str) -> None:
        """Make ``home_account_id`` the user's account (a new sign-in) and persist it."""
        self._home_accounts[user_key] = home_account_id
        self.persist(user_key, home_account_id)

    def persist(self, user_key: str, home_account_id: str) -> None:
        """Write the user's part of `memory` to their file, unless it is unchanged."""
        partition = self.memory.partition(home_account_id)
        body = json.dumps(
            {"v": _CACHE_FORMAT, "home_account_id": home_account_id, "cache": partition},
            sort_keys=True,
        ).encode("utf-8")
        digest = hashlib.sha256(body).hexdigest()
        if self._written.get(user_key) == digest:
            return
        path = self._path(user_key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".tokens")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(self._fernet.encrypt(body))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        self._written[user_key] = digest
        self._file_versions[user_key] = _file_version(path)

    def forget(self, user_key: str) -> None:
        """Drop the user's file (takes the user's lock itself)."""
        with self.lock(user_key):
            self._path(user_key).unlink(missing_ok=True)
            self._home_accounts.pop(user_key, None)
            self._written.pop(user_key, None)

    def _path(self, user_key: str) -> Path:
        name = hmac.new(self._name_key.digest(), user_key.encode("utf-8"), "sha256").hexdigest()
        return self._cache_dir / f"{name}.tokens"


def _file_version(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


__all__ = ["PartitionedCache", "UserTokenCaches"]
