"""Every capability of consultdesk, registered in one list.

A ``Feature`` names what the feature contributes to each entry point: its HTTP routers,
its command-line sub-commands, its tables, its demo seeder, the console pages it serves
and its background jobs. The web app, the ``consultdesk`` command, the migrations, the
demo and the jobs runner all read ``FEATURES``; nothing else lists features. Names are
"module" or "module:attribute" strings, imported only by the entry point that needs
them, so ``consultdesk --help`` does not load the web stack and ``serve`` does not load
the command line.

Adding a feature: create its folder (see docs/ARCHITECTURE.md), then one entry here.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from consultdesk.jobs.model import Job


@dataclass(frozen=True)
class Feature:
    name: str
    routers: tuple[str, ...] = ()  # "module:attribute" of a FastAPI APIRouter
    cli: str | None = None  # module with ``register(root: typer.Typer)``
    tables: tuple[str, ...] = ()  # modules defining tables on ``consultdesk.db.base.Base``
    seeder: str | None = None  # "module:function", called as f(session=, now=, container=)
    console: tuple[str, ...] = ()  # console pages the feature's routers serve
    jobs: str | None = None  # "module:function": jobs(*, worker, batch) -> list[Job]
    requirements: tuple[str, ...] = ()


FEATURES: tuple[Feature, ...] = (
    Feature(
        "org",
        cli="consultdesk.org.cli",
        tables=("consultdesk.org.tables",),
        requirements=("ANX-1",),
    ),
    Feature(
        "staff",
        routers=("consultdesk.staff.api:router",),
        cli="consultdesk.staff.cli",
        tables=("consultdesk.staff.tables",),
        console=("/", "/console/users"),
        requirements=("PREP-5", "RSK-2"),
    ),
    Feature(
        "policy",
        routers=("consultdesk.policy.api:router",),
        cli="consultdesk.policy.cli",
        tables=("consultdesk.policy.tables",),
        console=("/console/policy",),
        requirements=("ANX-1", "ANX-2"),
    ),
    Feature(
        "customers",
        tables=("consultdesk.customers.tables",),
        seeder="consultdesk.customers.demo:seed_demo_customers",
        requirements=("ACC-4", "ACC-5", "RSK-1"),
    ),
    Feature(
        "consultations",
        routers=("consultdesk.consultations.api:router", "consultdesk.consultations.chat:router"),
        cli="consultdesk.consultations.cli",
        tables=("consultdesk.consultations.tables", "consultdesk.consultations.visitor_tables"),
        console=("/console/queue",),
        requirements=("ACC-1", "ACC-2", "ACC-3", "ACC-4", "ACC-5", "ACP-1", "ACP-4"),
    ),
    Feature("validation", cli="consultdesk.validation.cli", requirements=("ACP-2",)),
    Feature("workdays", cli="consultdesk.workdays.cli", requirements=("CLS-3",)),
    Feature("corebank", cli="consultdesk.corebank.cli", requirements=("ACP-3", "PREP-3")),
    Feature(
        "identity",
        routers=("consultdesk.identity.api:router",),
        tables=("consultdesk.identity.tables",),
        requirements=("ACC-6", "ACC-7", "RSK-4", "SOL-2"),
    ),
    Feature(
        "security",
        cli="consultdesk.security.cli",
        tables=("consultdesk.security.tables",),
        jobs="consultdesk.security.ratelimit:jobs",
        requirements=("RSK-1", "RSK-2", "RSK-3"),
    ),
    Feature(
        "audit",
        routers=("consultdesk.audit.api:router",),
        cli="consultdesk.audit.cli",
        tables=("consultdesk.audit.tables",),
        console=("/console/audit",),
        requirements=("RSK-2",),
    ),
    Feature(
        "quality",
        routers=(
            "consultdesk.quality.report_api:router",
            "consultdesk.quality.api:router",
            "consultdesk.quality.console:router",
        ),
        cli="consultdesk.quality.cli",
        tables=("consultdesk.quality.tables",),
        console=(
            "/console/reports",
            "/console/quality/plans",
            "/console/quality/cases",
            "/console/quality/samples",
        ),
        jobs="consultdesk.quality.jobs:jobs",
        requirements=("QC-1", "QC-2", "QC-3", "QC-4", "CLS-5"),
    ),
    Feature("backup", cli="consultdesk.backup.cli", requirements=("CLS-4", "RSK-2")),
    Feature(
        "retention",
        cli="consultdesk.retention.cli",
        tables=("consultdesk.retention.tables",),
        jobs="consultdesk.retention.service:jobs",
        requirements=("CLS-4",),
    ),
    Feature(
        "knowledge",
        cli="consultdesk.knowledge.cli",
        tables=("consultdesk.knowledge.tables",),
        seeder="consultdesk.demo:seed_demo_knowledge",
        requirements=("PREP-1", "PREP-2", "SOL-1", "QC-5"),
    ),
    Feature(
        "compliance",
        routers=("consultdesk.compliance.api:router", "consultdesk.compliance.console:router"),
        cli="consultdesk.compliance.cli",
        tables=("consultdesk.compliance.tables",),
        console=("/console/compliance", "/console/qa"),
        requirements=("QC-6", "RSK-6", "RSK-7", "RSK-8", "SOL-5", "STD-2"),
    ),
    Feature(
        "aml",
        routers=("consultdesk.aml.api:router", "consultdesk.aml.console:router"),
        cli="consultdesk.aml.cli",
        tables=("consultdesk.aml.tables",),
        console=("/console/aml",),
        requirements=("RSK-5",),
    ),
    Feature(
        "sla",
        routers=("consultdesk.sla.api:router",),
        cli="consultdesk.sla.cli",
        tables=("consultdesk.sla.tables",),
        jobs="consultdesk.sla.worker:jobs",
        requirements=("ACC-2", "STD-4", "STD-6"),
    ),
    Feature(
        "routing",
        routers=("consultdesk.routing.api:router",),
        tables=("consultdesk.routing.tables",),
        seeder="consultdesk.routing.demo:seed_demo_routing",
        console=("/console/supervisor",),
        requirements=("PREP-5", "STD-1", "STD-5"),
    ),
    Feature(
        "telephony",
        routers=("consultdesk.telephony.api:router",),
        tables=("consultdesk.telephony.tables",),
        requirements=("ACC-1", "ACC-2", "STD-4"),
    ),
    Feature(
        "counter",
        routers=("consultdesk.counter.api:router",),
        tables=("consultdesk.counter.tables",),
        requirements=("ACC-1",),
    ),
    Feature(
        "notifications",
        routers=("consultdesk.notifications.api:router",),
        cli="consultdesk.notifications.cli",
        tables=("consultdesk.notifications.tables",),
        console=("/console/sms-inbox",),
        jobs="consultdesk.notifications.service:jobs",
        requirements=("CLS-1", "CLS-2"),
    ),
    Feature(
        "followups",
        routers=("consultdesk.followups.api:router",),
        cli="consultdesk.followups.cli",
        tables=("consultdesk.followups.tables",),
        requirements=("CLS-3",),
    ),
    Feature(
        "appointments",
        routers=("consultdesk.appointments.api:router",),
        tables=("consultdesk.appointments.tables",),
        seeder="consultdesk.appointments.demo:seed_demo_slots",
        requirements=("SOL-4", "CLS-1"),
    ),
    Feature(
        "surveys",
        routers=("consultdesk.surveys.api:router",),
        cli="consultdesk.surveys.cli",
        tables=("consultdesk.surveys.tables",),
        requirements=("CLS-2", "QC-1"),
    ),
    Feature(
        "assistant",
        routers=("consultdesk.assistant.api:router",),
        cli="consultdesk.assistant.cli",
        tables=("consultdesk.assistant.tables",),
        console=("/console/knowledge",),
        requirements=("QC-5", "ACP-4", "ACC-6", "ACC-7", "RSK-3"),
    ),
    Feature("jobs", cli="consultdesk.jobs.cli"),
    Feature(
        "workspace",
        routers=("consultdesk.workspace.api:router",),
        requirements=("PREP-2", "PREP-5", "SOL-1"),
    ),
)


def load(target: str) -> Any:
    """The object a "module:attribute" string names."""
    module, _, attribute = target.partition(":")
    return getattr(importlib.import_module(module), attribute)


def routers() -> Iterator[str]:
    for f in FEATURES:
        yield from f.routers


def cli_modules() -> Iterator[str]:
    yield from (f.cli for f in FEATURES if f.cli)


def table_modules() -> Iterator[str]:
    for f in FEATURES:
        yield from f.tables


def seeders() -> Iterator[Callable[..., None]]:
    for f in FEATURES:
        if f.seeder:
            yield load(f.seeder)


def feature_jobs(*, worker: str, batch: int) -> list[Job]:
    """Each feature's ``jobs(worker=…, batch=…)``, in FEATURES order."""
    found: list[Job] = []
    for f in FEATURES:
        if f.jobs:
            found.extend(load(f.jobs)(worker=worker, batch=batch))
    return found
