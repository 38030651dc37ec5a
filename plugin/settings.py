"""Configuration: `ONTWIKKELGESPREK_*` environment variables (and a `.env` file), then flags.

The names are a contract with admins' deployment scripts (see README). Microsoft mode is on
when both tenant id and client id are set; otherwise the app runs in local mode.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from platformdirs import user_data_dir
from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

LOCAL, MICROSOFT = "local", "microsoft"


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
    #: The working hours' time zone (and the feeds').
    timezone: str = "Europe/Amsterdam"

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
