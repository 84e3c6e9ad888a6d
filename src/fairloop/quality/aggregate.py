"""Pick an aggregation method by its short name, as the CLI and project settings do."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from fairloop.quality.dawid_skene import dawid_skene, one_coin_dawid_skene
from fairloop.quality.errors import QualityInputError
from fairloop.quality.glad import glad
from fairloop.quality.mace import mace
from fairloop.quality.responses import Aggregation, ArrayLike
from fairloop.quality.voting import majority_vote, weighted_majority_vote

METHODS: Mapping[str, Callable[..., Aggregation]] = {
    "mv": majority_vote,
    "wmv": weighted_majority_vote,
    "ds": dawid_skene,
    "onecoin": one_coin_dawid_skene,
    "glad": glad,
    "mace": mace,
}


def aggregate(
    method: str, items: ArrayLike, workers: ArrayLike, labels: ArrayLike, **options: object
) -> Aggregation:
    """Run the method named `method` (a key of METHODS) with its keyword `options`."""
    try:
        run = METHODS[method]
    except KeyError:
        raise QualityInputError(
            f"method must be one of {', '.join(METHODS)}, not {method!r}", field="method"
        ) from None
    return run(items, workers, labels, **options)
