"""Skills: what a worker can do (``language:sw``, ``domain:medicine``), with a level.

A requirement is ``kind:value`` or ``kind:value@N`` (level N or more, 1 to 5). To keep
the lease query one containment test, a worker's skills are expanded into *tokens*:
a worker with ``language:sw`` at level 3 holds ``language:sw``, ``language:sw@2`` and
``language:sw@3``; an item's requirement is met when its tokens are all held.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

MAX_LEVEL = 5
_SKILL = re.compile(r"^([a-z][a-z0-9_-]{0,31}:[a-z0-9][a-z0-9_.+-]{0,63})(?:@([1-5]))?$")


def parse_skill(text: object) -> tuple[str, int]:
    """``"language:sw@2"`` -> ``("language:sw", 2)``; ValueError naming the rule."""
    match = _SKILL.match(text) if isinstance(text, str) else None
    if match is None:
        raise ValueError(
            f"{text!r} is not a skill: write kind:value, optionally @level (1-{MAX_LEVEL}), "
            "for example language:sw or domain:medicine@2"
        )
    return match.group(1), int(match.group(2) or 1)


def requirement_token(text: str) -> str:
    """The token a requirement needs: level 1 is the bare skill."""
    name, level = parse_skill(text)
    return name if level == 1 else f"{name}@{level}"


def held_tokens(skills: Mapping[str, int]) -> list[str]:
    """Every token a worker with these skills (name -> level) holds."""
    tokens: list[str] = []
    for name, level in skills.items():
        tokens.append(name)
        tokens += [f"{name}@{n}" for n in range(2, min(level, MAX_LEVEL) + 1)]
    return sorted(tokens)


def meets(required: Iterable[str] | None, skills: Mapping[str, int]) -> bool:
    """Whether a worker with ``skills`` meets every requirement (tokens or raw text)."""
    held = set(held_tokens(skills))
    return all(requirement_token(r) in held for r in required or ())
