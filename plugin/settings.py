"""Configuration: `ONTWIKKELGESPREK_*` environment variables (and a `.env` file), then flags.

The names are a contract with admins' deployment scripts (see README). Microsoft mode is on
when both tenant id and client id are set; otherwise the app runs in local mode.
"""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import replace
from email.utils import parseaddr
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email
from platformdirs import user_data_dir
from pydantic import Field, SecretStr, ValidationError, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from plugin.notify.smtp_url import SmtpTarget, is_loopback, parse_smtp_url

LOCAL, MICROSOFT = "local", "microsoft"
PREFIX = "ONTWIKKELGESPREK_"

_GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-zA-Z0-9-]{1,63}\.)+[a-zA-Z]{2,63}$")
#: Hosts whose Graph resource is their own (national clouds); anything else (a proxy, the
#: tests' fake) is treated as the global service.
_GRAPH_HOSTS = re.compile(r"(^|\.)(graph\.microsoft\.[a-z.]+|microsoftgraph\.chinacloudapi\.cn)$")


def env_name(field: str) -> str:
    return f"{PREFIX}{field.upper()}"


def describe(error: ValidationError) -> str:
    """A pydantic error as lines naming the environment variables, never their values."""
    lines = []
    for item in error.errors():
        field = ".".join(str(part) for part in item["loc"]) or "settings"
        lines.append(f"{env_name(field)}: {item['msg']}")
    return "\n".join(lines)


def _check_address(address: str) -> None:
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError("must be an e-mail address like gesprekken@example.nl") from None


