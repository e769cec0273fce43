"""The one place that wires the application: settings → engine, clock and ports."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine

from consultdesk.db.engine import UnitOfWork, make_engine
from consultdesk.settings import Settings, load_settings
from consultdesk.shared.clock import Clock, SystemClock


@dataclass
class Container:
    settings: Settings
    engine: Engine
    uow: UnitOfWork
    clock: Clock
    extras: dict[str, object] = field(default_factory=dict)

    def close(self) -> None:
        self.engine.dispose()


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None) -> Container:
    """Build the container for ``settings`` (from the environment when not given)."""
    settings = settings or load_settings()
    engine = make_engine(settings.database_url, schema=settings.database_schema)
    return Container(
        settings=settings, engine=engine, uow=UnitOfWork(engine), clock=clock or SystemClock()
    )
