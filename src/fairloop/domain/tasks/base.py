"""What every task type shares: strict parsing, and the answer contract."""

from __future__ import annotations

from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

Text = Annotated[str, Field(min_length=1, max_length=20_000)]


def _numeric(annotation: Any) -> bool:
    """Whether a field takes a number (int or float, alone or in a union)."""
    if annotation in (int, float):
        return True
    return get_origin(annotation) in (Union, UnionType) and any(
        a in (int, float) for a in get_args(annotation)
    )


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @model_validator(mode="before")
    @classmethod
    def _no_booleans_for_numbers(cls, data: Any) -> Any:
        # Pydantic reads true as 1 for a number: `estimated_seconds: true` was 1 s.
        if isinstance(data, dict):
            for name, value in data.items():
                field = cls.model_fields.get(name) if isinstance(name, str) else None
                if isinstance(value, bool) and field is not None and _numeric(field.annotation):
                    raise PydanticCustomError(
                        "not_a_number",
                        "{value} is not a number",
                        {"name": name, "value": str(value).lower()},
                    )
        return data


class ItemField(Strict):
    """A field of the item's ``data`` that the task page shows, under the label workers
    read (the field's name when empty)."""

    name: Annotated[str, Field(min_length=1, max_length=100)]
    label: Annotated[str, Field(max_length=200)] = ""


class TaskBase(Strict):
    """A task type: its spec fields, and how an answer to it is checked."""

    instructions: str = ""
    required_fields: list[str] = Field(default_factory=list)
    """Keys every item's ``data`` must have (a CSV must have these columns)."""
    fields: list[ItemField] = Field(default_factory=list, max_length=50)
    """The item's fields the page shows, in this order and under these labels; empty:
    every field of the item, in import order. (``write`` uses ``fields`` for the short
    texts the worker gives instead.)"""

    def validate_answer(self, answer: Any) -> dict[str, Any]:
        """Return the answer as stored, or raise InvalidInput naming the bad field."""
        raise NotImplementedError

    def normalise_gold(self, value: Any) -> dict[str, Any]:
        """A gold answer as given in an item file, in the answer layout."""
        return self.validate_answer(value)

    def validate_data(self, data: dict[str, Any], where: str) -> None:
        """Refuse item data this type cannot show (``where`` prefixes the field)."""

    def validate_for(self, answer: Any, *, shown: list[str] | None) -> dict[str, Any]:
        """As :meth:`validate_answer`, knowing the assignment's order shown (which names
        the item's responses, for the types that show responses)."""
        return self.validate_answer(answer)
