from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.security.otp import CheckOutcome
from consultdesk.security.service import send_verification_code, verify_identity_code
from consultdesk.security.tables import OtpChallengeRow
from consultdesk.shared.errors import DependencyDown, NotFound, ValidationFailed

from .conftest import NOW

PEPPER = b"s" * 32


class FakeCoreBank:
    """Registered phones by customer; `down` makes every call fail like a timeout."""

    def __init__(self, phones: dict[str, str], *, down: bool = False) -> None:
        self.phones = phones
        self.down = down

    def registered_phone(self, *, customer_id: str) -> str | None:
        if self.down:
            raise TimeoutError("core bank did not answer")
        return self.phones.get(customer_id)


class FakeSms:
    def __init__(self) -> None:
        self.sent: list[tuple[str, str]] = []

    def send_code(self, *, phone: str, code: str) -> None:
        self.sent.append((phone, code))


@pytest.fixture
def bank() -> FakeCoreBank:
    return FakeCoreBank({"cust-1": "13800138000"})


@pytest.fixture
def sms() -> FakeSms:
    return FakeSms()


def send(session: Session, bank: FakeCoreBank, sms: FakeSms) -> str:
    sent = send_verification_code(
        session=session, now=NOW, customer_id="cust-1", phones=bank, sms=sms, pepper=PEPPER
    )
    session.commit()
    return sent.challenge_id


# REQ: ACC-6
def test_code_goes_to_the_registered_phone(
    session: Session, bank: FakeCoreBank, sms: FakeSms
) -> None:
    send(session, bank, sms)
    assert [phone for phone, _ in sms.sent] == ["13800138000"]


# REQ: ACC-6
def test_agent_sees_only_the_masked_phone_and_expiry(
    session: Session, bank: FakeCoreBank, sms: FakeSms
) -> None:
    sent = send_verification_code(
        session=session, now=NOW, customer_id="cust-1", phones=bank, sms=sms, pepper=PEPPER
    )
    code = sms.sent[0][1]
    assert sent.masked_phone == "138****8000"
    assert sent.expires_at == NOW + timedelta(minutes=5)
    assert code not in repr(sent)


# REQ: ACC-6
def test_code_is_not_stored_in_the_database(
    session: Session, bank: FakeCoreBank, sms: FakeSms
) -> None:
    send(session, bank, sms)
    code = sms.sent[0][1]
    row = session.scalars(select(OtpChallengeRow)).one()
    stored = b"".join([row.salt, row.digest]) + repr(vars(row)).encode()
    assert code.encode() not in stored


# REQ: ACC-6
def test_core_bank_down_fails_closed(session: Session, sms: FakeSms) -> None:
    with pytest.raises(DependencyDown):
        send_verification_code(
            session=session,
            now=NOW,
            customer_id="cust-1",
            phones=FakeCoreBank({}, down=True),
            sms=sms,
            pepper=PEPPER,
        )
    assert sms.sent == []
    assert session.scalars(select(OtpChallengeRow)).all() == []


def test_customer_without_registered_phone_is_not_found(session: Session, sms: FakeSms) -> None:
    with pytest.raises(NotFound) as err:
        send_verification_code(
            session=session,
            now=NOW,
            customer_id="nobody",
            phones=FakeCoreBank({}),
            sms=sms,
            pepper=PEPPER,
        )
    assert err.value.field == "customer_id"


# REQ: ACC-6
def test_code_read_out_by_the_customer_verifies(
    session: Session, bank: FakeCoreBank, sms: FakeSms
) -> None:
    challenge_id = send(session, bank, sms)
    result = verify_identity_code(
        session=session,
        now=NOW + timedelta(minutes=1),
        challenge_id=challenge_id,
        code=sms.sent[0][1],
        pepper=PEPPER,
    )
    assert result.verified


# REQ: ACC-6
def test_replay_after_commit_is_refused(session: Session, bank: FakeCoreBank, sms: FakeSms) -> None:
    challenge_id = send(session, bank, sms)
    code = sms.sent[0][1]
    verify_identity_code(
        session=session, now=NOW, challenge_id=challenge_id, code=code, pepper=PEPPER
    )
    session.commit()
    result = verify_identity_code(
        session=session, now=NOW, challenge_id=challenge_id, code=code, pepper=PEPPER
    )
    assert result.outcome is CheckOutcome.ALREADY_USED


# REQ: ACC-6
def test_wrong_tries_persist_until_the_lock(
    session: Session, bank: FakeCoreBank, sms: FakeSms
) -> None:
    challenge_id = send(session, bank, sms)
    code = sms.sent[0][1]
    bad = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        result = verify_identity_code(
            session=session, now=NOW, challenge_id=challenge_id, code=bad, pepper=PEPPER
        )
        session.commit()
    assert result.outcome is CheckOutcome.LOCKED
    after = verify_identity_code(
        session=session, now=NOW, challenge_id=challenge_id, code=code, pepper=PEPPER
    )
    assert after.outcome is CheckOutcome.LOCKED


def test_unknown_challenge_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound) as err:
        verify_identity_code(
            session=session, now=NOW, challenge_id="nope", code="123456", pepper=PEPPER
        )
    assert err.value.field == "challenge_id"


def test_malformed_code_names_the_field(session: Session, bank: FakeCoreBank, sms: FakeSms) -> None:
    challenge_id = send(session, bank, sms)
    with pytest.raises(ValidationFailed) as err:
        verify_identity_code(
            session=session, now=NOW, challenge_id=challenge_id, code="12", pepper=PEPPER
        )
    assert err.value.field == "code"
