"""Instance settings, read from ``FAIRLOOP_*`` environment variables."""

from __future__ import annotations

import os
import re
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from pydantic import Field, ValidationError, field_validator
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
    """The lowest hourly floor a project may set, in the instance currency; more
    than 0. Where ``min_hourly_floors`` names the same currency, the higher holds."""
    currency: str = "USD"
    """The instance currency, a three-letter code (the minimum above is in it)."""
    min_hourly_floors: str = "GBP:12.21,EUR:11.00"
    """Minimum hourly floors in other currencies, as ``CODE:amount`` pairs, each more
    than 0; a project in a currency with no minimum here is refused. GBP 12.21 is the
    UK's National Living Wage from April 2025."""
    floors_by_country: str = ""
    """Hourly floors by the worker's country, as ``COUNTRY:CODE:amount`` (``GB:GBP:12.21,
    US:USD:12.00``): a worker whose account names the country is paid at least that
    floor an hour on projects paying in that currency, or the project's floor if it is
    higher (top-ups make up the difference). A country may be listed once per
    currency; fairloop converts no currencies, so a project in a currency not listed
    for the worker's country pays its own floor."""
    fee_percent: int = Field(default=0, ge=0, le=100)
    """The instance's fee, charged to the requester on top of worker pay, never taken
    from it."""
    settle_interval_minutes: int = Field(default=60, ge=0, le=24 * 60)
    """How often ``serve`` runs settlement (auto-approval and top-ups); 0 turns it off."""
    appeal_deadline_days: int = Field(default=7, ge=1, le=60)
    """Days an admin has to decide an appeal; after them it is decided for the worker
    (the rejection overturned, the work paid) at settlement or when next read."""
    pause_limit_days: int = Field(default=3, ge=1, le=30)
    """Days a project may stay paused; a longer pause becomes a suspension at
    settlement, with the project's notice and a kill fee for the days it stopped work."""
    exposure_weights: str = "1,1,1.5,2,3"
    """Exposure weight of a minute on an item of severity 0,1,2,3,4: each more than 0
    and at most 100, none less than the one before it."""
    daily_exposure_minutes: int = Field(default=120, gt=0, le=300)
    """Weighted minutes of hazard content a worker may see a day; projects may set less."""
    weekly_exposure_minutes: int = Field(default=600, gt=0, le=2100)
    """Weighted minutes over any 7 days in a row."""
    break_after_minutes: int = Field(default=50, gt=0, le=240)
    """Continuous minutes on hazard items after which a break is due."""
    break_minutes: int = Field(default=10, gt=0, le=120)
    """Length of that break."""
    threads: int = Field(default=0, ge=0, le=256)
    """Requests a server process works on at once (their database work runs in a
    thread each); 0 means twice the cores on PostgreSQL and one a core on SQLite.
    More only queue on the GIL and on the database's locks inside their
    transactions, where waiting costs the most."""
    model_key_envs: str = ""
    """The environment variables a red-team spec's ``api_key_env`` may name, as a
    comma-separated list of ``NAME`` (any organisation) or ``Organisation name:NAME``
    (that organisation only). Nothing else of the environment is reachable from a
    spec. Read at each use (:func:`key_registered`)."""
    self_registration: bool = False
    """Whether /register lets anyone make a worker account. It never makes a
    requester or an admin: those come from an admin (`fairloop users create`)."""

    @field_validator("currency")
    @classmethod
    def _currency(cls, value: str) -> str:
        return _code(value)

    @field_validator("min_hourly_floor")
    @classmethod
    def _min_floor(cls, value: str) -> str:
        _floor(value, "a minimum hourly floor")
        return value

    @field_validator("min_hourly_floors")
    @classmethod
    def _min_floors(cls, value: str) -> str:
        parse_floors(value)
        return value

    @field_validator("floors_by_country")
    @classmethod
    def _country_floors(cls, value: str) -> str:
        parse_country_floors(value)
        return value

    @field_validator("exposure_weights")
    @classmethod
    def _weights(cls, value: str) -> str:
        parse_weights(value)
        return value

    def minimum_floors(self) -> dict[str, Decimal]:
        """The least hourly floor a project may set, by currency: the instance
        currency's and those of ``min_hourly_floors``, the higher where both name one."""
        floors = parse_floors(self.min_hourly_floors)
        own = Decimal(self.min_hourly_floor)
        floors[self.currency] = max(own, floors.get(self.currency, own))
        return floors

    def country_floors(self) -> dict[tuple[str, str], Decimal]:
        """{(country, currency): hourly floor} from ``floors_by_country``."""
        return parse_country_floors(self.floors_by_country)


