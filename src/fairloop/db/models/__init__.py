"""All tables, importable from one place (Alembic reads ``Base.metadata`` from here)."""

from fairloop.db.base import Base
from fairloop.db.models.account import ApiToken, Membership, Organisation, User, WebSession
from fairloop.db.models.assignment import Assignment, Submission
from fairloop.db.models.item import Item
from fairloop.db.models.ledger import AuditEntry, LedgerEntry
from fairloop.db.models.media import Media
from fairloop.db.models.notice import Notice
from fairloop.db.models.project import (
    Consent,
    Disclosure,
    Project,
    ProjectWorker,
    QualificationAttempt,
)
from fairloop.db.models.redteam import Turn
from fairloop.db.models.review import Appeal, Review
from fairloop.db.models.skill import WorkerSkill
from fairloop.db.models.voice import Answer, Question, RequesterRating
from fairloop.db.models.wellbeing import CheckIn, HazardOptOut, ViewingSetting

__all__ = [
    "Answer",
    "ApiToken",
    "Appeal",
    "Assignment",
    "AuditEntry",
    "Base",
    "CheckIn",
    "Consent",
    "Disclosure",
    "HazardOptOut",
    "Item",
    "LedgerEntry",
    "Media",
    "Membership",
    "Notice",
    "Organisation",
    "Project",
    "ProjectWorker",
    "QualificationAttempt",
    "Question",
    "RequesterRating",
    "Review",
    "Submission",
    "Turn",
    "User",
    "ViewingSetting",
    "WebSession",
    "WorkerSkill",
]
