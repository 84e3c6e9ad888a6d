"""Due process for reviews: the only reasons work may be rejected, what each needs, and
the deadlines after which work is the worker's.

Disagreeing with the majority is not on the list: a minority answer can be right.

Every reason's evidence is something a second person can check against the stored
answer, not a sentence the requester types:

- ``too_fast``: the server compares the time with the project's (:func:`too_fast_evidence`).
- ``failed_checks``: the server finds the gold item the worker answered wrongly
  (:func:`failed_checks_evidence`); a project without gold cannot use it.
- ``low_effort``: quotes from the answer, each found in it verbatim, and why they show
  low effort (:func:`low_effort_evidence`): a made-up quote is refused.
- ``missing_parts``: the parts of the answer that are empty, each found empty in it
  (:func:`missing_parts_evidence`): naming a part that has content is refused.
"""

from __future__ import annotations

import json
import re
import statistics
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from fairloop.domain.languages import N_
from fairloop.errors import InvalidInput


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    evidence: str | None
    """What the requester must attach (None: the server finds the evidence itself)."""


REASONS = {
    r.code: r
    for r in (
        Reason(
            "too_fast",
            N_("answered faster than 3 standard deviations under the project's mean time"),
            None,
        ),
        Reason("failed_checks", N_("failed a gold (known-answer) check"), None),
        Reason(
            "missing_parts",
            N_("required parts of the answer are missing"),
            '{"parts": [names of the answer\'s empty parts], "note": ".."}',
        ),
        Reason(
            "low_effort",
            N_("objectively low effort"),
            '{"quotes": [text quoted from the answer], "note": "why it is low effort"}',
        ),
    )
}
MIN_EVIDENCE = 20
"""Characters of a note at the least, where a note is needed: a word explains nothing."""
MAX_EVIDENCE = 5000
MAX_QUOTES = 10
MAX_QUOTE = 1000
MIN_SAMPLE = 10
"""Submissions a project needs before "too fast" can be judged at all."""
MIN_DECISION_NOTE = 20
"""Characters an admin must write to uphold a rejection: the worker is told why."""


@dataclass(frozen=True)
class Claim:
    """What a rejection asserts about the answer, before the server checks it."""

    quotes: tuple[str, ...] = ()
    parts: tuple[str, ...] = ()
    note: str = ""


def check_review(
    decision: object, reason: object, evidence: object
) -> tuple[str, str | None, Claim]:
    """Validate a review body's shape; returns (decision, reason, claim).

    The claim is checked against the answer later (:func:`low_effort_evidence`,
    :func:`missing_parts_evidence`): this only refuses what no answer could satisfy.
    """
    if decision not in ("approve", "reject"):
        raise InvalidInput('decision must be "approve" or "reject"', field="decision")
    if decision == "approve":
        return "approve", None, Claim(note=_text(evidence, "evidence"))
    if not isinstance(reason, str) or reason not in REASONS:
        listed = ", ".join(REASONS)
        raise InvalidInput(
            f"a rejection needs a reason from the list ({listed}); disagreeing with the "
            "majority is not one",
            field="reason",
        )
    if REASONS[reason].evidence is None:
        if evidence not in (None, "", {}):
            raise InvalidInput(
                f"the evidence for {reason!r} is found by the server from the stored work; "
                "send no evidence",
                field="evidence",
            )
        return "reject", reason, Claim()
    return "reject", reason, _claim(reason, evidence)


def _claim(reason: str, evidence: object) -> Claim:
    needed = REASONS[reason].evidence
    if not isinstance(evidence, dict):
        raise InvalidInput(f"a rejection for {reason!r} needs evidence {needed}", field="evidence")
    if extra := sorted(set(evidence) - {"quotes", "parts", "note"}):
        raise InvalidInput(
            f"{extra[0]!r} is not part of the evidence", field=f"evidence.{extra[0]}"
        )
    note = _text(evidence.get("note"), "evidence.note")
    key = "quotes" if reason == "low_effort" else "parts"
    items = _strings(evidence.get(key), f"evidence.{key}", needed or "")
    if reason == "low_effort" and len(note) < MIN_EVIDENCE:
        raise InvalidInput(
            f"a rejection for 'low_effort' needs a note of at least {MIN_EVIDENCE} characters "
            "saying why the quoted text is low effort",
            field="evidence.note",
        )
    if key == "quotes":
        return Claim(quotes=items, note=note)
    return Claim(parts=items, note=note)


