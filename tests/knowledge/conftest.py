from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

import consultdesk.knowledge.tables  # noqa: F401  (registers the kb_ tables)
from consultdesk.db.base import Base
from consultdesk.knowledge.model import Complexity, EntryContent

NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine(
        "sqlite://", connect_args={"check_same_thread": False}, poolclass=StaticPool
    )
    Base.metadata.create_all(engine)
    with Session(engine) as s:
        yield s
    engine.dispose()


def make_content(**changes: object) -> EntryContent:
    values: dict[str, object] = {
        "standard_question": "定期存款怎么办理？",
        "paraphrases": ("咋存定期", "定存在哪办", "想存个定期怎么弄"),
        "answer": "可在手机银行或网点办理定期存款，利率以实际公布为准。",
        "steps": ("登录手机银行", "选择存款-定期存款", "确认金额与期限"),
        "complexity": Complexity.SIMPLE,
        "risk_tags": (),
        "source": "示例银行个人存款产品手册2026版",
        "effective_from": date(2026, 1, 1),
        "expires_on": None,
    }
    values.update(changes)
    return EntryContent(**values)  # type: ignore[arg-type]
