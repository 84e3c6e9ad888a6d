"""voice: a question thread per project, and workers' ratings of requesters

Revision ID: 0011
Revises: 0010
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def _fk(table: str, column: str, target: str, ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column],
        [f"{target}.id"],
        name=op.f(f"fk_{table}_{column}_{target}"),
        ondelete=ondelete,
    )


def upgrade() -> None:
    op.create_table(
        "questions",
        sa.Column("id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("worker_id", ID, nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        _fk("questions", "project_id", "projects"),
        _fk("questions", "worker_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_questions")),
    )
    op.create_index("ix_questions_project_worker", "questions", ["project_id", "worker_id"])
    op.create_table(
        "answers",
        sa.Column("id", ID, nullable=False),
        sa.Column("question_id", ID, nullable=False),
        sa.Column("author_id", ID, nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        _fk("answers", "question_id", "questions"),
        _fk("answers", "author_id", "users", ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answers")),
    )
    op.create_index(op.f("ix_answers_question_id"), "answers", ["question_id"])
    op.create_table(
        "requester_ratings",
        sa.Column("id", ID, nullable=False),
        sa.Column("project_id", ID, nullable=False),
        sa.Column("worker_id", ID, nullable=False),
        sa.Column("clarity", sa.SmallInteger(), nullable=False),
        sa.Column("fairness", sa.SmallInteger(), nullable=False),
        sa.Column("pay", sa.SmallInteger(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        _fk("requester_ratings", "project_id", "projects"),
        _fk("requester_ratings", "worker_id", "users"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requester_ratings")),
    )
    op.create_index(
        "ix_requester_ratings_project_worker", "requester_ratings", ["project_id", "worker_id"]
    )


def downgrade() -> None:
    op.drop_index("ix_requester_ratings_project_worker", table_name="requester_ratings")
    op.drop_table("requester_ratings")
    op.drop_index(op.f("ix_answers_question_id"), table_name="answers")
    op.drop_table("answers")
    op.drop_index("ix_questions_project_worker", table_name="questions")
    op.drop_table("questions")
