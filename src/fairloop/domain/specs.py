"""The project spec: what a requester writes, validated before anything is stored.

Errors come out as :class:`fairloop.errors.InvalidInput` naming the field in dotted
form (``disclosure.purpose``), whatever the source (YAML file, JSON body).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
)

from fairloop.domain.hazards import MAX_SEVERITY, unknown_hazards
from fairloop.domain.pay import AUTO_APPROVE_DAYS, CURRENCIES, MAX_AUTO_APPROVE_DAYS
from fairloop.domain.scheduling.leases import MAX_PENDING
from fairloop.domain.scheduling.skills import parse_skill
from fairloop.domain.tasks import TASK_TYPES, Task
from fairloop.domain.tasks.base import Strict, Text
from fairloop.domain.tasks.label import LabelTask
from fairloop.domain.worktime import (
    MAX_READING_SECONDS,
    MIN_LEASE_FACTOR,
    READING_SECONDS,
    lease_problem,
)
from fairloop.errors import InvalidInput

DEFAULT_LEASE_MINUTES = 30
MAX_HAZARD_LEASE_MINUTES = 60
"""A lease of hazard content ends within an hour, so no single item outlasts the
break rule."""

__all__ = ["TASK_TYPES", "LabelTask", "ProjectSpec", "Task"]


class Disclosure(Strict):
    purpose: Text
    end_use: Text
    data_use: Text
    withdrawal: Text
    contact: Text
    identity_public: bool = False
    """Whether workers are told who the requester is (the organisation's name)."""


class Pay(Strict):
    currency: str = Field(pattern=r"^[A-Z]{3}$")
    per_task: str
    estimated_seconds: int = Field(gt=0, le=86_400)
    hourly_floor: str

    @field_validator("currency")
    @classmethod
    def _known_currency(cls, code: str) -> str:
        if code not in CURRENCIES:
            raise ValueError(f"unknown currency {code!r}; expected an ISO 4217 code such as USD")
        return code

    @field_validator("per_task", "hourly_floor", "hourly_floor", mode="before")
    @classmethod
    def _decimal(cls, value: Any) -> str:
        try:
            amount = Decimal(str(value))
        except InvalidOperation:
            raise ValueError(f'{value!r} is not a decimal amount such as "0.30"') from None
        if not amount.is_finite() or amount < 0:
            raise ValueError(f"{value!r} must be a non-negative amount")
        if amount > 1_000_000:
            raise ValueError(f"{value!r} is more than 1,000,000")
        if amount != amount.quantize(Decimal("0.01")):
            raise ValueError(f"{value!r} has more than two decimal places")
        return f"{amount:.2f}"


class Support(Strict):
    contact: Text
    resources: Text


class Wellbeing(Strict):
    daily_exposure_minutes: int = Field(default=120, gt=0, le=300)
    break_after_minutes: int = Field(default=50, gt=0, le=240)
    break_minutes: int = Field(default=10, gt=0, le=120)


class Quality(Strict):
    method: Literal["auto", "mv", "wmv", "ds", "onecoin", "glad", "mace"] = "auto"
    """How the aggregated answer is decided (see fairloop.quality); ``auto`` is
    Dawid-Skene on large item sets and majority vote on small ones."""


class DynamicOverlap(Strict):
    """Ask ``min`` workers, then more up to ``max`` while they disagree; stop once the
    aggregated answer's confidence reaches ``confidence``."""

    min: int = Field(ge=1, le=100)
    max: int = Field(ge=1, le=100)
    confidence: float = Field(gt=0, lt=1)

    def model_post_init(self, _context: Any) -> None:
        if self.min > self.max:
            raise InvalidInput(
                f"overlap.min ({self.min}) is above overlap.max ({self.max})", field="overlap.min"
            )


class Qualification(Strict):
    """A test of ``items`` gold items answered before any work; passing needs a share
    ``pass`` correct; a failed test may be retaken after ``retake_after_hours``."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)
    items: int = Field(ge=1, le=500)
    pass_mark: float = Field(alias="pass", gt=0, le=1)
    retake_after_hours: int = Field(default=24, ge=0, le=24 * 365)
    grants: list[str] = Field(default_factory=list)
    """Skills a pass grants (level 1, or ``skill@level``)."""

    @field_validator("grants")
    @classmethod
    def _skills(cls, skills: list[str]) -> list[str]:
        for skill in skills:
            parse_skill(skill)
        return skills


def _overlap(value: Any) -> int | DynamicOverlap:
    """An int, or ``{min, max, confidence}``; errors name the overlap field."""
    if isinstance(value, dict):
        try:
            return DynamicOverlap.model_validate(value)
        except ValidationError as exc:
            raise first_error(exc, prefix="overlap.") from None
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
        raise InvalidInput(
            "overlap must be a whole number from 1 to 100, or {min, max, confidence}",
            field="overlap",
        )
    return value


class ProjectSpec(Strict):
    name: Annotated[str, Field(min_length=1, max_length=200)]
    disclosure: Disclosure
    task: Task
    overlap: Annotated[int | DynamicOverlap, BeforeValidator(_overlap)] = 1
    gold_rate: float | None = Field(default=None, ge=0, lt=1)
    """Share of each worker's items that are gold (known answer), mixed in unseen.
    Unset: gold items are served in queue order like any other item (and still
    scored and kept out of the data)."""
    qualification: Qualification | None = None
    skills: list[str] = Field(default_factory=list)
    """Skills every worker on the project needs (``language:sw``, ``coding:python@3``)."""
    max_pending: int = Field(default=MAX_PENDING, ge=1, le=50)
    """Live leases one worker may hold at once."""
    daily_cap: int | None = Field(default=None, ge=1, le=100_000)
    """Items one worker may lease per day (UTC), so scarce work is shared."""
    lease_minutes: int = Field(default=DEFAULT_LEASE_MINUTES, ge=1, le=24 * 60)
    """How long a worker holds an item: at least three times the estimate (unset, the
    larger of 30 minutes and that), at most an hour on a hazard project."""
    reading_seconds: int = Field(
        default=READING_SECONDS, ge=READING_SECONDS, le=MAX_READING_SECONDS
    )
    """How long a visible, focused task page counts as work without input before it
    asks "still there?" (reading a long item is work)."""
    pay: Pay
    hazards: list[str] = Field(default_factory=list)
    support: Support | None = None
    wellbeing: Wellbeing | None = None
    notice_days: int = Field(default=7, ge=1, le=90)
    auto_approve_days: int = Field(default=AUTO_APPROVE_DAYS, ge=1, le=MAX_AUTO_APPROVE_DAYS)
    """Work still unreviewed this many days after submission is approved and paid."""
    quality: Quality = Field(default_factory=Quality)
    severity_examples: dict[str, Text] = Field(default_factory=dict)
    """An example in words of each severity 1-4 of the declared hazards."""
    suspension_fee_percent: int = Field(default=25, ge=25, le=100)
    """Kill fee on suspension, as a percentage of average daily earnings per day of
    notice not given; 25 is the least a project may offer."""

    @field_validator("hazards")
    @classmethod
    def _known_hazards(cls, codes: list[str]) -> list[str]:
        if bad := unknown_hazards(codes):
            raise ValueError(f"unknown hazard code(s): {', '.join(bad)}")
        return codes

    @field_validator("skills")
    @classmethod
    def _skills(cls, skills: list[str]) -> list[str]:
        for skill in skills:
            parse_skill(skill)
        return skills

    @property
    def overlap_max(self) -> int:
        """The most submissions any item may get."""
        return self.overlap if isinstance(self.overlap, int) else self.overlap.max

    @property
    def overlap_min(self) -> int:
        """The submissions every item gets first."""
        return self.overlap if isinstance(self.overlap, int) else self.overlap.min

    @field_validator("severity_examples", mode="before")
    @classmethod
    def _keys_as_text(cls, value: Any) -> Any:
        # YAML reads `1: ...` with a number as key.
        return {str(k): v for k, v in value.items()} if isinstance(value, dict) else value

    @field_validator("severity_examples")
    @classmethod
    def _severity_keys(cls, examples: dict[str, str]) -> dict[str, str]:
        if bad := sorted(set(examples) - {str(s) for s in range(MAX_SEVERITY + 1)}):
            raise ValueError(f"severity {bad[0]!r} is not one of 0 to {MAX_SEVERITY}")
        return examples

    def model_post_init(self, _context: Any) -> None:
        self._check_lease()
        if self.hazards and self.support is None:
            raise InvalidInput(
                "support (contact and resources) is required when hazards are declared",
                field="support",
            )
        if self.hazards:
            for level in range(1, MAX_SEVERITY + 1):
                if str(level) not in self.severity_examples:
                    raise InvalidInput(
                        f"an example of severity {level} in words is required when hazards "
                        "are declared",
                        field=f"severity_examples.{level}",
                    )

    def _check_lease(self) -> None:
        estimate = self.pay.estimated_seconds
        if "lease_minutes" not in self.model_fields_set:
            self.lease_minutes = max(DEFAULT_LEASE_MINUTES, -(-MIN_LEASE_FACTOR * estimate // 60))
        if problem := lease_problem(lease_minutes=self.lease_minutes, estimated_seconds=estimate):
            raise InvalidInput(problem, field="lease_minutes")
        if self.hazards and self.lease_minutes > MAX_HAZARD_LEASE_MINUTES:
            raise InvalidInput(
                f"lease_minutes {self.lease_minutes} is longer than the "
                f"{MAX_HAZARD_LEASE_MINUTES} minutes a lease of hazard content may last",
                field="lease_minutes",
            )


def field_path(loc: tuple[int | str, ...]) -> str:
    """('task', 'label', 'labels', 0) -> 'task.labels[0]': drop union tags, index lists."""
    parts: list[str] = []
    for i, part in enumerate(loc):
        if isinstance(part, int):
            parts[-1] = f"{parts[-1]}[{part}]" if parts else f"[{part}]"
        elif i > 0 and loc[i - 1] == "task" and part in TASK_TYPES:
            continue
        else:
            parts.append(str(part))
    return ".".join(parts)


def first_error(exc: ValidationError, *, prefix: str = "") -> InvalidInput:
    """The first validation error as one clear InvalidInput naming its field."""
    err = exc.errors()[0]
    path = field_path(tuple(err["loc"]))
    field = f"{prefix}{path}" if path else prefix.rstrip(".") or None
    message = err["msg"].removeprefix("Value error, ")
    if err["type"] == "not_a_number":
        name = err["ctx"]["name"]
        field = f"{field}.{name}" if field else name
        message = f"{field}: {message}"
    elif err["type"] == "missing":
        message = f"{field} is required"
    elif err["type"] == "extra_forbidden":
        message = f"{field} is not a known field"
    elif err["type"] == "union_tag_invalid":
        field = f"{field}.type"
        message = (
            f"unknown task type {err['input'].get('type')!r}; "
            f"expected one of: {', '.join(TASK_TYPES)}"
        )
    return InvalidInput(message, field=field)


def parse_spec(data: Any) -> ProjectSpec:
    """Validate a spec given as a mapping (parsed YAML or JSON)."""
    if not isinstance(data, dict):
        raise InvalidInput("a project spec must be a mapping of fields", field=None)
    try:
        return ProjectSpec.model_validate(data)
    except ValidationError as exc:
        raise first_error(exc) from None


def load_spec_text(text: str, *, source: str = "spec") -> ProjectSpec:
    """Parse YAML (a superset of JSON) and validate it."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark else source
        raise InvalidInput(f"not valid YAML or JSON: {exc}", field=where) from None
    return parse_spec(data)


def spec_to_json(spec: ProjectSpec) -> dict[str, Any]:
    # by_alias: the qualification's pass mark is stored as written, ``pass``.
    data: dict[str, Any] = json.loads(spec.model_dump_json(by_alias=True))
    return data


_TASK_ADAPTER: TypeAdapter[Task] = TypeAdapter(Task)


WORKER_MODEL_FIELDS = ("name", "demo")
"""What a worker sees of a red-team project's model: its address, system prompt and
key name are the requester's, and an address may name a host inside the network."""


def task_for_workers(task: dict[str, Any]) -> dict[str, Any]:
    """The stored task as workers may see it (a copy; the stored one is untouched)."""
    if not isinstance(task.get("model"), dict):
        return task
    model = {k: v for k, v in task["model"].items() if k in WORKER_MODEL_FIELDS}
    return {**task, "model": model}


def parse_task(stored: dict[str, Any]) -> Task:
    """The task section of a stored (already validated) spec."""
    return _TASK_ADAPTER.validate_python(stored)
