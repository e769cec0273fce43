"""merge the eight feature heads into one; the history is linear from here

Revision ID: 0004
Revises: 0003_assistant, 0003_chat, 0003_closing_loop, 0003_compliance_aml, 0003_identity,
    0003_knowledge, 0003_security_audit, 0003_sla
Create Date: 2026-12-06 03:20:00
"""

from __future__ import annotations

revision = "0004"
down_revision = (
    "0003_assistant",
    "0003_chat",
    "0003_closing_loop",
    "0003_compliance_aml",
    "0003_identity",
    "0003_knowledge",
    "0003_security_audit",
    "0003_sla",
)
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: this revision only joins the heads."""


def downgrade() -> None:
    """Nothing to change: downgrading past here splits the history into its heads again."""
