"""wellbeing: opt-outs, viewing settings, check-ins, the inbox, suspension notice

Revision ID: 0007
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)
JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")


def _user_fk(table: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        ["user_id"], ["users.id"], name=op.f(f"fk_{table}_user_id_users"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "hazard_opt_outs",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("hazard", sa.String(length=16), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        _user_fk("hazard_opt_outs"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazard_opt_outs")),
        sa.UniqueConstraint("user_id", "hazard", name=op.f("uq_hazard_opt_outs_user_id_hazard")),
    )
    op.create_index(op.f("ix_hazard_opt_outs_user_id"), "hazard_opt_outs", ["user_id"])
    op.create_table(
        "viewing_settings",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("text_severity_max", sa.Integer(), nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        _user_fk("viewing_settings"),
        sa.PrimaryKeyConstraint("user_id", name=op.f("pk_viewing_settings")),
    )
    op.create_table(
        "wellbeing_checkins",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("answers", JSON, nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        _user_fk("wellbeing_checkins"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_wellbeing_checkins")),
    )
    op.create_index(op.f("ix_wellbeing_checkins_user_id"), "wellbeing_checkins", ["user_id"])
    op.create_table(
        "notices",
        sa.Column("id", ID, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("project_id", ID, nullable=True),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("read_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["project_id"],
            ["projects.id"],
            name=op.f("fk_notices_project_id_projects"),
            ondelete="CASCADE",
        ),
        _user_fk("notices"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notices")),
    )
    op.create_index("ix_notices_user_read", "notices", ["user_id", "read_at"])
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("suspended_at", WHEN, nullable=True))
        batch.add_column(sa.Column("notice_ends_at", WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("notice_ends_at")
        batch.drop_column("suspended_at")
    op.drop_index("ix_notices_user_read", table_name="notices")
    op.drop_table("notices")
    op.drop_index(op.f("ix_wellbeing_checkins_user_id"), table_name="wellbeing_checkins")
    op.drop_table("wellbeing_checkins")
    op.drop_table("viewing_settings")
    op.drop_index(op.f("ix_hazard_opt_outs_user_id"), table_name="hazard_opt_outs")
    op.drop_table("hazard_opt_outs")
