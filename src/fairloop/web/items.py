"""The one item renderer's reading of an item: which fields a task page shows, in what
order, and as what (a conversation, text, an image, lettered responses, or JSON).

``_item.html`` draws what :func:`item_fields` returns, on every task type. The fields
are those the spec's ``task.fields`` names, in its order and under its labels, else
every field of the item in the order the item gave them (on PostgreSQL, whose JSONB
keeps no key order, shorter keys first: a spec that cares names its fields); the type's
own fields (the prompt, the response to rate) are never left out. Fields a page shows
elsewhere (the responses to rank, the draft being edited) are skipped here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
SERVED_IMAGE = re.compile(r"^data:image/(png|jpeg|gif|webp|avif);base64,", re.ASCII)
"""Raster images the image route serves from a cacheable URL (never SVG: as a page of
ours it could run script; a ``data:`` SVG in an ``<img>`` cannot, so it stays inline)."""
IMAGE_KEY = re.compile(r"^[A-Za-z0-9_\-]{1,100}$", re.ASCII)

CORE = {
    "label": (),
    "review": (),
    "rate": ("prompt", "messages", "response"),
    "compare": ("prompt", "messages", "responses"),
    "rank": ("prompt", "messages"),
    "write": ("messages",),
    "converse": ("scenario",),
    "redteam": (),
    "record": (),
}
"""Fields each type shows even where ``task.fields`` leaves them out."""
ELSEWHERE = {
    "rank": {"responses"},
    "write": {"draft"},
    "redteam": {"goal", "hazard"},
    "record": {"script", "prompt"},
}
"""Fields a type's page shows outside the item (the ranking list, the text box)."""


@dataclass(frozen=True, slots=True)
class ItemField:
    """One field as the page shows it. ``kind``: ``chat`` (``value`` a message list),
    ``text`` (Markdown), ``image`` (``value`` the ``src``), ``responses`` (``value`` a
    list of :class:`Response`) or ``json``. ``label`` is the spec's, or empty: the
    template then names the field (translated for the fields it knows)."""

    key: str
    label: str
    kind: str
    value: Any


@dataclass(frozen=True, slots=True)
class Response:
    letter: str
    id: str
    text: str


def item_fields(
    task: dict[str, Any], data: dict[str, Any], *, assignment_id: int, shown: list[str] | None
) -> list[ItemField]:
    """The fields of ``data`` the page of ``task`` shows, in order."""
    kind = str(task.get("type", ""))
    labels = _named(task)
    core = [k for k in CORE.get(kind, ()) if k in data and k not in labels]
    keys = [*core, *labels] if labels else list(data)
    skip = ELSEWHERE.get(kind, set()) | ({"alt"} if _has_image(data) and not labels else set())
    return [
        _field(key, labels.get(key, ""), data[key], assignment_id=assignment_id, shown=shown)
        for key in dict.fromkeys(keys)
        if key in data and key not in skip and data[key] not in (None, "")
    ]


def _named(task: dict[str, Any]) -> dict[str, str]:
    """``task.fields`` as {name: label}; ``write`` uses ``fields`` for its answer."""
    if task.get("type") == "write":
        return {}
    named = task.get("fields") or []
    return {f["name"]: f.get("label") or "" for f in named if isinstance(f, dict) and "name" in f}


def _has_image(data: dict[str, Any]) -> bool:
    return any(isinstance(v, str) and _image_src(k, v, 0) for k, v in data.items())


def _field(
    key: str, label: str, value: Any, *, assignment_id: int, shown: list[str] | None
) -> ItemField:
    if key == "messages" and _is_messages(value):
        return ItemField(key, label, "chat", value)
    if key == "responses" and _is_responses(value):
        return ItemField(key, label, "responses", lettered(value, shown))
    if isinstance(value, str):
        src = _image_src(key, value, assignment_id)
        return ItemField(key, label, "image", src) if src else ItemField(key, label, "text", value)
    return ItemField(key, label, "json", value)


def _image_src(key: str, value: str, assignment_id: int) -> str | None:
    if SERVED_IMAGE.match(value) and IMAGE_KEY.match(key):
        return f"/work/assignments/{assignment_id}/images/{key}"
    if value.startswith("data:image/"):
        return value
    if value.startswith("/media/") and ".." not in value and "?" not in value:
        return value
    return None


def _is_messages(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(m, dict) and isinstance(m.get("content"), str) for m in value
    )


def _is_responses(value: Any) -> bool:
    return isinstance(value, list) and all(
        isinstance(r, dict) and isinstance(r.get("text"), str) for r in value
    )


def lettered(responses: list[dict[str, Any]], shown: list[str] | None) -> list[Response]:
    """Responses in the order this assignment shows them, lettered A, B, C…"""
    by_id = {str(r.get("id")): r for r in responses}
    order = [by_id[i] for i in shown if i in by_id] if shown else list(responses)
    return [
        Response(LETTERS[n % len(LETTERS)], str(r.get("id")), r["text"])
        for n, r in enumerate(order)
    ]


def image_data(data: dict[str, Any], key: str) -> str | None:
    """The ``data:`` URL the image route serves for field ``key``, if it is one."""
    value = data.get(key)
    if isinstance(value, str) and IMAGE_KEY.match(key) and SERVED_IMAGE.match(value):
        return value
    return None
