from __future__ import annotations

import base64
import json
import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.security.crypto import (
    ENV_VAR,
    KeyRing,
    MalformedTokenError,
    TokenRejectedError,
    UnknownKeyError,
    decrypt_field,
    encrypt_field,
    new_keyring,
    open_fields,
    rotate_token,
    seal_fields,
    write_key_file,
)
from consultdesk.shared.errors import ValidationFailed

from .conftest import CustomerCardRow

CARD = "6222021234567890"


# REQ: CLS-4
def test_round_trip_returns_the_plaintext(keyring: KeyRing) -> None:
    token = encrypt_field(CARD, record_id="c-1", keyring=keyring, field="card_number")
    assert decrypt_field(token, record_id="c-1", keyring=keyring, field="card_number") == CARD


def test_round_trip_keeps_chinese_text(keyring: KeyRing) -> None:
    token = encrypt_field("余额 ¥12,345.67", record_id="c-1", keyring=keyring)
    assert decrypt_field(token, record_id="c-1", keyring=keyring) == "余额 ¥12,345.67"


def test_token_is_versioned_and_names_its_key(keyring: KeyRing) -> None:
    token = encrypt_field(CARD, record_id="c-1", keyring=keyring)
    assert token.startswith("v1:k1:")
    assert CARD not in token


def test_same_plaintext_seals_differently_each_time(keyring: KeyRing) -> None:
    first = encrypt_field(CARD, record_id="c-1", keyring=keyring)
    assert first != encrypt_field(CARD, record_id="c-1", keyring=keyring)


# REQ: CLS-4
def test_token_from_another_record_is_rejected(keyring: KeyRing) -> None:
    token = encrypt_field(CARD, record_id="c-1", keyring=keyring, field="card_number")
    with pytest.raises(TokenRejectedError):
        decrypt_field(token, record_id="c-2", keyring=keyring, field="card_number")


def test_token_from_another_field_is_rejected(keyring: KeyRing) -> None:
    token = encrypt_field(CARD, record_id="c-1", keyring=keyring, field="card_number")
    with pytest.raises(TokenRejectedError):
        decrypt_field(token, record_id="c-1", keyring=keyring, field="phone")


def test_record_and_field_boundaries_cannot_be_shifted(keyring: KeyRing) -> None:
    token = encrypt_field(CARD, record_id="ab", keyring=keyring, field="c")
    with pytest.raises(TokenRejectedError):
        decrypt_field(token, record_id="a", keyring=keyring, field="bc")


# REQ: CLS-4
def test_tampered_token_is_rejected(keyring: KeyRing) -> None:
    token = encrypt_field(CARD, record_id="c-1", keyring=keyring)
    head, data = token.rsplit(":", 1)
    raw = bytearray(base64.urlsafe_b64decode(data + "=" * (-len(data) % 4)))
    raw[15] ^= 0x01
    forged = head + ":" + base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    with pytest.raises(TokenRejectedError):
        decrypt_field(forged, record_id="c-1", keyring=keyring)


def test_token_under_an_unknown_key_is_named(keyring: KeyRing) -> None:
    other = new_keyring("k9")
    token = encrypt_field(CARD, record_id="c-1", keyring=other)
    with pytest.raises(UnknownKeyError):
        decrypt_field(token, record_id="c-1", keyring=keyring)


def test_key_swapped_in_the_header_is_rejected(keyring: KeyRing) -> None:
    ring = keyring.with_new_key("k2")
    token = encrypt_field(CARD, record_id="c-1", keyring=ring)
    with pytest.raises(TokenRejectedError):
        decrypt_field(token.replace("v1:k2:", "v1:k1:"), record_id="c-1", keyring=ring)


@pytest.mark.parametrize("token", ["6222021234567890", "v2:k1:abcd", "v1:k1:", "v1:k1:!!!!"])
def test_malformed_token_is_named(keyring: KeyRing, token: str) -> None:
    with pytest.raises(MalformedTokenError):
        decrypt_field(token, record_id="c-1", keyring=keyring)