def _text(value: object, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be text", field=field)
    text = value.strip()
    if len(text) > MAX_EVIDENCE:
        raise InvalidInput(f"{field} is longer than {MAX_EVIDENCE} characters", field=field)
    return text


def _strings(value: object, field: str, needed: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not value:
        raise InvalidInput(f"{field} must be a list of at least one text: {needed}", field=field)
    if len(value) > MAX_QUOTES:
        raise InvalidInput(f"{field} may name at most {MAX_QUOTES}", field=field)
    found = []
    for n, item in enumerate(value):
        if not isinstance(item, str) or not item.strip() or len(item) > MAX_QUOTE:
            raise InvalidInput(
                f"{field}[{n}] must be text of 1 to {MAX_QUOTE} characters", field=f"{field}[{n}]"
            )
        found.append(item.strip())
    return tuple(found)


def _leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    """Every part of an answer with its dotted path (``fields.sources``, ``turns.0``),
    containers included, so that an empty list or object is a part too."""
    if path:
        yield path, value
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _leaves(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for n, inner in enumerate(value):
            yield from _leaves(inner, f"{path}.{n}" if path else str(n))


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def low_effort_evidence(answer: dict[str, Any], claim: Claim) -> str:
    """The evidence as stored and shown: each quote with the part it is in.

    A quote must appear in a text part of the answer as written (runs of white space
    count as one space); one that does not is refused, naming it.
    """
    texts = [(p, _squash(v)) for p, v in _leaves(answer) if isinstance(v, str)]
    shown = []
    for n, quote in enumerate(claim.quotes):
        wanted = _squash(quote)
        where = next((p for p, text in texts if wanted in text), None)
        if where is None:
            raise InvalidInput(
                f"the quote {quote[:80]!r} is not in the answer: quote the answer's own words",
                field=f"evidence.quotes[{n}]",
            )
        shown.append(f"{json.dumps(wanted, ensure_ascii=False)} (in answer.{where})")
    return f"Quoted from the answer: {'; '.join(shown)}. Why: {claim.note}"


def _empty(value: Any) -> bool:
    return value is None or value in ("", [], {}) or (isinstance(value, str) and not value.strip())


def missing_parts_evidence(answer: dict[str, Any], claim: Claim) -> str:
    """The evidence as stored and shown: the parts of the answer that are empty.

    Each named part (``rationale``, ``fields.sources``; an ``answer.`` prefix is
    allowed) must be in the answer and empty; a part that is not there, or that has
    content, is refused, naming it.
    """
    parts = dict(_leaves(answer))
    named = []
    for n, given in enumerate(claim.parts):
        name = given.removeprefix("answer.")
        field = f"evidence.parts[{n}]"
        if name not in parts:
            known = ", ".join(sorted(parts)[:20]) or "(none)"
            raise InvalidInput(f"the answer has no part {given!r}; its parts: {known}", field=field)
        if not _empty(parts[name]):
            raise InvalidInput(f"answer.{name} is not missing: it has content", field=field)
        named.append(f"answer.{name}")
    note = f" Note: {claim.note}" if claim.note else ""
    return f"Empty in the answer: {', '.join(named)}.{note}"


@dataclass(frozen=True)
class GoldCheck:
    """A gold item the worker answered, as the server scored it."""

    item: str
    expected: dict[str, Any]
    given: dict[str, Any]
    passed: bool


def failed_checks_evidence(check: GoldCheck | None, *, passed: int, answered: int) -> str | None:
    """The evidence that ``check`` was failed, or None when there is none to give (the
    submission is not on a gold item, or its answer matches the known one).

    ``passed`` of ``answered``: the worker's gold record on the project, for context.
    """
    if check is None or check.passed:
        return None
    expected = json.dumps(check.expected, ensure_ascii=False, sort_keys=True)
    given = json.dumps(check.given, ensure_ascii=False, sort_keys=True)
    return (
        f"Gold item {check.item}: the known answer is {expected}; the answer given was "
        f"{given}. On this project the worker passed {passed} of {answered} gold checks."
    )


def too_fast_evidence(seconds: int, project_times: list[int]) -> str | None:
    """The figures that show ``seconds`` is more than 3 SD under the mean, or None."""
    if len(project_times) < MIN_SAMPLE:
        return None
    mean = statistics.fmean(project_times)
    sd = statistics.pstdev(project_times)
    limit = mean - 3 * sd
    if seconds >= limit:
        return None
    return (
        f"{seconds} s against a project mean of {mean:.1f} s and standard deviation of "
        f"{sd:.1f} s over {len(project_times)} submissions (limit {limit:.1f} s)"
    )


def review_deadline(submitted_at: datetime, auto_approve_days: int) -> datetime:
    """When unreviewed work is approved: from then on it cannot be rejected, whether or
    not settlement has run."""
    return submitted_at + timedelta(days=auto_approve_days)


def appeal_deadline(appealed_at: datetime, days: int) -> datetime:
    """When an appeal no admin decided is decided for the worker (overturned, paid)."""
    return appealed_at + timedelta(days=days)
