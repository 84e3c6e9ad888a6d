"""Task types: one module each, holding the spec section and the answer rule of its
type. A new type is a new module here plus one entry in :data:`TASK_CLASSES`."""

from __future__ import annotations

from typing import Annotated, get_args

from pydantic import Field

from fairloop.domain.tasks.compare import CompareTask
from fairloop.domain.tasks.converse import ConverseTask
from fairloop.domain.tasks.label import LabelTask
from fairloop.domain.tasks.rank import RankTask
from fairloop.domain.tasks.rate import RateTask
from fairloop.domain.tasks.record import RecordTask
from fairloop.domain.tasks.redteam import RedteamTask
from fairloop.domain.tasks.review import ReviewTask
from fairloop.domain.tasks.write import WriteTask

TASK_CLASSES = (
    LabelTask,
    RateTask,
    CompareTask,
    RankTask,
    WriteTask,
    ConverseTask,
    RedteamTask,
    RecordTask,
    ReviewTask,
)
"""Task types this instance can run; the spec refuses any other."""

# Each class's ``type`` is a one-value Literal: that value is the type's name.
TASK_TYPES: tuple[str, ...] = tuple(
    get_args(cls.model_fields["type"].annotation)[0] for cls in TASK_CLASSES
)

Task = Annotated[
    LabelTask
    | RateTask
    | CompareTask
    | RankTask
    | WriteTask
    | ConverseTask
    | RedteamTask
    | RecordTask
    | ReviewTask,
    Field(discriminator="type"),
]
"""The ``task`` section of a spec."""
