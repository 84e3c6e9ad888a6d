"""worktime: heartbeat time in milliseconds, the page's own record, the worker's
credited-through clock shared by parallel leases, and the worker's time zone

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(
            sa.Column("heartbeat_ms", sa.BigInteger(), server_default="0", nullable=False)
        )
        batch.add_column(sa.Column("page_ms", sa.BigInteger(), nullable=True))
    op.execute("UPDATE assignments SET heartbeat_ms = heartbeat_seconds * 1000")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("heartbeat_seconds")
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("worktime_through", WHEN, nullable=True))
        batch.add_column(sa.Column("time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("time_zone")
        batch.drop_column("worktime_through")
    with op.batch_alter_table("assignments") as batch:
        batch.add_column(
            sa.Column("heartbeat_seconds", sa.Integer(), server_default="0", nullable=False)
        )
    op.execute("UPDATE assignments SET heartbeat_seconds = heartbeat_ms / 1000")
    with op.batch_alter_table("assignments") as batch:
        batch.drop_column("page_ms")
        batch.drop_column("heartbeat_ms")
