"""All tables, importable from one place (Alembic reads ``Base.metadata`` from here)."""

from fairloop.db.base import Base
from fairloop.db.models.account import ApiToken, Membership, Organisation, User, WebSession
from fairloop.db.models.assignment import Assignment, Submission
from fairloop.db.models.item import Item
from fairloop.db.models.ledger import AuditEntry, LedgerEntry
from fairloop.db.models.media import Media
from fairloop.db.models.project import Consent, Disclosure, Project, ProjectWorker
from fairloop.db.models.redteam import Turn

__all__ = [
    "ApiToken",
    "Assignment",
    "AuditEntry",
    "Base",
    "Consent",
    "Disclosure",
    "Item",
    "LedgerEntry",
    "Media",
    "Membership",
    "Organisation",
    "Project",
    "ProjectWorker",
    "Submission",
    "Turn",
    "User",
    "WebSession",
]
