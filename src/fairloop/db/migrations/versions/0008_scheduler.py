"""scheduler: item kinds, dynamic overlap, skills, gold and qualification counters

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
NOT_TEST = "kind != 'qualification'"
QUEUE = ["project_id", "neg_priority", "submission_count", "seq"]


def _fk(table: str, column: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete="CASCADE",
    )


def upgrade() -> None:
    op.drop_index("ix_items_queue", table_name="items")
    with op.batch_alter_table("items") as batch:
        batch.add_column(sa.Column("kind", sa.String(16), nullable=False, server_default="task"))
        batch.add_column(sa.Column("wanted", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("skills", JSON, nullable=True))
    # Items imported before: gold ones are gold, and each wants its project's overlap.
    op.execute("UPDATE items SET kind = 'gold' WHERE gold IS NOT NULL")
    op.execute(
        "UPDATE items SET wanted = (SELECT overlap FROM projects WHERE projects.id = items.project_id)"
    )
    op.create_index("ix_items_queue", "items", [*QUEUE[:1], "kind", *QUEUE[1:]])
    with op.batch_alter_table("project_workers") as batch:
        for name in ("leased", "gold_leased", "leased_today", "gold_answered", "gold_correct"):
            batch.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("day", sa.Date(), nullable=True))
        batch.add_column(sa.Column("qualified_at", WHEN, nullable=True))
    op.create_table(
        "worker_skills",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("skill", sa.String(100), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        _fk("worker_skills", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_worker_skills")),
        sa.UniqueConstraint("user_id", "skill", name=op.f("uq_worker_skills_user_id_skill")),
    )
    op.create_index(op.f("ix_worker_skills_user_id"), "worker_skills", ["user_id"])
    op.create_table(
        "qualification_attempts",
        sa.Column("id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("answered", sa.Integer(), nullable=False),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.Column("passed", sa.Boolean(), nullable=True),
        _fk("qualification_attempts", "project_id", "projects"),
        _fk("qualification_attempts", "user_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qualification_attempts")),
    )
    op.create_index(
        "ix_qualification_attempts_worker", "qualification_attempts", ["project_id", "user_id"]
    )
    # Never twice on an item, except a qualification test taken again.
    with op.batch_alter_table("assignments") as batch:
        batch.drop_constraint("uq_assignments_item_id_worker_id", type_="unique")
    op.create_index(
        "uq_assignments_item_worker",
        "assignments",
        ["item_id", "worker_id"],
        unique=True,
        sqlite_where=sa.text(NOT_TEST),
        postgresql_where=sa.text(NOT_TEST),
    )


def downgrade() -> None:
    op.drop_index("uq_assignments_item_worker", table_name="assignments")
    op.execute("DELETE FROM assignments WHERE kind = 'qualification'")
    with op.batch_alter_table("assignments") as batch:
        batch.create_unique_constraint("uq_assignments_item_id_worker_id", ["item_id", "worker_id"])
    op.drop_index("ix_qualification_attempts_worker", table_name="qualification_attempts")
    op.drop_table("qualification_attempts")
    op.drop_index(op.f("ix_worker_skills_user_id"), table_name="worker_skills")
    op.drop_table("worker_skills")
    with op.batch_alter_table("project_workers") as batch:
        for name in ("qualified_at", "day", "gold_correct", "gold_answered", "leased_today"):
            batch.drop_column(name)
        batch.drop_column("gold_leased")
        batch.drop_column("leased")
    op.drop_index("ix_items_queue", table_name="items")
    with op.batch_alter_table("items") as batch:
        batch.drop_column("skills")
        batch.drop_column("wanted")
        batch.drop_column("kind")
    op.create_index("ix_items_queue", "items", QUEUE)
