"""Instance settings, read from ``FAIRLOOP_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAIRLOOP_", extra="ignore")

    database_url: str = "sqlite:///./fairloop.db"
    """SQLAlchemy URL; PostgreSQL as ``postgresql+psycopg://user@host/db``."""
    secret_key: str = ""
    """Signs nothing a user could forge today; required outside the demo (security issue)."""
    media_dir: str = "./media"
    """Where uploaded audio and images are kept."""
    outbound_allow: str = ""
    """Comma-separated host or host:port that outbound calls may reach though private."""
    min_hourly_floor: str = Field(default="12.00")
    """The lowest hourly floor a project may set, in the instance currency."""
    currency: str = "USD"


@lru_cache
def get_settings() -> Settings:
    return Settings()
