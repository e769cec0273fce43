"""The one place that wires the application: settings → engine, clock, keys and ports."""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from consultdesk.corebank.http_client import HttpCoreBank
from consultdesk.corebank.port import CoreBank
from consultdesk.corebank.sandbox import SandboxCoreBank
from consultdesk.db.engine import UnitOfWork, make_engine
from consultdesk.notifications.sms import SmsGateway
from consultdesk.notifications.sms_http import HttpSmsGateway
from consultdesk.notifications.sms_sandbox import SandboxSmsGateway
from consultdesk.security.crypto import ENV_VAR, KeyRing, new_keyring, write_key_file
from consultdesk.settings import Settings, load_settings, production_problems
from consultdesk.shared.clock import Clock, SystemClock
from consultdesk.shared.errors import ValidationFailed
from consultdesk.workdays.chinese_calendar_adapter import mainland_calendar
from consultdesk.workdays.domain import WorkingCalendar
from consultdesk.workdays.table_file import load_holiday_table

if TYPE_CHECKING:
    from consultdesk.assistant.bot import ChatHook
    from consultdesk.assistant.service import Assistant
    from consultdesk.consultations.chat import Hub
    from consultdesk.consultations.fanout import ChatFanout
    from consultdesk.consultations.ingest import Ingest
    from consultdesk.notifications.mail import Mailer
    from consultdesk.security.ratelimit import RateLimiter

log = logging.getLogger("consultdesk.bootstrap")


@dataclass
class Tuning:
    """Knobs tests and benchmarks turn; a deployment keeps the defaults."""

    jobs_in_web: bool | None = None  # None: on SQLite outside tests (jobs.runner.jobs_in_web)
    ingest_max_batch: int | None = None  # 1 turns group commit off (bench baseline)
    assistant_refresh_s: float = 30.0  # 0: no knowledge watcher thread
    supervisor_poll_s: float = 1.0  # the supervisor wall's live feed


@dataclass
class Attached:
    """What the entry points create on first use and the container keeps, one of each
    per process (each is stopped by ``Container.close`` through ``on_close``)."""

    hub: Hub | None = None
    fanout: ChatFanout | None = None
    ingest: Ingest | None = None
    mailer: Mailer | None = None
    assistant: Assistant | None = None
    bot_hook: ChatHook | None = None
    rate_limiter: RateLimiter | None = None


@dataclass
class Container:
    settings: Settings
    engine: Engine
    uow: UnitOfWork
    clock: Clock
    keyring: KeyRing
    index_key: bytes
    corebank: CoreBank
    sms: SmsGateway
    calendar: WorkingCalendar
    tuning: Tuning = field(default_factory=Tuning)
    attached: Attached = field(default_factory=Attached)
    # Stops whatever the container started on demand (listener threads), newest first.
    on_close: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        while self.on_close:
            self.on_close.pop()()
        self.engine.dispose()


def load_keyring(settings: Settings) -> KeyRing:
    """Keys from CONSULTDESK_KEYS or the key file. Outside production a missing key file is
    created (0600) so the demo works; production refuses to start without keys."""
    if os.environ.get(ENV_VAR):
        return KeyRing.load(key_file=None, environ=os.environ)
    path = settings.key_file or settings.data_dir / "keys.json"
    if not path.exists():
        if settings.environment == "production":
            raise ValidationFailed(f"生产环境缺少密钥：{path}", field="key_file")
        path.parent.mkdir(parents=True, exist_ok=True)
        write_key_file(path, new_keyring())
        log.warning("created a new key file at %s", path)
    return KeyRing.from_file(path)


def bootstrap(settings: Settings | None = None, *, clock: Clock | None = None) -> Container:
    """Build the container for ``settings`` (from the environment when not given)."""
    settings = settings or load_settings()
    for variable, reason in production_problems(settings):
        raise ValidationFailed(reason, field=variable, code="unsafe_production_settings")
    clock = clock or SystemClock()
    engine = make_engine(settings.database_url, schema=settings.database_schema)
    corebank: CoreBank
    if settings.corebank_url:
        corebank = HttpCoreBank(base_url=settings.corebank_url, token=settings.corebank_token or "")
    else:
        corebank = SandboxCoreBank(clock=clock)
    sms: SmsGateway
    if settings.sms_url:
        sms = HttpSmsGateway(base_url=settings.sms_url, token=settings.sms_token or "")
    else:
        sms = SandboxSmsGateway(clock=clock)
    table = load_holiday_table(settings.holiday_table) if settings.holiday_table else None
    return Container(
        settings=settings,
        engine=engine,
        uow=UnitOfWork(engine),
        clock=clock,
        keyring=load_keyring(settings),
        index_key=hashlib.sha256(f"{settings.secret_key}|blind-index".encode()).digest(),
        corebank=corebank,
        sms=sms,
        calendar=mainland_calendar(table),
    )
