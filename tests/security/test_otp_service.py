from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consultdesk.security.otp import CheckOutcome
from consultdesk.security.service import send_verification_code, verify_identity_code
from consultdesk.security.tables import OtpChallengeRow
from consultdesk.shared.errors import DependencyDown, NotFound, ValidationFailed

from .conftest import NOW

PEPPER = b"s" * 32


class FakeDelivery:
    """Stands in for core bank + SMS gateway: registered phones by customer, an outbox,
    and `down` to make every call fail like a core-bank timeout."""

    def __init__(self, phones: dict[str, str], *, down: bool = False) -> None:
        self.phones = phones
        self.down = down
        self.sent: list[tuple[str, str, str]] = []

    def send_to_registered_phone(self, *, customer_id: str, text: str, idempotency_key: str) -> str:
        if self.down:
            raise TimeoutError("core bank did not answer")
        phone = self.phones.get(customer_id)
        if phone is None:
            raise NotFound("该客户未登记手机号", field="customer_id")
        self.sent.append((phone, text, idempotency_key))
        return phone[:3] + "****" + phone[-4:]

    def code(self) -> str:
        match = re.search(r"\d{6}", self.sent[-1][1])
        assert match is not None
        return match.group(0)


@pytest.fixture
def delivery() -> FakeDelivery:
    return FakeDelivery({"cust-1": "13800138000"})


def send(session: Session, delivery: FakeDelivery) -> str:
    sent = send_verification_code(
        session=session, now=NOW, customer_id="cust-1", delivery=delivery, pepper=PEPPER
    )
    session.commit()
    return sent.challenge_id


# REQ: ACC-6
def test_code_goes_to_the_registered_phone_with_a_warning(
    session: Session, delivery: FakeDelivery
) -> None:
    challenge_id = send(session, delivery)
    phone, text, key = delivery.sent[0]
    assert phone == "13800138000"
    assert "请勿告知任何人" in text
    assert key == f"otp:{challenge_id}"


# REQ: ACC-6
def test_agent_sees_only_the_masked_phone_and_expiry(
    session: Session, delivery: FakeDelivery
) -> None:
    sent = send_verification_code(
        session=session, now=NOW, customer_id="cust-1", delivery=delivery, pepper=PEPPER
    )
    assert sent.masked_phone == "138****8000"
    assert sent.expires_at == NOW + timedelta(minutes=5)
    assert delivery.code() not in repr(sent)


# REQ: ACC-6
def test_code_is_not_stored_in_the_database(session: Session, delivery: FakeDelivery) -> None:
    send(session, delivery)
    row = session.scalars(select(OtpChallengeRow)).one()
    stored = b"".join([row.salt, row.digest]) + repr(vars(row)).encode()
    assert delivery.code().encode() not in stored


# REQ: ACC-6
def test_core_bank_down_fails_closed(session: Session) -> None:
    down = FakeDelivery({"cust-1": "13800138000"}, down=True)
    with pytest.raises(DependencyDown):
        send_verification_code(
            session=session, now=NOW, customer_id="cust-1", delivery=down, pepper=PEPPER
        )
    assert down.sent == []
    assert session.scalars(select(OtpChallengeRow)).all() == []


def test_customer_without_registered_phone_is_not_found(session: Session) -> None:
    with pytest.raises(NotFound) as err:
        send_verification_code(
            session=session, now=NOW, customer_id="nobody", delivery=FakeDelivery({}), pepper=PEPPER
        )
    assert err.value.field == "customer_id"
    assert session.scalars(select(OtpChallengeRow)).all() == []


# REQ: ACC-6
def test_code_read_out_by_the_customer_verifies(session: Session, delivery: FakeDelivery) -> None:
    challenge_id = send(session, delivery)
    result = verify_identity_code(
        session=session,
        now=NOW + timedelta(minutes=1),
        challenge_id=challenge_id,
        code=delivery.code(),
        pepper=PEPPER,
    )
    assert result.verified


# REQ: ACC-6
def test_replay_after_commit_is_refused(session: Session, delivery: FakeDelivery) -> None:
    challenge_id = send(session, delivery)
    code = delivery.code()
    verify_identity_code(
        session=session, now=NOW, challenge_id=challenge_id, code=code, pepper=PEPPER
    )
    session.commit()
    result = verify_identity_code(
        session=session, now=NOW, challenge_id=challenge_id, code=code, pepper=PEPPER
    )
    assert result.outcome is CheckOutcome.ALREADY_USED


# REQ: ACC-6
def test_wrong_tries_persist_until_the_lock(session: Session, delivery: FakeDelivery) -> None:
    challenge_id = send(session, delivery)
    code = delivery.code()
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


def test_malformed_code_names_the_field(session: Session, delivery: FakeDelivery) -> None:
    challenge_id = send(session, delivery)
    with pytest.raises(ValidationFailed) as err:
        verify_identity_code(
            session=session, now=NOW, challenge_id=challenge_id, code="12", pepper=PEPPER
        )
    assert err.value.field == "code"


# REQ: ACC-6
@pytest.mark.postgres
def test_parallel_wrong_guesses_on_postgres_lock_after_exactly_five(pg_engine: Engine) -> None:
    delivery = FakeDelivery({"cust-1": "13800138000"})
    with Session(pg_engine) as session:
        challenge_id = send(session, delivery)
    bad = f"{(int(delivery.code()) + 1) % 1_000_000:06d}"
    start = threading.Barrier(8)
    outcomes: list[CheckOutcome] = []

    def guess() -> None:
        start.wait()
        with Session(pg_engine) as session:
            result = verify_identity_code(
                session=session, now=NOW, challenge_id=challenge_id, code=bad, pepper=PEPPER
            )
            session.commit()
        outcomes.append(result.outcome)

    threads = [threading.Thread(target=guess) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with Session(pg_engine) as session:
        row = session.get(OtpChallengeRow, challenge_id)
        assert row is not None
        assert (row.attempts, row.status) == (5, "locked")
    assert sorted(outcomes).count(CheckOutcome.WRONG_CODE) == 4
    assert outcomes.count(CheckOutcome.LOCKED) == 4
