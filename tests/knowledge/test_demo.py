"""Checks on the Demo Bank (示例银行) FAQ content."""

from __future__ import annotations

import re
from collections import Counter

from sqlalchemy.orm import Session

from consultdesk.knowledge import service
from consultdesk.knowledge.demo import load_demo_bulletins, load_demo_entries
from consultdesk.knowledge.model import (
    BusinessLine,
    Complexity,
    UserId,
    compliance_problems,
    states_figures,
)
from tests.knowledge.conftest import NOW

ENTRIES = load_demo_entries()
PUNCTUATION = re.compile(r"[\s，。？！、,.?!~～…：:；;“”\"'（）()]+")
ASKS_FOR_SECRET = re.compile(
    r"(请您?|麻烦您?)(提供|告诉|报|发送|念)[^。，]{0,6}(密码|验证码|CVV|安全码)"
)


def normalized(text: str) -> str:
    return PUNCTUATION.sub("", text).lower()


# REQ: PREP-1
def test_demo_has_at_least_200_entries() -> None:
    assert len(ENTRIES) >= 200


# REQ: PREP-1
def test_demo_covers_all_nine_business_lines_with_22_each() -> None:
    per_line = Counter(spec.business_line for spec in ENTRIES)
    assert set(per_line) == set(BusinessLine)
    assert min(per_line.values()) >= 22


def test_demo_entry_ids_are_unique() -> None:
    ids = [spec.entry_id for spec in ENTRIES]
    assert len(ids) == len(set(ids))


# REQ: QC-5
def test_every_demo_entry_has_at_least_eight_paraphrases() -> None:
    short = [spec.entry_id for spec in ENTRIES if len(spec.content.paraphrases) < 8]
    assert short == []


# REQ: QC-5
def test_no_question_is_shared_by_two_demo_entries() -> None:
    owner: dict[str, str] = {}
    clashes = []
    for spec in ENTRIES:
        for question in {
            normalized(q) for q in (spec.content.standard_question, *spec.content.paraphrases)
        }:
            if question in owner and owner[question] != spec.entry_id:
                clashes.append((question, owner[question], spec.entry_id))
            owner[question] = spec.entry_id
    assert clashes == []


# REQ: ACP-4
def test_demo_uses_all_three_complexities() -> None:
    assert {spec.content.complexity for spec in ENTRIES} == set(Complexity)


# REQ: RSK-7
def test_wealth_answers_state_not_principal_guaranteed() -> None:
    missing = [
        spec.entry_id
        for spec in ENTRIES
        if spec.business_line is BusinessLine.WEALTH
        and not any(w in spec.content.answer for w in ("不保本", "非保本"))
    ]
    assert missing == []


# REQ: SOL-2
def test_figure_bearing_answers_say_final_on_approval_or_as_published() -> None:
    with_figures = [spec for spec in ENTRIES if states_figures(spec.content.answer)]
    assert len(with_figures) >= 30
    missing = [
        s.entry_id for s in with_figures if not re.search(r"以.{0,12}为准", s.content.answer)
    ]
    assert missing == []


# REQ: SOL-2
def test_every_demo_answer_passes_the_compliance_check() -> None:
    problems = {
        spec.entry_id: compliance_problems(spec.business_line, spec.content.answer)
        for spec in ENTRIES
    }
    assert {k: v for k, v in problems.items() if v} == {}


def test_no_demo_answer_asks_for_a_password_or_code() -> None:
    asking = [spec.entry_id for spec in ENTRIES if ASKS_FOR_SECRET.search(spec.content.answer)]
    assert asking == []


# REQ: SOL-1
def test_every_demo_entry_cites_a_source_and_owner() -> None:
    assert all(spec.content.source.startswith("示例银行") and spec.owner for spec in ENTRIES)


# REQ: PREP-1
def test_demo_loads_and_publishes_for_the_matcher(session: Session) -> None:
    report = service.load_demo_knowledge_base(
        session=session, now=NOW, author=UserId("demo-author"), reviewer=UserId("demo-reviewer")
    )
    assert len(report.created) == len(ENTRIES)
    assert len(service.list_published(session=session, now=NOW)) == len(ENTRIES)


# REQ: PREP-2
def test_demo_load_posts_bulletins_once_for_agents(session: Session) -> None:
    for _ in range(2):
        service.load_demo_knowledge_base(
            session=session, now=NOW, author=UserId("demo-author"), reviewer=UserId("demo-reviewer")
        )
    pending = service.unacknowledged_bulletins(session=session, now=NOW, agent=UserId("agent-1"))
    assert len(pending) == len(load_demo_bulletins()) >= 5


# REQ: RSK-7
def test_demo_bulletins_about_investments_carry_risk_wording() -> None:
    for bulletin in load_demo_bulletins():
        if bulletin.business_line is not None:
            assert compliance_problems(bulletin.business_line, bulletin.body) == [], bulletin.id


# REQ: QC-5
def test_demo_paraphrases_include_colloquial_abbreviated_long_and_misspelt_forms() -> None:
    paraphrases = [p for spec in ENTRIES for p in spec.content.paraphrases]
    for marker in ("咋", "怎么办", "能不能", "网银", "提额", "xyk"):
        assert any(marker in p for p in paraphrases), marker
    assert sum(len(p) >= 25 for p in paraphrases) >= 40  # whole customer messages
    misspelt = ("订期", "房代", "额渡", "激火", "秘码", "理才", "汇律", "冻洁", "住销")
    assert sum(any(m in p for m in misspelt) for p in paraphrases) >= len(misspelt)
