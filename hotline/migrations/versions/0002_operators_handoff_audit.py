"""operators, console sessions, audit log, hand-off state and wrap-ups

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "operator",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("username", sa.String(64), nullable=False, unique=True),
        sa.Column("display_name", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("role", sa.String(16), nullable=False, server_default="operator"),
        sa.Column("languages", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("status", sa.String(16), nullable=False, server_default="available"),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("max_conversations", sa.Integer(), nullable=True),
        sa.Column("failed_logins", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "operator_session",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column(
            "operator_id",
            sa.Integer(),
            sa.ForeignKey("operator.id", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("csrf_token", sa.String(64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_index("ix_operator_session_operator", "operator_session", ["operator_id"])
    op.create_table(
        "audit_event",
        sa.Column("id", sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "actor_id",
            sa.Integer(),
            sa.ForeignKey("operator.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("actor_name", sa.String(64), nullable=True),
        sa.Column("action", sa.String(40), nullable=False),
        sa.Column("conversation_id", sa.Integer(), nullable=True),
        sa.Column("subject_operator_id", sa.Integer(), nullable=True),
        sa.Column("details", sa.JSON(), nullable=False),
    )
    op.create_index("ix_audit_event_at", "audit_event", ["at"])
    op.create_index("ix_audit_event_conversation", "audit_event", ["conversation_id", "at"])
    op.create_index("ix_audit_event_actor", "audit_event", ["actor_id", "action", "at"])

    with op.batch_alter_table("conversation") as batch:
        batch.add_column(sa.Column("screening", sa.JSON(), nullable=True))
        batch.add_column(
            sa.Column("is_child", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("needs_interpreter", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(sa.Column("assigned_operator_id", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("assigned_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("operator_activity_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("wrapup_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("position_told", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("waiting_update_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("after_hours_step", sa.String(16), nullable=True))
        batch.add_column(sa.Column("contact_preference", sa.String(16), nullable=True))
        batch.add_column(sa.Column("contact_note_encrypted", sa.Text(), nullable=True))
        batch.add_column(
            sa.Column("contact_preference_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(
            sa.Column("rasa_paused", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.create_foreign_key(
            "fk_conversation_assigned_operator",
            "operator",
            ["assigned_operator_id"],
            ["id"],
            ondelete="SET NULL",
        )
        batch.create_index("ix_conversation_queue", ["state", "priority", "is_child", "queued_at"])
        batch.create_index("ix_conversation_assigned", ["assigned_operator_id", "state"])
        batch.create_index("ix_conversation_created", ["created_at"])
        batch.create_index("ix_conversation_rasa_paused", ["rasa_paused"])

    with op.batch_alter_table("message") as batch:
        batch.add_column(sa.Column("operator_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_message_operator", "operator", ["operator_id"], ["id"], ondelete="SET NULL"
        )

    op.create_table(
        "wrapup",
        sa.Column(
            "conversation_id",
            sa.Integer(),
            sa.ForeignKey("conversation.id", ondelete="CASCADE"),
            primary_key=True,
        ),
        sa.Column(
            "operator_id",
            sa.Integer(),
            sa.ForeignKey("operator.id", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column("outcome", sa.String(40), nullable=True),
        sa.Column("referrals", sa.JSON(), nullable=False),
        sa.Column("notes_encrypted", sa.Text(), nullable=True),
        sa.Column("completed", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("wrapup")
    with op.batch_alter_table("message") as batch:
        batch.drop_constraint("fk_message_operator", type_="foreignkey")
        batch.drop_column("operator_id")
    with op.batch_alter_table("conversation") as batch:
        batch.drop_index("ix_conversation_rasa_paused")
        batch.drop_index("ix_conversation_created")
        batch.drop_index("ix_conversation_assigned")
        batch.drop_index("ix_conversation_queue")
        batch.drop_constraint("fk_conversation_assigned_operator", type_="foreignkey")
        for column in (
            "rasa_paused", "contact_preference_at", "contact_note_encrypted",
            "contact_preference", "after_hours_step", "waiting_update_at", "position_told",
            "wrapup_at", "operator_activity_at", "assigned_at", "assigned_operator_id",
            "needs_interpreter", "is_child", "screening",
        ):  # fmt: skip
            batch.drop_column(column)
    op.drop_table("audit_event")
    op.drop_table("operator_session")
    op.drop_table("operator")