def _https_url(value: str) -> str:
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError("must be an https:// URL")
    return value.rstrip("/")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ONTWIKKELGESPREK_", env_file=".env", extra="ignore", frozen=True
    )

    data_dir: Path = Field(default_factory=lambda: Path(user_data_dir("ontwikkelgesprek")))
    database_url: str | None = None
    public_url: str | None = None
    tenant_id: str | None = None
    client_id: str | None = None
    client_secret: SecretStr | None = None
    client_cert_path: Path | None = None
    allowed_tenants: str | None = None
    authority_host: str = "https://login.microsoftonline.com"
    graph_url: str = "https://graph.microsoft.com/v1.0"
    ca_bundle: Path | None = None
    secret_key: SecretStr | None = None
    #: The organisation's language: invites, follow-up titles, the default UI language.
    language: str = "nl"
    #: An organisation's own checklist template (JSON, same shape as checklists/default.json).
    checklist_path: Path | None = None
    #: A folder of the organisation's own talk types (*.json, as static/schemas/talk-type.json):
    #: each adds a type, or replaces the built-in type with the same id.
    talk_types_dir: Path | None = None
    #: The working hours' time zone (and the feeds').
    timezone: str = "Europe/Amsterdam"
    #: How many reverse proxies in front may be believed about scheme, host and client address.
    proxy_hops: int = Field(default=0, ge=0, le=5)
    #: The Teams app's id in its manifest (default: a GUID generated once into the data folder).
    teams_app_id: str | None = None
    #: How long a worker may hold a job before another may take it over (it died, say).
    job_lease_seconds: int = Field(default=600, ge=1, le=86400)
    #: Microsoft mode: how often each lead's Outlook calendar is compared with their talks,
    #: whatever change notifications said (they can be lost).
    sync_minutes: int = Field(default=60, ge=1, le=1440)
    #: Reminders by e-mail: smtp://[user[:password]@]host[:port] (STARTTLS) or smtps://… (TLS).
    #: A secret: it may carry the password.
    smtp_url: SecretStr | None = None
    #: The mail server's user and password, when not in the URL.
    smtp_user: str | None = None
    smtp_password: SecretStr | None = None
    #: smtp:// without STARTTLS: allowed only for a relay on this machine (loopback).
    smtp_starttls: bool = Field(default=True, validate_default=True)
    #: The From of reminder e-mails: an address, or "Name <address>".
    mail_from: str | None = Field(default=None, validate_default=True)
    #: Microsoft mode without SMTP: the mailbox reminder e-mails are sent from through Graph (a
    #: draft there, then sent: a retry finds the draft and never sends twice).
    mail_mailbox: str | None = None
    #: Privacy: months a track's talks are kept after its last activity (then deleted).
    #: An admin's value stored in the database (`services/privacy_terms.py`) overrides it.
    retention_months: int = Field(default=24, ge=1, le=1200)
    #: Privacy: months the audit log (who opened which form) is kept.
    audit_retention_months: int = Field(default=60, ge=1, le=1200)
    #: The admins (HR, the app's owner): e-mail addresses, comma-separated. In Microsoft mode
    #: the Entra app role `Ontwikkelgesprek.Admin` makes an admin too (`domain/admin.py`).
    admins: str | None = None
    #: Who may lead whom: anyone (any colleague may plan a talk with any other), pairs (the
    #: lead-learner pairs an admin keeps, `ontwikkelgesprek leads`), or manager (the learner's
    #: manager in Entra ID; Microsoft mode only). See `domain/lead_rule.py`.
    lead_rule: Literal["anyone", "pairs", "manager"] = "anyone"

    @field_validator("tenant_id")
    @classmethod
    def _tenant(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if value in ("organizations", "common") or _GUID.match(value) or _DOMAIN.match(value):
            return value
        raise ValueError(
            "must be a directory (tenant) id, a domain like contoso.nl, or organizations"
        )

    @field_validator("client_secret", "secret_key", "smtp_password")
    @classmethod
    def _blank_secret(cls, value: SecretStr | None) -> SecretStr | None:
        return value if value is not None and value.get_secret_value() else None

    @field_validator("smtp_url")
    @classmethod
    def _smtp_url(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value().strip():
            return None
        parse_smtp_url(value.get_secret_value())  # ValueError says what, never the URL
        return value

    @field_validator("smtp_user")
    @classmethod
    def _smtp_user(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value:
            return None
        url = info.data.get("smtp_url")
        if url is not None and parse_smtp_url(url.get_secret_value()).user:
            raise ValueError("the user is in ONTWIKKELGESPREK_SMTP_URL already: set it once")
        return value

    @field_validator("smtp_password")
    @classmethod
    def _smtp_password(cls, value: SecretStr | None, info: ValidationInfo) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        url = info.data.get("smtp_url")
        target = parse_smtp_url(url.get_secret_value()) if url is not None else None
        if target is not None and target.password is not None:
            raise ValueError("the password is in ONTWIKKELGESPREK_SMTP_URL already: set it once")
        if not info.data.get("smtp_user") and not (target and target.user):
            raise ValueError("needs a user: ONTWIKKELGESPREK_SMTP_USER or one in the URL")
        return value

    @field_validator("smtp_starttls")
    @classmethod
    def _smtp_starttls(cls, value: bool, info: ValidationInfo) -> bool:
        url = info.data.get("smtp_url")
        if value or url is None:
            return value
        target = parse_smtp_url(url.get_secret_value())
        if not target.implicit_tls and not is_loopback(target.host):
            raise ValueError(
                "may be off only for a mail relay on this machine (localhost, 127.0.0.1, ::1): "
                "anywhere else the password and the mails would cross the network unencrypted"
            )
        return value

    @field_validator("mail_from")
    @classmethod
    def _mail_from(cls, value: str | None, info: ValidationInfo) -> str | None:
        if not value:
            if info.data.get("smtp_url") is not None:
                raise ValueError(
                    "is missing: reminder e-mails over ONTWIKKELGESPREK_SMTP_URL need a From "
                    "address, e.g. Ontwikkelgesprek <gesprekken@example.nl>"
                )
            return None
        _, address = parseaddr(value)
        _check_address(address)
        return value

    @field_validator("admins")
    @classmethod
    def _admins(cls, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        for address in value.split(","):
            if address.strip():
                _check_address(address.strip())
        return value

    @field_validator("mail_mailbox")
    @classmethod
    def _mail_mailbox(cls, value: str | None) -> str | None:
        if not value:
            return None
        _check_address(value)
        return value

    @field_validator("client_id")
    @classmethod
    def _client(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        if not _GUID.match(value):
            raise ValueError("must be the application (client) id, a GUID")
        return value

    @field_validator("authority_host", "graph_url")
    @classmethod
    def _https(cls, value: str) -> str:
        return _https_url(value)

    @field_validator("public_url")
    @classmethod
    def _public(cls, value: str | None) -> str | None:
        if value is None or value == "":
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be a URL like https://talks.example.nl")
        return value.rstrip("/")

    @field_validator("ca_bundle", "client_cert_path", "checklist_path")
    @classmethod
    def _readable_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no such file: {value}")
        return value

    @field_validator("talk_types_dir")
    @classmethod
    def _folder(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_dir():
            raise ValueError(f"no such folder: {value}")
        return value

    def smtp_target(self) -> SmtpTarget | None:
        """The mail server for reminders, with its credentials (None: no SMTP configured)."""
        if self.smtp_url is None:
            return None
        target = parse_smtp_url(self.smtp_url.get_secret_value())
        password = self.smtp_password.get_secret_value() if self.smtp_password else None
        return replace(
            target,
            user=self.smtp_user or target.user,
            password=password if password is not None else target.password,
        )

    def microsoft_problems(self) -> list[str]:
        """What keeps Microsoft mode from starting, each naming its variable (empty: none)."""
        problems = []
        if bool(self.tenant_id) != bool(self.client_id):
            missing = "CLIENT_ID" if self.tenant_id else "TENANT_ID"
            problems.append(
                f"{PREFIX}{missing} is missing: Microsoft mode needs both "
                f"{PREFIX}TENANT_ID and {PREFIX}CLIENT_ID (set neither for local mode)"
            )
        if self.lead_rule == "manager" and self.mode != MICROSOFT:
            problems.append(
                f"{PREFIX}LEAD_RULE=manager follows the manager relation in Microsoft Entra ID, "
                "so it needs Microsoft mode; in local mode use anyone or pairs"
            )
        if self.mode != MICROSOFT:
            return problems
        if self.client_secret is None and self.client_cert_path is None:
            problems.append(
                f"{PREFIX}CLIENT_SECRET or {PREFIX}CLIENT_CERT_PATH is missing: the app needs "
                "a credential from its Entra app registration"
            )
        if self.tenant_id in ("organizations", "common"):
            problems.append(
                f"{PREFIX}TENANT_ID: background work books in one organisation's calendars, so "
                "give that organisation's tenant id"
            )
        if not self.public_url:
            problems.append(
                f"{PREFIX}PUBLIC_URL is missing: the https address Teams and the invites link to"
            )
        elif not self.public_url.startswith("https://"):
            problems.append(f"{PREFIX}PUBLIC_URL must start with https:// in Microsoft mode")
        return problems

    def allowed_tenant_ids(self) -> frozenset[str]:
        """Tenants whose Teams tokens are accepted: the configured list, else the tenant."""
        listed = {t.strip() for t in (self.allowed_tenants or "").split(",") if t.strip()}
        return frozenset(listed or ({self.tenant_id} if self.tenant_id else set()))

    def app_id_uri(self) -> str | None:
        """The Entra app's Application ID URI for Teams SSO: api://<host>/<client id>."""
        host = urlsplit(self.public_url or "").netloc
        return f"api://{host.lower()}/{self.client_id}" if host and self.client_id else None

    def graph_scope(self) -> str:
        """The `.default` scope of the configured Graph service (national clouds differ)."""
        host = urlsplit(self.graph_url).hostname or ""
        if _GRAPH_HOSTS.search(host):
            return f"https://{host}/.default"
        return "https://graph.microsoft.com/.default"

    @property
    def mode(self) -> str:
        return MICROSOFT if self.tenant_id and self.client_id else LOCAL

    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.data_dir / 'ontwikkelgesprek.db'}"

    def resolved_secret_key(self) -> bytes:
        """The configured key, or one generated once into the data folder (mode 0600)."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode("utf-8")
        path = self.data_dir / "secret_key"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes().strip()
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48))
        return path.read_bytes().strip()