MAX_WEIGHT = 100.0
SEVERITIES = 5
"""Severity 0 to 4 (fairloop.domain.hazards.MAX_SEVERITY + 1)."""


def _code(value: str, *, letters: int = 3, what: str = "a currency code such as USD") -> str:
    if not re.fullmatch(f"[A-Z]{{{letters}}}", value):
        raise ValueError(f"{value!r} is not {what} ({letters} capital letters)")
    return value


def _floor(text: str, what: str) -> Decimal:
    """An hourly amount in cents, more than 0 (no upper bound: an hour is 30,000 IDR)."""
    try:
        amount = Decimal(text.strip())
    except InvalidOperation:
        amount = Decimal("NaN")
    if not amount.is_finite() or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"{text.strip()!r} is not an amount such as 12.21, for {what}")
    if amount <= 0:
        raise ValueError(
            f"{what} must be more than 0, not {amount}: a floor of 0 lets a project pay nothing"
        )
    return amount


def _parts(text: str) -> list[str]:
    return [p.strip() for p in text.split(",") if p.strip()]


def parse_floors(text: str) -> dict[str, Decimal]:
    """``"GBP:12.21,EUR:11.00"`` -> {"GBP": Decimal("12.21"), ...}; refuses, naming the
    pair, a malformed pair, an amount of 0 or less, a currency given twice."""
    floors: dict[str, Decimal] = {}
    for part in _parts(text):
        code, sep, amount = (p.strip() for p in part.partition(":"))
        if not sep:
            raise ValueError(f"{part!r} is not a CODE:amount pair such as GBP:12.21")
        _code(code)
        if code in floors:
            raise ValueError(f"{code} is given twice")
        floors[code] = _floor(amount, f"the minimum in {code} ({part!r})")
    return floors


def parse_country_floors(text: str) -> dict[tuple[str, str], Decimal]:
    """``"GB:GBP:12.21,US:USD:12.00"`` -> {("GB", "GBP"): Decimal("12.21"), ...}."""
    floors: dict[tuple[str, str], Decimal] = {}
    for part in _parts(text):
        fields = [p.strip() for p in part.split(":")]
        if len(fields) != 3:
            raise ValueError(f"{part!r} is not a COUNTRY:CODE:amount such as GB:GBP:12.21")
        country, code, amount = fields
        _code(country, letters=2, what="a country code such as GB")
        _code(code)
        if (country, code) in floors:
            raise ValueError(f"{country} is given twice in {code}")
        floors[(country, code)] = _floor(amount, f"the floor of {country} in {code} ({part!r})")
    return floors


def parse_weights(text: str) -> tuple[float, ...]:
    """``"1,1,1.5,2,3"`` -> the exposure weight per severity 0..4: each more than 0 (a
    minute of hazard content always counts) and none less than the one before."""
    parts = [p.strip() for p in text.split(",")]
    try:
        weights = tuple(float(p) for p in parts)
    except ValueError:
        weights = ()
    if len(weights) != SEVERITIES or not all(0 <= w <= MAX_WEIGHT for w in weights):
        raise ValueError(
            f"exposure weights are {SEVERITIES} numbers from 0 to {MAX_WEIGHT:g}, one per "
            "severity 0 to 4, such as 1,1,1.5,2,3"
        )
    for severity, weight in enumerate(weights):
        if weight <= 0:
            raise ValueError(
                f"the weight of severity {severity} is {weight:g}: every weight must be more "
                "than 0, or minutes of that content would not count as exposure"
            )
        if severity and weight < weights[severity - 1]:
            raise ValueError(
                f"weights must not decrease with severity: severity {severity - 1} weighs "
                f"{weights[severity - 1]:g} but severity {severity} weighs {weight:g}"
            )
    return weights


def key_registered(org: str, name: str) -> bool:
    """Whether the admin registered environment variable ``name`` as a model key for
    organisation ``org`` (FAIRLOOP_MODEL_KEY_ENVS). Read from the environment at each
    call, so a key registered by the admin applies to the next turn."""
    for entry in os.environ.get("FAIRLOOP_MODEL_KEY_ENVS", "").split(","):
        owner, _, key = entry.strip().rpartition(":")
        if key.strip() == name and owner.strip() in ("", org):
            return True
    return False


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
        message = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"{name}={first.get('input')!r}: {message}", field=name) from None
