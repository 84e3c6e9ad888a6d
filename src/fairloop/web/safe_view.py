"""What the task page needs for safe viewing, and the review form's answer."""

from __future__ import annotations

from typing import Any

from starlette.datastructures import FormData

from fairloop.db.engine import Database
from fairloop.domain.actors import Actor
from fairloop.domain.hazards import HAZARDS, SEVERITY_WORDS, describe
from fairloop.services.wellbeing import exposure
from fairloop.services.work.assign import Lease


def context(db: Database, actor: Actor, lease: Lease) -> dict[str, Any]:
    """Template values: hazard names, the worker's text setting, review choices."""
    names = [HAZARDS[c][0] for c in lease.hazards or [] if c in HAZARDS]
    categories = lease.task.get("categories") or list(HAZARDS)
    return {
        "hazard_names": names,
        "text_severity_max": exposure.viewing_setting(db, actor),
        "categories": [describe(c) for c in categories],
        "severity_words": sorted(SEVERITY_WORDS.items()),
    }


def review_answer(form: FormData) -> dict[str, Any]:
    """The review form as an answer; the task type checks it like any API answer."""
    severity_text = form.get("severity")
    severity: Any = severity_text
    if isinstance(severity_text, str) and severity_text.isdigit() and len(severity_text) < 3:
        severity = int(severity_text)
    note = form.get("note")
    return {
        "hazards": [v for v in form.getlist("hazard") if isinstance(v, str)],
        "severity": severity,
        "note": note if isinstance(note, str) else "",
    }
