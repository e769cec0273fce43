from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from consultdesk.security import key_rotation
from consultdesk.security.crypto import (
    KeyRing,
    TokenRejectedError,
    decrypt_field,
    seal_fields,
    token_key_id,
)
from consultdesk.security.key_rotation import (
    EncryptedColumns,
    register_encrypted_columns,
    registered_encrypted_columns,
    rotate_encrypted_columns,
)
from consultdesk.shared.errors import ValidationFailed

from .conftest import CustomerCardRow

SPEC = EncryptedColumns(
    table="example_customer_cards", id_column="id", columns=("card_number", "phone")
)


@pytest.fixture(autouse=True)
def clean_registry() -> Iterator[None]:
    saved = dict(key_rotation._REGISTRY)
    key_rotation._REGISTRY.clear()
    yield
    key_rotation._REGISTRY.clear()
    key_rotation._REGISTRY.update(saved)


def fill(engine: Engine, keyring: KeyRing, n: int) -> None:
    with Session(engine) as session:
        for i in range(n):
            rid = f"r{i:04d}"
            values = {
                "card_number": f"62220212345678{i:04d}",
                "phone": None if i % 3 else "1380013",
            }
            session.add(
                CustomerCardRow(
                    id=rid, holder="x", **seal_fields(values, record_id=rid, keyring=keyring)
                )
            )
        session.commit()


def key_ids(engine: Engine) -> set[str]:
    with Session(engine) as session:
        rows = session.execute(select(CustomerCardRow.card_number, CustomerCardRow.phone)).all()
    return {token_key_id(t) for row in rows for t in row if t is not None}


# REQ: CLS-4
def test_rotation_moves_every_token_to_the_active_key(engine: Engine, keyring: KeyRing) -> None:
    fill(engine, keyring, 25)
    ring = keyring.with_new_key("k2")
    report = rotate_encrypted_columns(engine=engine, keyring=ring, specs=[SPEC], batch_size=7)
    assert key_ids(engine) == {"k2"}
    assert report.tokens_rotated == 25 + 9
    assert report.batches == 4


def test_rotated_values_still_open_to_the_same_plaintext(engine: Engine, keyring: KeyRing) -> None:
    fill(engine, keyring, 3)
    ring = keyring.with_new_key("k2")
    rotate_encrypted_columns(engine=engine, keyring=ring, specs=[SPEC])
    with Session(engine) as session:
        row = session.get(CustomerCardRow, "r0001")
        assert row is not None and row.card_number is not None
        plain = decrypt_field(row.card_number, record_id="r0001", keyring=ring, field="card_number")
    assert plain == "622202123456780001"


def test_second_rotation_run_changes_nothing(engine: Engine, keyring: KeyRing) -> None:
    fill(engine, keyring, 10)
    ring = keyring.with_new_key("k2")
    rotate_encrypted_columns(engine=engine, keyring=ring, specs=[SPEC])
    again = rotate_encrypted_columns(engine=engine, keyring=ring, specs=[SPEC])
    assert again.tokens_rotated == 0
    assert again.batches == 0


def test_rotation_resumes_where_an_interrupted_run_stopped(
    engine: Engine, keyring: KeyRing
) -> None:
    fill(engine, keyring, 10)
    ring = keyring.with_new_key("k2")
    with Session(engine) as session:  # a run that got through the first rows only
        row = session.get(CustomerCardRow, "r0000")
        assert row is not None and row.card_number is not None
        row.card_number = seal_fields(
            {"card_number": "622202123456780000"}, record_id="r0000", keyring=ring
        )["card_number"]
        session.commit()
    report = rotate_encrypted_columns(engine=engine, keyring=ring, specs=[SPEC])
    assert report.tokens_rotated == 9 + 4  # nine cards and four phones left on k1
    assert key_ids(engine) == {"k2"}


def test_rotation_opens_columns_sealed_under_another_field_name(
    engine: Engine, keyring: KeyRing
) -> None:
    # Like customers.phone_sealed, sealed with field "phone".
    with Session(engine) as session:
        sealed = seal_fields({"card": "6222021234567890"}, record_id="r1", keyring=keyring)
        session.add(CustomerCardRow(id="r1", holder="x", card_number=sealed["card"]))
        session.commit()
    spec = EncryptedColumns(
        table="example_customer_cards",
        id_column="id",
        columns=("card_number",),
        aad_fields={"card_number": "card"},
    )
    ring = keyring.with_new_key("k2")
    rotate_encrypted_columns(engine=engine, keyring=ring, specs=[spec])
    with Session(engine) as session:
        row = session.get(CustomerCardRow, "r1")
        assert row is not None and row.card_number is not None
        assert decrypt_field(row.card_number, record_id="r1", keyring=ring, field="card") == (
            "6222021234567890"
        )


def test_aad_field_for_an_unregistered_column_is_refused() -> None:
    spec = EncryptedColumns(table="t", id_column="id", columns=("a",), aad_fields={"b": "x"})
    with pytest.raises(ValidationFailed) as err:
        register_encrypted_columns(spec)
    assert err.value.field == "aad_fields"


def test_rotation_uses_the_registry_by_default(engine: Engine, keyring: KeyRing) -> None:
    fill(engine, keyring, 2)
    register_encrypted_columns(SPEC)
    rotate_encrypted_columns(engine=engine, keyring=keyring.with_new_key("k2"))
    assert key_ids(engine) == {"k2"}


def test_registry_lists_registered_tables() -> None:
    register_encrypted_columns(SPEC)
    assert registered_encrypted_columns() == (SPEC,)


def test_registering_no_columns_is_refused() -> None:
    with pytest.raises(ValidationFailed) as err:
        register_encrypted_columns(EncryptedColumns(table="t", id_column="id", columns=()))
    assert err.value.field == "columns"


def test_zero_batch_size_is_refused(engine: Engine, keyring: KeyRing) -> None:
    with pytest.raises(ValidationFailed) as err:
        rotate_encrypted_columns(engine=engine, keyring=keyring, specs=[SPEC], batch_size=0)
    assert err.value.field == "batch"


def test_tampered_token_stops_rotation_naming_the_record(engine: Engine, keyring: KeyRing) -> None:
    fill(engine, keyring, 3)
    with Session(engine) as session:
        row = session.get(CustomerCardRow, "r0002")
        other = session.get(CustomerCardRow, "r0001")
        assert row is not None and other is not None
        row.card_number = other.card_number  # a token copied from another record
        session.commit()
    with pytest.raises(TokenRejectedError, match="r0002"):
        rotate_encrypted_columns(engine=engine, keyring=keyring.with_new_key("k2"), specs=[SPEC])