def test_empty_record_id_is_refused(keyring: KeyRing) -> None:
    with pytest.raises(ValidationFailed) as err:
        encrypt_field(CARD, record_id="", keyring=keyring)
    assert err.value.field == "record_id"


def test_keyring_repr_never_shows_key_bytes(keyring: KeyRing) -> None:
    key = keyring.keys[keyring.active]
    assert repr(key) not in repr(keyring)


def test_keyring_refuses_a_short_key() -> None:
    with pytest.raises(ValidationFailed):
        KeyRing(keys={"k1": b"short"}, active="k1")  # type: ignore[dict-item, arg-type]


def test_keyring_refuses_an_active_key_it_does_not_hold(keyring: KeyRing) -> None:
    with pytest.raises(ValidationFailed) as err:
        KeyRing(keys=keyring.keys, active="nope")  # type: ignore[arg-type]
    assert err.value.field == "active"


def test_key_file_round_trips_with_mode_0600(tmp_path: Path, keyring: KeyRing) -> None:
    path = tmp_path / "keys.json"
    write_key_file(path, keyring)
    assert path.stat().st_mode & 0o777 == 0o600
    assert KeyRing.from_file(path) == keyring


def test_key_file_readable_by_others_is_refused(tmp_path: Path, keyring: KeyRing) -> None:
    path = tmp_path / "keys.json"
    write_key_file(path, keyring)
    os.chmod(path, 0o644)
    with pytest.raises(ValidationFailed) as err:
        KeyRing.from_file(path)
    assert err.value.field == "key_file"


def test_keys_load_from_the_environment(keyring: KeyRing) -> None:
    loaded = KeyRing.load(key_file=None, environ={ENV_VAR: keyring.to_json()})
    assert loaded == keyring


def test_missing_keys_name_the_key_file(keyring: KeyRing) -> None:
    with pytest.raises(ValidationFailed) as err:
        KeyRing.load(key_file=None, environ={})
    assert err.value.field == "key_file"


def test_garbled_key_json_names_its_source() -> None:
    with pytest.raises(ValidationFailed) as err:
        KeyRing.load(key_file=None, environ={ENV_VAR: json.dumps({"keys": {"k1": "%%"}})})
    assert err.value.field == ENV_VAR


# REQ: CLS-4
def test_rotated_token_moves_to_the_active_key(keyring: KeyRing) -> None:
    token = encrypt_field(CARD, record_id="c-1", keyring=keyring)
    ring = keyring.with_new_key("k2")
    rotated = rotate_token(token, record_id="c-1", keyring=ring)
    assert rotated.startswith("v1:k2:")
    assert decrypt_field(rotated, record_id="c-1", keyring=ring) == CARD


def test_rotating_a_token_already_on_the_active_key_changes_nothing(keyring: KeyRing) -> None:
    token = encrypt_field(CARD, record_id="c-1", keyring=keyring)
    assert rotate_token(token, record_id="c-1", keyring=keyring) == token


# REQ: CLS-4
def test_example_table_stores_sealed_columns_and_reads_them_back(
    session: Session, keyring: KeyRing
) -> None:
    record_id = str(uuid.uuid4())  # assigned before the insert: it is the associated data
    sealed = seal_fields({"card_number": CARD, "phone": None}, record_id=record_id, keyring=keyring)
    session.add(CustomerCardRow(id=record_id, holder="张三", **sealed))
    session.commit()
    row = session.scalars(select(CustomerCardRow)).one()
    assert row.card_number is not None and CARD not in row.card_number
    opened = open_fields(
        {"card_number": row.card_number, "phone": row.phone},
        record_id=row.id,
        keyring=keyring,
    )
    assert opened == {"card_number": CARD, "phone": None}


def test_example_table_value_copied_to_another_row_is_rejected(
    session: Session, keyring: KeyRing
) -> None:
    sealed = seal_fields({"card_number": CARD}, record_id="a", keyring=keyring)
    session.add(CustomerCardRow(id="b", holder="李四", card_number=sealed["card_number"]))
    session.commit()
    row = session.get(CustomerCardRow, "b")
    assert row is not None
    with pytest.raises(TokenRejectedError):
        open_fields({"card_number": row.card_number}, record_id=row.id, keyring=keyring)
