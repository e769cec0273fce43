"""The reply gate on SQLite and PostgreSQL: send, send fixed, blocked and recorded."""

from __future__ import annotations

from consultdesk.bootstrap import Container
from consultdesk.compliance import service as compliance
from consultdesk.consultations import service as consultations
from consultdesk.consultations.messages import AuthorKind
from consultdesk.consultations.reply_gate import GateResult, Verdict, gate_reply, send_agent_reply
from consultdesk.shared.scope import SYSTEM


def consultation(container: Container) -> str:
    with container.uow() as s:
        c = consultations.open_consultation(
            session=s, now=container.clock.now(), channel="chat", branch="BJ01", actor="test"
        )
    return c.id


def gate(
    container: Container, cid: str, text: str, *, business_line: str | None = None
) -> GateResult:
    with container.uow() as s:
        return gate_reply(
            session=s,
            now=container.clock.now(),
            consultation_id=cid,
            text=text,
            author_kind=AuthorKind.BOT,
            business_line=business_line,
        )


def test_a_clean_reply_is_sent_as_written(container: Container) -> None:
    # REQ: QC-6
    cid = consultation(container)
    result = gate(container, cid, "您可以在手机银行办理转账。")
    assert (result.verdict, result.text) == (Verdict.SEND, "您可以在手机银行办理转账。")


def test_a_wealth_reply_without_disclosure_is_sent_with_it_appended(container: Container) -> None:
    # REQ: QC-6, RSK-7 — the topic comes from the business line.
    cid = consultation(container)
    result = gate(container, cid, "这款理财年化业绩比较基准3.2%。", business_line="wealth")
    assert result.verdict is Verdict.SEND_FIXED
    assert "非保本" in result.text and "风险" in result.text


def test_a_full_card_number_is_masked_before_sending(container: Container) -> None:
    # REQ: RSK-1, QC-6
    cid = consultation(container)
    result = gate(container, cid, "您的卡号是6222021234567890123。")
    assert result.verdict is Verdict.SEND_FIXED
    assert "6222021234567890123" not in result.text


def test_a_balance_to_an_unverified_customer_is_blocked(container: Container) -> None:
    # REQ: ACC-6, QC-6 — verified comes from identity.
    cid = consultation(container)
    result = gate(container, cid, "您的账户余额为12,345.67元。")
    assert result.verdict is Verdict.BLOCKED


def test_a_blocked_agent_reply_is_recorded_against_the_agent_and_not_sent(
    container: Container,
) -> None:
    # REQ: RSK-6 — a misleading claim stops the reply and is recorded for accountability.
    cid = consultation(container)
    gated, posted = send_agent_reply(
        container=container,
        consultation_id=cid,
        text="这款理财保本保收益，稳赚不赔。",
        agent_id="usr_agent1",
    )
    assert gated.verdict is Verdict.BLOCKED and posted is None
    with container.uow() as s:
        recorded = compliance.violations_of_agent(session=s, agent_id="usr_agent1")
        stored = consultations.transcript(scope=SYSTEM, session=s, consultation_id=cid)
    assert recorded and {r.outcome for r in recorded} == {"blocked"}
    assert stored == []


def test_an_agent_reply_that_may_go_out_is_stored_fixed(container: Container) -> None:
    cid = consultation(container)
    gated, posted = send_agent_reply(
        container=container,
        consultation_id=cid,
        text="已登记手机号13812345678。",
        agent_id="usr_agent1",
        client_msg_id="a-1",
    )
    assert gated.verdict is Verdict.SEND_FIXED and posted is not None
    assert "13812345678" not in posted.message.text
