"""Due process for reviews: the only reasons work may be rejected, and what each needs.

Disagreeing with the majority is not on the list: a minority answer can be right.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass

from fairloop.errors import InvalidInput


@dataclass(frozen=True)
class Reason:
    code: str
    label: str
    evidence: str | None
    """What the requester must attach (None: the server checks the reason itself)."""


REASONS = {
    r.code: r
    for r in (
        Reason(
            "too_fast",
            "answered faster than 3 standard deviations under the project's mean time",
            None,
        ),
        Reason(
            "failed_checks",
            "failed attention or gold checks",
            "the checks failed and the answers given",
        ),
        Reason("missing_parts", "required parts of the answer are missing", "the parts missing"),
        Reason("low_effort", "objectively low effort", "a written explanation"),
    )
}
MIN_EVIDENCE = 20
"""Characters of evidence at the least: a word or two explains nothing."""
MAX_EVIDENCE = 5000
MIN_SAMPLE = 10
"""Submissions a project needs before "too fast" can be judged at all."""


def check_review(decision: object, reason: object, evidence: object) -> tuple[str, str | None, str]:
    """Validate a review body; returns (decision, reason, evidence)."""
    if decision not in ("approve", "reject"):
        raise InvalidInput('decision must be "approve" or "reject"', field="decision")
    text = evidence.strip() if isinstance(evidence, str) else ""
    if evidence is not None and not isinstance(evidence, str):
        raise InvalidInput("evidence must be text", field="evidence")
    if len(text) > MAX_EVIDENCE:
        raise InvalidInput(f"evidence is longer than {MAX_EVIDENCE} characters", field="evidence")
    if decision == "approve":
        return "approve", None, text
    if not isinstance(reason, str) or reason not in REASONS:
        listed = ", ".join(REASONS)
        raise InvalidInput(
            f"a rejection needs a reason from the list ({listed}); disagreeing with the "
            "majority is not one",
            field="reason",
        )
    needed = REASONS[reason].evidence
    if needed is not None and len(text) < MIN_EVIDENCE:
        raise InvalidInput(
            f"a rejection for {reason!r} needs {needed}, at least {MIN_EVIDENCE} characters",
            field="evidence",
        )
    return "reject", reason, text


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
