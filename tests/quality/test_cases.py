"""The case library on both databases (QC-4)."""

from __future__ import annotations

import pytest

from consultdesk.quality import cases
from consultdesk.quality.model import Case
from consultdesk.shared.errors import Conflict, NotFound, ValidationFailed
from consultdesk.shared.scope import SYSTEM, Scope
from tests.quality.conftest import Desk

BJ01, SH01 = Scope.of_branch("BJ01"), Scope.of_branch("SH01")


def _mark(desk: Desk, cid: str, **kw: object) -> Case:
    args: dict[str, object] = {
        "kind": "failure",
        "title": "手机银行登录失败未引导重置",
        "summary": "客户多次登录失败，坐席未提示重置密码",
        "preventive_measure": "登录类问题先核对锁定状态，再引导自助重置",
        "tags": ["电子银行", "Login"],
        "category": "ebanking_login",
        "scope": BJ01,
        "created_by": "qa1",
    } | kw
    with desk.container.uow() as s:
        return cases.mark_case(session=s, now=desk.clock.now(), consultation_id=cid, **args)  # type: ignore[arg-type]


def test_a_failure_case_requires_its_preventive_measure(desk: Desk) -> None:
    """REQ: QC-4 — each failure gets a preventive measure."""
    cid = desk.closed(branch="BJ01", agent_id="agt_1")
    for measure in (None, "   "):
        with pytest.raises(ValidationFailed) as refused:
            _mark(desk, cid, preventive_measure=measure)
        assert refused.value.field == "preventive_measure"
    success = _mark(desk, cid, kind="success", preventive_measure=None)
    assert success.kind.value == "success" and success.branch == "BJ01"


def test_a_consultation_outside_the_scope_or_unknown_cannot_be_marked(desk: Desk) -> None:
    """REQ: QC-4, RSK-2"""
    cid = desk.closed(branch="BJ01", agent_id="agt_1")
    for consultation_id, scope in ((cid, SH01), ("con_missing", SYSTEM)):
        with pytest.raises(NotFound) as refused:
            _mark(desk, consultation_id, scope=scope)
        assert refused.value.field == "consultation_id"
    _mark(desk, cid)
    with pytest.raises(Conflict):
        _mark(desk, cid)


def test_search_matches_text_tags_kind_and_escapes_wildcards(desk: Desk) -> None:
    """REQ: QC-4"""
    one = _mark(desk, desk.closed(branch="BJ01", agent_id="a"))
    two = _mark(
        desk,
        desk.closed(branch="BJ01", agent_id="a"),
        kind="success",
        title="理财 100% 保本误解的澄清",
        summary="坐席明确非保本",
        preventive_measure=None,
        tags=["理财"],
        category="wealth",
    )
    with desk.container.uow() as s:

        def ids(**kw: object) -> set[str]:
            return {c.id for c in cases.search_cases(session=s, scope=BJ01, **kw)}  # type: ignore[arg-type]

        assert ids(text="重置") == {one.id}  # the preventive measure
        assert ids(text="电子银行") == {one.id}  # a Chinese tag
        assert ids(text="login") == {one.id}  # a tag, case-insensitive
        assert ids(text="100%") == {two.id}
        assert ids(text="%") == {two.id} and ids(text="_") == set()
        assert ids(kind="success") == {two.id} and ids(category="ebanking_login") == {one.id}
        assert cases.search_cases(session=s, scope=SH01) == []
        with pytest.raises(ValidationFailed) as bad_kind:
            cases.search_cases(session=s, scope=BJ01, kind="meh")
    assert bad_kind.value.field == "kind"


def test_drills_list_failure_cases_least_used_first_and_count_uses(desk: Desk) -> None:
    """REQ: QC-4, RSK-8 — failure cases feed compliance drills."""
    a = _mark(desk, desk.closed(branch="BJ01", agent_id="a"))
    b = _mark(desk, desk.closed(branch="BJ01", agent_id="a"), title="第二个失败案例")
    _mark(desk, desk.closed(branch="BJ01", agent_id="a"), kind="success", title="成功")
    with desk.container.uow() as s:
        assert cases.record_drill_use(session=s, case_id=a.id, scope=BJ01).drill_uses == 1
        assert cases.record_drill_use(session=s, case_id=a.id, scope=BJ01).drill_uses == 2
        listed = cases.drill_cases(session=s, scope=BJ01)
        with pytest.raises(NotFound):
            cases.record_drill_use(session=s, case_id=a.id, scope=SH01)
    assert [c.id for c in listed] == [b.id, a.id]
