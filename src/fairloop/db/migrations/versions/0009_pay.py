"""pay: heartbeat time on assignments, review time on submissions, reviews, appeals

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(sa.Column("heartbeat_at", WHEN, nullable=True))
        batch.add_column(
            sa.Column("heartbeat_seconds", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("submissions") as batch:
        batch.add_column(sa.Column("reviewed_at", WHEN, nullable=True))
        batch.create_index(
            "ix_submissions_pending",
            ["project_id", "submitted_at"],
            sqlite_where=sa.text("review_state = 'pending'"),
            postgresql_where=sa.text("review_state = 'pending'"),
        )
    op.create_table(
        "reviews",
        sa.Column("id", ID, nullable=False),
        sa.Column("submission_id", ID, nullable=False),
        sa.Column("reviewer_id", ID, nullable=True),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_reviews_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["reviewer_id"], ["users.id"], name=op.f("fk_reviews_reviewer_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    op.create_index(op.f("ix_reviews_submission_id"), "reviews", ["submission_id"])
    op.create_table(
        "appeals",
        sa.Column("id", ID, nullable=False),
        sa.Column("submission_id", ID, nullable=False),
        sa.Column("worker_id", ID, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by", ID, nullable=True),
        sa.Column("decision_note", sa.Text(), nullable=False),
        sa.Column("decided_at", WHEN, nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["submissions.id"],
            name=op.f("fk_appeals_submission_id_submissions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["worker_id"], ["users.id"], name=op.f("fk_appeals_worker_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"], ["users.id"], name=op.f("fk_appeals_decided_by_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_appeals")),
        sa.UniqueConstraint("submission_id", name=op.f("uq_appeals_submission_id")),
    )
    op.create_index(op.f("ix_appeals_worker_id"), "appeals", ["worker_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_appeals_worker_id"), table_name="appeals")
    op.drop_table("appeals")
    op.drop_index(op.f("ix_reviews_submission_id"), table_name="reviews")
    op.drop_table("reviews")
    with op.batch_alter_table("submissions") as batch:
        batch.drop_index("ix_submissions_pending")
        batch.drop_column("reviewed_at")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("heartbeat_seconds")
        batch.drop_column("heartbeat_at")
