"""One typed settings object, read from the environment (prefix ``ASTARA_``) and injected.

Nothing reads the environment at import time: callers build the settings once (the CLI and the
server with ``Settings.from_environment()``, tests with explicit values) and pass them down.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from astara.errors import InvalidInput
from astara.kit.limits import ReadLimits

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev", "development-only-secret"})
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
    secret_key: str = Field(
        default="development-only-secret", description="Signs sessions; set in production."
    )
    agency: str = Field(default="DEMO", description="Code of the agency the CLI acts for.")
    user: str = Field(default="admin", description="User name the CLI acts as.")
    host: str = "127.0.0.1"
    port: int = 8000
    page_size: int = Field(default=50, ge=1, le=1000)
    log_level: str = "INFO"
    max_import_mb: int = Field(default=1000, ge=1, description="Largest spreadsheet an import accepts.")
    max_decompressed_mb: int = Field(default=2000, ge=1, description="Most a compressed file may expand to.")
    max_compression_ratio: int = Field(default=100, ge=2, description="Most a compressed file may expand by.")
    max_line_chars: int = Field(default=1_000_000, ge=1000, description="Longest line of a CSV file.")
    max_cell_chars: int = Field(default=32_000, ge=1000, description="Longest cell of a spreadsheet.")
    max_columns: int = Field(default=500, ge=2, description="Most columns a spreadsheet may have.")
    max_query_parameters: int = Field(default=100, ge=10, description="Most parameters a request may carry.")

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

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key in PLACEHOLDER_SECRETS:
            raise ValueError(
                "ASTARA_SECRET_KEY must be set to a real secret when ASTARA_ENVIRONMENT=production"
            )
        return self

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
