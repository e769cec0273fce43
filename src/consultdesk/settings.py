"""Deployment settings, read from the environment (prefix ``CONSULTDESK_``) or a ``.env`` file.

Policy numbers (30 s, 10 min, 3 chats …) are NOT settings: they live in the versioned
policy (``consultdesk.policy``), because a bank changes them and every decision records
which version it used (ANX-2). Settings are about where things run.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_DATA_DIR = Path("data")
# The demo's signing key: fine on a laptop, refused in production (see ``production_problems``).
DEMO_SECRET_KEY = "change-me-in-production-this-is-the-demo-secret"  # noqa: S105 (refused in production)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CONSULTDESK_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{DEFAULT_DATA_DIR / 'consultdesk.sqlite3'}",
        description="SQLAlchemy URL; production: postgresql+psycopg://user@host/db",
    )
    database_schema: str | None = Field(
        default=None, description="PostgreSQL schema to use (search_path); tests use one per run"
    )
    data_dir: Path = DEFAULT_DATA_DIR
    secret_key: str = Field(
        default=DEMO_SECRET_KEY,
        min_length=32,
        description="Signs session cookies; set a long random value in production",
    )
    environment: Literal["development", "production", "test"] = "development"
    log_format: Literal["json", "text"] = "text"
    log_level: str = "INFO"
    cookie_secure: bool = False
    session_hours: int = Field(default=8, ge=1, le=24)
    default_language: Literal["zh", "en"] = "zh"
    bank_name: str = "示例银行"
    key_file: Path | None = Field(
        default=None,
        description="Key ring for field encryption (JSON, 0600), default <data_dir>/keys.json; "
        "CONSULTDESK_KEYS (the same JSON) takes precedence.",
    )
    corebank_url: str | None = Field(
        default=None, description="Core-banking HTTP gateway; sandbox if unset"
    )
    corebank_token: str | None = None
    smtp_host: str | None = None
    smtp_port: int = 25
    mail_from: str = "noreply@demo-bank.example"
    sms_url: str | None = Field(default=None, description="SMS gateway; sandbox if unset")
    sms_token: str | None = None
    public_url: str | None = Field(
        default=None, description="Public address of the desk, used in survey links to customers"
    )
    read_threads: int = Field(
        default=0,
        ge=0,
        le=64,
        description="Where the most frequent reads (an agent's open chats, a transcript) run: "
        "0 on the event loop, as the sign-in check of every request already does; N on a pool "
        "of N worker threads per web process (worth it when the database is far away). On 2 "
        "cores with PostgreSQL local: 0 gave 1,593-1,610 transcript reads/s, 2 threads "
        "1,286-1,393, 8 threads 813, the shared pool of 40 about 720",
    )
    holiday_table: Path | None = Field(
        default=None,
        description="The bank's holiday table (YAML) for years chinesecalendar does not know",
    )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")


def production_problems(settings: Settings) -> list[tuple[str, str]]:
    """What stops ``settings`` from running as production: (environment variable, reason).
    Empty outside production, where the demo defaults are allowed."""
    if settings.environment != "production":
        return []
    problems: list[tuple[str, str]] = []
    if settings.secret_key == DEMO_SECRET_KEY:
        problems.append(
            (
                "CONSULTDESK_SECRET_KEY",
                "生产环境不能使用演示密钥：请把 CONSULTDESK_SECRET_KEY 设为至少 32 个字符的随机值"
                "（例如 python -c 'import secrets; print(secrets.token_urlsafe(48))'）",
            )
        )
    return problems


def load_settings(**overrides: object) -> Settings:
    """Settings from the environment, with explicit overrides (tests, CLI options) on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
