"""Who is acting: the authenticated user as every layer sees them."""

from __future__ import annotations

from dataclasses import dataclass

ROLES = ("worker", "requester", "admin")


@dataclass(frozen=True, slots=True)
class Actor:
    id: int
    role: str
    email: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"
