"""Imports every feature's tables so that ``Base.metadata`` is complete (migrations, tests)."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

from consultdesk.db.base import Base

TABLE_MODULES = (
    "consultdesk.org.tables",
    "consultdesk.policy.tables",
    "consultdesk.staff.tables",
    "consultdesk.customers.tables",
    "consultdesk.consultations.tables",
    "consultdesk.security.tables",
    "consultdesk.audit.tables",
    "consultdesk.knowledge.tables",
    "consultdesk.compliance.tables",
    "consultdesk.aml.tables",
    "consultdesk.consultations.visitor_tables",
    "consultdesk.sla.tables",
    "consultdesk.routing.tables",
    "consultdesk.telephony.tables",
    "consultdesk.counter.tables",
    "consultdesk.notifications.tables",
    "consultdesk.followups.tables",
    "consultdesk.appointments.tables",
    "consultdesk.surveys.tables",
    "consultdesk.identity.tables",
    "consultdesk.retention.tables",
    "consultdesk.assistant.tables",
)


def load_all_tables() -> MetaData:
    for name in TABLE_MODULES:
        importlib.import_module(name)
    return Base.metadata
