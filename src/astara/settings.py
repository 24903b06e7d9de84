"""One typed settings object, read from the environment (prefix ``ASTARA_``) and injected.

Nothing reads the environment at import time: callers build ``Settings()`` once (the CLI at
start-up, tests with explicit values) and pass it down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev", "development-only-secret"})
DEFAULT_DATA_DIR = Path("var")


class Settings(BaseSettings):
    """Every setting Astara reads. Each field is documented in README.md (a test checks it)."""

    model_config = SettingsConfigDict(env_prefix="ASTARA_", extra="ignore")

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

    @model_validator(mode="after")
    def _refuse_placeholder_secret(self) -> Settings:
        if self.environment == "production" and self.secret_key in PLACEHOLDER_SECRETS:
            raise ValueError(
                "ASTARA_SECRET_KEY must be set to a real secret when ASTARA_ENVIRONMENT=production"
            )
        return self

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'astara.sqlite3').resolve()}"
