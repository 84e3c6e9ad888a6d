"""What an item must look like, whatever file or request it came from."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from fairloop.domain.answers import normalise_gold
from fairloop.domain.hazards import MAX_SEVERITY, unknown_hazards
from fairloop.domain.scheduling.skills import requirement_token
from fairloop.domain.specs import ProjectSpec
from fairloop.domain.tasks.redteam import exposure_severity
from fairloop.errors import InvalidInput
from fairloop.io.jsontext import check_storable

ITEM_KEYS = {"id", "data", "gold", "hazards", "severity", "priority", "skills"}


@dataclass(frozen=True, slots=True)
class ItemIn:
    external_id: str | None
    data: dict[str, Any]
    gold: dict[str, Any] | None
    hazards: list[str] | None
    severity: int | None
    priority: int
    skills: list[str] | None = None
    """Requirement tokens (see :mod:`fairloop.domain.scheduling.skills`)."""


def validate_item(raw: Any, spec: ProjectSpec, *, where: str) -> ItemIn:
    """Check one item; ``where`` ("items.csv:12") prefixes the field of any error."""
    if not isinstance(raw, dict):
        raise InvalidInput("an item must be a JSON object", field=where)
    if extra := sorted(set(raw) - ITEM_KEYS):
        raise InvalidInput(f"unknown item field {extra[0]!r}", field=f"{where}: {extra[0]}")
    data = raw.get("data")
    if not isinstance(data, dict):
        raise InvalidInput("data must be a JSON object", field=f"{where}: data")
    for key in spec.task.required_fields:
        if data.get(key) in (None, ""):
            raise InvalidInput(f"data.{key} is required by the spec", field=f"{where}: data.{key}")
    spec.task.validate_data(data, f"{where}: ")
    external_id = raw.get("id")
    if external_id is not None:
        if not isinstance(external_id, str | int) or isinstance(external_id, bool):
            raise InvalidInput("id must be a string or an integer", field=f"{where}: id")
        external_id = str(external_id)
        check_storable(external_id, field=f"{where}: id")
        if not 0 < len(external_id) <= 200:
            raise InvalidInput("id must be 1 to 200 characters", field=f"{where}: id")
    hazards = _hazards(raw.get("hazards"), spec, where)
    severity = _small_int(raw.get("severity"), 0, MAX_SEVERITY, f"{where}: severity")
    if spec.task.type == "redteam":
        hazards, severity = _redteam_exposure(data, hazards, severity, spec, where)
    return ItemIn(
        external_id=external_id,
        data=data,
        gold=_gold(raw.get("gold"), spec, where),
        hazards=hazards,
        severity=severity,
        priority=_small_int(raw.get("priority"), -1_000_000, 1_000_000, f"{where}: priority") or 0,
        skills=_skills(raw.get("skills"), where),
    )


def _redteam_exposure(
    data: dict[str, Any], hazards: list[str] | None, severity: int | None, spec: Any, where: str
) -> tuple[list[str] | None, int | None]:
    """A red-team goal is hazard work even where the item names no hazard: the model may
    say anything the project declared. Stored as the item's hazards and severity, the
    opt-outs, exposure budget and breaks apply to it as to any hazard item."""
    if hazards is None and data.get("hazard"):
        hazards = _hazards([data["hazard"]], spec, f"{where}: data.hazard")
    hazards = hazards or (list(spec.hazards) or None)
    if hazards is None:
        return None, severity
    return hazards, exposure_severity(severity, spec.model_dump())


def _skills(value: Any, where: str) -> list[str] | None:
    """An item's required skills, as sorted requirement tokens; a CSV cell may list
    them separated by commas."""
    if value is None or value == [] or value == "":
        return None
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",")]
    if not isinstance(value, list):
        raise InvalidInput("skills must be a list of skills", field=f"{where}: skills")
    try:
        return sorted({requirement_token(skill) for skill in value})
    except ValueError as exc:
        raise InvalidInput(str(exc), field=f"{where}: skills") from None


def _gold(value: Any, spec: ProjectSpec, where: str) -> dict[str, Any] | None:
    if value is None or value == "":
        return None
    try:
        return normalise_gold(value, spec.task)
    except InvalidInput as exc:
        raise InvalidInput(exc.message, field=f"{where}: gold") from None


def _hazards(value: Any, spec: ProjectSpec, where: str) -> list[str] | None:
    if value is None or value == [] or value == "":
        return None
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise InvalidInput("hazards must be a list of hazard codes", field=f"{where}: hazards")
    if bad := unknown_hazards(value):
        raise InvalidInput(f"unknown hazard code {bad[0]!r}", field=f"{where}: hazards")
    if undeclared := [c for c in value if c not in spec.hazards]:
        raise InvalidInput(
            f"hazard {undeclared[0]!r} is not declared in the project spec",
            field=f"{where}: hazards",
        )
    return value


def _small_int(value: Any, low: int, high: int, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        with suppress(ValueError):
            value = int(value.strip()) if len(value) < 20 else value
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"must be a whole number from {low} to {high}", field=field)
    return value
