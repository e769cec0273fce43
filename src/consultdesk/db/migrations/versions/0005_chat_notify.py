"""chat messages announce themselves on commit (PostgreSQL LISTEN/NOTIFY)

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-06 04:00:00

On PostgreSQL, every row inserted into ``consultation_messages`` sends
``NOTIFY consultdesk_chat_<schema>`` with the consultation id, the sequence number and
the inserting process (``consultdesk.origin``). PostgreSQL delivers it only when the
transaction commits, whichever code path stored the message. SQLite runs in one process
and needs nothing.
"""

from __future__ import annotations

from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(
        """
        CREATE OR REPLACE FUNCTION consultdesk_message_notify() RETURNS trigger AS $$
        BEGIN
          PERFORM pg_notify(
            'consultdesk_chat_' || TG_TABLE_SCHEMA,
            json_build_object(
              'c', NEW.consultation_id,
              's', NEW.seq,
              'o', current_setting('consultdesk.origin', true)
            )::text
          );
          RETURN NULL;
        END
        $$ LANGUAGE plpgsql
        """
    )
    op.execute(
        """
        CREATE TRIGGER consultation_messages_notify
        AFTER INSERT ON consultation_messages
        FOR EACH ROW EXECUTE FUNCTION consultdesk_message_notify()
        """
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS consultation_messages_notify ON consultation_messages")
    op.execute("DROP FUNCTION IF EXISTS consultdesk_message_notify()")
