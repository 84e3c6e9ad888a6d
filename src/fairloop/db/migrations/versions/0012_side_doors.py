"""side doors: when a project was paused and last resumed, so a pause that outlasts
FAIRLOOP_PAUSE_LIMIT_DAYS becomes a suspension with its notice and pay

Revision ID: 0012
Revises: 0011
"""

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.add_column(sa.Column("paused_at", WHEN, nullable=True))
        batch.add_column(sa.Column("resumed_at", WHEN, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("projects") as batch:
        batch.drop_column("resumed_at")
        batch.drop_column("paused_at")
