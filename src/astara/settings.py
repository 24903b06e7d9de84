"""One typed settings object, read from the environment (prefix ``ASTARA_``) and injected.

Nothing reads the environment at import time: callers build the settings once (the CLI and the
server with ``Settings.from_environment()``, tests with explicit values) and pass them down.
"""

from __future__ import annotations

import ipaddress
import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from astara.errors import InvalidInput
from astara.kit.limits import ReadLimits

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev", "development-only-secret"})
MIN_SECRET_LENGTH = 32
DEFAULT_DATA_DIR = Path("var")
PREFIX = "ASTARA_"


class Settings(BaseModel):
    """Every setting Astara reads. Each field is documented in README.md (a test checks it).

    A field not passed to the constructor comes from the variable ``ASTARA_<FIELD>`` (any case),
    else its default. (pydantic-settings did this; it is not used because importing it took a
    tenth of the start-up of every ``astara`` command: asyncio, dotenv and plugin discovery.)
    """

    model_config = ConfigDict(extra="ignore")

    environment: Literal["development", "test", "production"] = "development"
    data_dir: Path = Field(
        default=DEFAULT_DATA_DIR, description="Folder for the embedded database and files."
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; unset means SQLite at DATA_DIR/astara.sqlite3.",
    )
    secret_key: str | None = Field(
        default=None, description="Signs sessions; unset: the file DATA_DIR/secret_key (auth/secret.py)."
    )
    agency: str = Field(default="DEMO", description="Code of the agency the CLI acts for.")
    user: str | None = Field(
        default=None, description="User the CLI acts as, with their role; unset: the agency's administrator."
    )
    host: str = "127.0.0.1"
    port: int = 8000
    page_size: int = Field(default=50, ge=1, le=1000)
    log_level: str = "INFO"
    debug: bool = Field(default=False, description="The CLI shows the traceback of an internal error.")
    max_import_mb: int = Field(default=1000, ge=1, description="Largest spreadsheet an import accepts.")
    partner_refusal_limit: int = Field(
        default=20, ge=1, description="Refused partner requests a client may make a minute before 429."
    )
    trusted_proxies: str = Field(
        default="", description="Comma-separated IPs/CIDRs whose X-Forwarded-For is believed."
    )
    login_failures_per_user: int = Field(default=10, ge=1)
    login_failures_per_client_user: int = Field(default=5, ge=1)
    login_failures_per_client: int = Field(default=100, ge=1)
    max_decompressed_mb: int = Field(default=2000, ge=1, description="Most a compressed file may expand to.")
    max_compression_ratio: int = Field(default=100, ge=2, description="Most a compressed file may expand by.")
    max_line_chars: int = Field(default=1_000_000, ge=1000, description="Longest line of a CSV file.")
    max_cell_chars: int = Field(default=32_000, ge=1000, description="Longest cell of a spreadsheet.")
    max_columns: int = Field(default=500, ge=2, description="Most columns a spreadsheet may have.")
    jobs_in_server: bool = Field(
        default=True, description="The server runs queued jobs in a thread of each process."
    )
    question_wait_seconds: float = Field(
        default=2.0,
        ge=0,
        le=600,
        description="How long a request waits for a heavy question (statistics, the dashboard) before "
        "answering with the address of its job to poll.",
    )
    max_query_parameters: int = Field(default=100, ge=10, description="Most parameters a request may carry.")
    backup_passphrase: str | None = Field(
        default=None, description="Encrypts and decrypts backups; unset: `astara backup` asks for one."
    )
    log_format: Literal["text", "json"] = Field(
        default="text", description="json: one JSON object a line, with the request's id."
    )

    @model_validator(mode="before")
    @classmethod
    def _from_environment(cls, given: Any) -> Any:
        if not isinstance(given, dict):
            return given
        variables = {k.upper(): v for k, v in os.environ.items() if k.upper().startswith(PREFIX)}
        names = {field: PREFIX + field.upper() for field in cls.model_fields}
        found = {field: variables[name] for field, name in names.items() if name in variables}
        return {**found, **given}

    @classmethod
    def from_environment(cls) -> Settings:
        """The settings of this process; a bad value raises InvalidInput naming its variable."""
        try:
            return cls()
        except ValidationError as exc:
            details = []
            for e in exc.errors(include_url=False):
                reason = e["msg"].removeprefix("Value error, ")
                where = {"variable": PREFIX + str(e["loc"][0]).upper()} if e["loc"] else {}
                details.append({**where, "reason": reason})
            raise InvalidInput("a setting in the environment is not valid", details=details) from None

    @field_validator("secret_key")
    @classmethod
    def _refuse_placeholder_secret(cls, value: str | None) -> str | None:
        # in every environment: a published or guessable key lets anyone forge a session
        if value is not None and (value in PLACEHOLDER_SECRETS or len(value) < MIN_SECRET_LENGTH):
            raise ValueError(
                f"a secret key has at least {MIN_SECRET_LENGTH} characters and is not a placeholder"
            )
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _valid_networks(cls, value: str) -> str:
        for part in filter(None, (p.strip() for p in value.split(","))):
            try:
                ipaddress.ip_network(part, strict=False)
            except ValueError:
                raise ValueError(f"{part!r} is not an IP address or CIDR network") from None
        return value

    @property
    def trusted_proxy_networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        parts = filter(None, (p.strip() for p in self.trusted_proxies.split(",")))
        return [ipaddress.ip_network(p, strict=False) for p in parts]

    def read_limits(self) -> ReadLimits:
        """The limits an import reads a file within."""
        return ReadLimits(
            decompressed_bytes=self.max_decompressed_mb * 1_000_000,
            compression_ratio=self.max_compression_ratio,
            line_chars=self.max_line_chars,
            cell_chars=self.max_cell_chars,
            columns=self.max_columns,
        )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'astara.sqlite3').resolve()}"
