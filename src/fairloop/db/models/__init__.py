"""All tables, importable from one place (Alembic reads ``Base.metadata`` from here)."""

from fairloop.db.base import Base
from fairloop.db.models.account import ApiToken, Membership, Organisation, User, WebSession
from fairloop.db.models.assignment import Assignment, Submission
from fairloop.db.models.item import Item
from fairloop.db.models.ledger import AuditEntry, LedgerEntry
from fairloop.db.models.project import Consent, Disclosure, Project, ProjectWorker

__all__ = [
    "ApiToken",
    "Assignment",
    "AuditEntry",
    "Base",
    "Consent",
    "Disclosure",
    "Item",
    "LedgerEntry",
    "Membership",
    "Organisation",
    "Project",
    "ProjectWorker",
    "Submission",
    "User",
    "WebSession",
]
