"""Instance settings, read from ``FAIRLOOP_*`` environment variables."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

from fairloop.errors import InvalidInput


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAIRLOOP_", extra="ignore")

    database_url: str = "sqlite:///./fairloop.db"
    """SQLAlchemy URL; PostgreSQL as ``postgresql+psycopg://user@host/db``."""
    secret_key: str = ""
    """Required outside the demo, so no instance runs on a known key (see SECURITY.md)."""
    media_dir: str = "./media"
    """Where uploaded audio and images are kept."""
    outbound_allow: str = ""
    """Comma-separated host or host:port that outbound calls may reach though private."""
    min_hourly_floor: str = Field(default="12.00")
    """The lowest hourly floor a project may set, in the instance currency (Prolific
    recommends GBP 9 / USD 12 an hour)."""
    currency: str = "USD"
    min_hourly_floors: str = "GBP:9.00,EUR:11.00"
    """Minimum hourly floors in other currencies, as ``CODE:amount`` pairs; a project
    in a currency with no minimum here is refused."""
    fee_percent: int = Field(default=0, ge=0, le=100)
    """The instance's fee, charged to the requester on top of worker pay, never taken
    from it."""
    settle_interval_minutes: int = Field(default=60, ge=0, le=24 * 60)
    """How often ``serve`` runs settlement (auto-approval and top-ups); 0 turns it off."""
    appeal_deadline_days: int = Field(default=7, ge=1, le=60)
    """Days an admin has to decide an appeal; after them it is decided for the worker
    (the rejection overturned, the work paid) at settlement or when next read."""
    exposure_weights: str = "1,1,1.5,2,3"
    """Exposure weight of a minute on an item of severity 0,1,2,3,4."""
    daily_exposure_minutes: int = Field(default=120, gt=0, le=300)
    """Weighted minutes of hazard content a worker may see a day; projects may set less."""
    weekly_exposure_minutes: int = Field(default=600, gt=0, le=2100)
    """Weighted minutes a week (Monday to Sunday, UTC)."""
    break_after_minutes: int = Field(default=50, gt=0, le=240)
    """Continuous minutes on hazard items after which a break is due."""
    break_minutes: int = Field(default=10, gt=0, le=120)
    """Length of that break."""
    threads: int = Field(default=0, ge=0, le=256)
    """Requests a server process works on at once (their database work runs in a
    thread each); 0 means twice the cores on PostgreSQL and one a core on SQLite.
    More only queue on the GIL and on the database's locks inside their
    transactions, where waiting costs the most."""
    self_registration: bool = False
    """Whether /register lets anyone make a worker account. It never makes a
    requester or an admin: those come from an admin (`fairloop users create`)."""


MIN_SECRET_LENGTH = 32
KNOWN_SECRETS = {"secret", "changeme", "change-me", "fairloop", "dev", "test", "password"}


def secret_key_problem(key: str) -> str | None:
    """Why ``key`` may not run a real instance, or None when it may."""
    if not key:
        return "FAIRLOOP_SECRET_KEY is not set; generate one with: python -c 'import secrets; print(secrets.token_urlsafe(48))'"
    if key.lower() in KNOWN_SECRETS or len(set(key)) < 8:
        return "FAIRLOOP_SECRET_KEY is a well-known or trivial value; use a random one"
    if len(key) < MIN_SECRET_LENGTH:
        return f"FAIRLOOP_SECRET_KEY must be at least {MIN_SECRET_LENGTH} characters"
    return None


@lru_cache
def get_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as error:
        # Name the variable as the operator wrote it, not pydantic's model field.
        first = error.errors()[0]
        name = "FAIRLOOP_" + str(first["loc"][0]).upper()
        raise InvalidInput(f"{name}={first.get('input')!r}: {first['msg']}", field=name) from None
