"""Who may get which item next: the rule, over plain values.

- :mod:`.leases`: queue order, room under overlap, pending leases (fewer while
  work is scarce), lease expiry, credited time.
- :mod:`.overlap`: fixed and dynamic overlap; :func:`item_confidence`.
- :mod:`.gold`: gold mixed in at ``gold_rate``; the qualification test.
- :mod:`.skills`: skill requirements with levels.

The service turns the rule into indexed SQL; :func:`has_room` is checked again
under the item's lock.
"""

from fairloop.domain.scheduling.gold import (
    Attempt,
    QualificationRule,
    attempt_passed,
    gold_due,
    may_start_attempt,
    retake_at,
)
from fairloop.domain.scheduling.leases import (
    MAX_PENDING,
    SCARCITY_FACTOR,
    has_room,
    lease_expiry,
    lease_is_live,
    pending_cap,
    queue_order,
)
from fairloop.domain.scheduling.overlap import (
    OverlapRule,
    answer_key,
    gold_accuracies,
    item_confidence,
    matches_gold,
    one_coin_posterior,
    saved_submissions,
    wanted_submissions,
)
from fairloop.domain.scheduling.skills import (
    MAX_LEVEL,
    held_tokens,
    meets,
    parse_skill,
    requirement_token,
)

__all__ = [
    "MAX_LEVEL",
    "MAX_PENDING",
    "SCARCITY_FACTOR",
    "Attempt",
    "OverlapRule",
    "QualificationRule",
    "answer_key",
    "attempt_passed",
    "gold_accuracies",
    "gold_due",
    "has_room",
    "held_tokens",
    "item_confidence",
    "lease_expiry",
    "lease_is_live",
    "matches_gold",
    "may_start_attempt",
    "meets",
    "one_coin_posterior",
    "parse_skill",
    "pending_cap",
    "queue_order",
    "requirement_token",
    "retake_at",
    "saved_submissions",
    "wanted_submissions",
]
