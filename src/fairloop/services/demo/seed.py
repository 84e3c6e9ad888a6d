"""The demo: one organisation, one requester, three workers, a labelling project and
one project of each human-feedback type."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from fairloop.db.engine import Database
from fairloop.db.models import Project, User
from fairloop.domain.actors import Actor
from fairloop.domain.specs import parse_spec
from fairloop.io.items import ItemFile
from fairloop.services.accounts import create_user
from fairloop.services.demo.feedback import FEEDBACK_DEMOS
from fairloop.services.demo.items import DEMO_SPEC, demo_items
from fairloop.services.import_items import import_items
from fairloop.services.projects import create_project

DEMO_ORG = "Demo Lab"
DEMO_PASSWORD = "fairloop-demo"
DEMO_USERS = [
    ("requester@demo.fairloop.dev", "requester"),
    ("amina@demo.fairloop.dev", "worker"),
    ("bao@demo.fairloop.dev", "worker"),
    ("carlos@demo.fairloop.dev", "worker"),
    ("admin@demo.fairloop.dev", "admin"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    role: str
    password: str


def seed_demo(db: Database) -> tuple[list[DemoLogin], bool]:
    """Seed once; returns (logins, whether anything was added)."""
    logins = [DemoLogin(email, role, DEMO_PASSWORD) for email, role in DEMO_USERS]
    with db.transaction(readonly=True) as session:
        seeded = session.scalar(select(Project.id).where(Project.name == DEMO_SPEC["name"]))
        existing = {u.email: u for u in session.scalars(select(User))}
    if seeded is not None:
        return logins, _seed_feedback(db)
    # A run stopped half-way left some users: reuse them, create what is missing.
    for email, role in DEMO_USERS:
        if email not in existing:
            create_user(
                db,
                email,
                role=role,
                password=DEMO_PASSWORD,
                org=DEMO_ORG if role != "worker" else None,
            )
    with db.transaction(readonly=True) as session:
        user = session.scalar(select(User).where(User.email == DEMO_USERS[0][0]))
        assert user is not None
        requester = Actor(user.id, user.role, user.email)
    project_id = create_project(db, requester, parse_spec(DEMO_SPEC), org=DEMO_ORG)
    items = demo_items()
    source = ItemFile("demo", None, len(items), iter(enumerate(items, start=1)))
    import_items(db, requester, project_id, source)
    _seed_feedback(db)
    return logins, True


def _seed_feedback(db: Database) -> bool:
    """One project of each human-feedback type, each added once (by name)."""
    with db.transaction(readonly=True) as session:
        names = set(session.scalars(select(Project.name)))
        user = session.scalar(select(User).where(User.email == DEMO_USERS[0][0]))
    if user is None:
        return False
    requester = Actor(user.id, user.role, user.email)
    added = False
    for spec, make_items in FEEDBACK_DEMOS:
        if spec["name"] in names:
            continue
        project_id = create_project(db, requester, parse_spec(spec), org=DEMO_ORG)
        items = make_items()
        import_items(db, requester, project_id, ItemFile("demo", None, len(items), iter(enumerate(items, 1))))  # fmt: skip
        added = True
    return added
