"""Field-level encryption of C2 personal financial information at rest (CLS-4, RSK-1).

Each sensitive field is sealed on its own with AES-256-GCM. The associated data binds
the ciphertext to its record id and field name, so a token copied onto another record
or another column does not decrypt. Tokens are compact, versioned text:

    v1:<key_id>:<urlsafe base64 of 12-byte nonce + ciphertext + 16-byte tag>

Keys live in a `KeyRing` (key id -> 32-byte key, one active key for new writes), loaded
from a key file (JSON, mode 0600) or the `CONSULTDESK_KEYS` environment variable with the
same JSON. Old keys stay in the ring for reading until `rotate_token` has moved every
token onto the active key.

Why not a SQLAlchemy TypeDecorator: a type sees only the value, never the row's id, so
it cannot bind the ciphertext to its record. Tables instead use `seal_fields` /
`open_fields` at the service layer (records need an application-assigned id, e.g. a
UUID, known before the insert).
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import json
import os
import re
import secrets
import stat
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import NewType

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from consultdesk.shared.errors import ValidationFailed

KeyId = NewType("KeyId", str)

TOKEN_VERSION = "v1"  # noqa: S105 - a format tag, not a secret
KEY_BYTES = 32
NONCE_BYTES = 12
ENV_VAR = "CONSULTDESK_KEYS"
_KEY_ID = re.compile(r"[A-Za-z0-9_.\-]{1,32}")


class FieldCryptoError(Exception):
    """Base of everything that can go wrong opening a sealed field."""


class MalformedTokenError(FieldCryptoError):
    """The stored value is not a `v1:<key_id>:<data>` token."""


class UnknownKeyError(FieldCryptoError):
    """The token names a key id that is not in the key ring."""


class TokenRejectedError(FieldCryptoError):
    """Authentication failed: the token was tampered with, or belongs to another
    record or field (wrong associated data), or was sealed with a different key."""


@dataclass(frozen=True)
class KeyRing:
    """Key id -> 32-byte key, and the id of the key new tokens are sealed with."""

    keys: Mapping[KeyId, bytes] = dataclasses.field(repr=False)
    active: KeyId
    _ciphers: dict[str, AESGCM] = dataclasses.field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        if not self.keys:
            raise ValidationFailed("密钥环为空", field="keys")
        for key_id, key in self.keys.items():
            if not _KEY_ID.fullmatch(key_id):
                raise ValidationFailed(f"密钥编号不合法：{key_id!r}", field="keys")
            if len(key) != KEY_BYTES:
                raise ValidationFailed(f"密钥 {key_id} 长度应为 32 字节", field="keys")
        if self.active not in self.keys:
            raise ValidationFailed(f"当前密钥 {self.active} 不在密钥环中", field="active")
        # One AESGCM object per key: building it costs more than sealing a short field.
        self._ciphers.update({k: AESGCM(v) for k, v in self.keys.items()})

    def cipher(self, key_id: str) -> AESGCM:
        """The AES-GCM cipher for `key_id`; raises UnknownKeyError."""
        try:
            return self._ciphers[key_id]
        except KeyError:
            raise UnknownKeyError(f"未知密钥编号：{key_id}") from None

    def to_json(self) -> str:
        """The key file form: {"active": id, "keys": {id: base64 key}}."""
        return json.dumps(
            {
                "active": self.active,
                "keys": {k: base64.b64encode(v).decode("ascii") for k, v in self.keys.items()},
            },
            indent=2,
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str, *, source: str = "keys") -> KeyRing:
        """Parse the key file form; raises ValidationFailed(field=source) when it is wrong."""
        try:
            data = json.loads(text)
            keys = {
                KeyId(str(k)): base64.b64decode(v, validate=True) for k, v in data["keys"].items()
            }
            active = KeyId(str(data["active"]))
        except (ValueError, KeyError, TypeError, AttributeError, binascii.Error) as exc:
            raise ValidationFailed(
                '密钥配置格式错误，应为 JSON：{"active": 编号, "keys": {编号: base64}}',
                field=source,
            ) from exc
        return cls(keys=keys, active=active)

    @classmethod
    def from_file(cls, path: Path) -> KeyRing:
        """Load a key file; refuses one that group or others can read (must be 0600)."""
        try:
            mode = path.stat().st_mode
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationFailed(f"无法读取密钥文件：{path}", field="key_file") from exc
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise ValidationFailed(f"密钥文件权限过宽（应为 0600）：{path}", field="key_file")
        return cls.from_json(text, source="key_file")

    @classmethod
    def load(cls, *, key_file: Path | None, environ: Mapping[str, str]) -> KeyRing:
        """The key file when given, else the `CONSULTDESK_KEYS` variable in `environ`."""
        if key_file is not None:
            return cls.from_file(key_file)
        text = environ.get(ENV_VAR)
        if not text:
            raise ValidationFailed(
                f"未配置密钥：请指定密钥文件或设置环境变量 {ENV_VAR}", field="key_file"
            )
        return cls.from_json(text, source=ENV_VAR)

    def with_new_key(self, key_id: str | None = None) -> KeyRing:
        """A ring with a fresh random key added and made active; old keys stay for reading."""
        new_id = KeyId(key_id or f"k{len(self.keys) + 1}-{secrets.token_hex(3)}")
        if new_id in self.keys:
            raise ValidationFailed(f"密钥编号已存在：{new_id}", field="key_id")
        return KeyRing(keys={**self.keys, new_id: AESGCM.generate_key(256)}, active=new_id)


def new_keyring(key_id: str | None = None) -> KeyRing:
    """A ring holding one fresh random key, active."""
    new_id = KeyId(key_id or f"k1-{secrets.token_hex(3)}")
    return KeyRing(keys={new_id: AESGCM.generate_key(256)}, active=new_id)


def write_key_file(path: Path, keyring: KeyRing) -> None:
    """Write the ring to `path` with mode 0600, replacing it atomically."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(keyring.to_json())
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)


def _aad(record_id: str, field: str) -> bytes:
    # Length-prefixed so ("ab", "c") and ("a", "bc") never give the same bytes.
    rid, fld = record_id.encode("utf-8"), field.encode("utf-8")
    return b"%s|%d:%s|%d:%s" % (TOKEN_VERSION.encode(), len(rid), rid, len(fld), fld)


def encrypt_field(plaintext: str, *, record_id: str, keyring: KeyRing, field: str = "") -> str:
    """Seal `plaintext` with the active key, bound to `record_id` and `field`."""
    if not record_id:
        raise ValidationFailed("加密字段需要记录编号", field="record_id")
    nonce = secrets.token_bytes(NONCE_BYTES)
    sealed = keyring.cipher(keyring.active).encrypt(
        nonce, plaintext.encode("utf-8"), _aad(record_id, field)
    )
    data = base64.urlsafe_b64encode(nonce + sealed).rstrip(b"=").decode("ascii")
    return f"{TOKEN_VERSION}:{keyring.active}:{data}"


def token_key_id(token: str) -> KeyId:
    """The key id a token was sealed with; raises MalformedTokenError."""
    parts = token.split(":", 2)
    if len(parts) != 3 or parts[0] != TOKEN_VERSION or not _KEY_ID.fullmatch(parts[1]):
        raise MalformedTokenError("不是有效的加密字段")
    return KeyId(parts[1])


def decrypt_field(token: str, *, record_id: str, keyring: KeyRing, field: str = "") -> str:
    """Open a token sealed by `encrypt_field` for the same `record_id` and `field`.

    Raises MalformedTokenError, UnknownKeyError, or TokenRejectedError
    (tampered, or wrong record or field).
    """
    key_id = token_key_id(token)
    data = token.split(":", 2)[2]
    try:
        raw = base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))
    except (ValueError, binascii.Error) as exc:
        raise MalformedTokenError("加密字段编码损坏") from exc
    if len(raw) < NONCE_BYTES + 16:
        raise MalformedTokenError("加密字段过短")
    try:
        plain = keyring.cipher(key_id).decrypt(
            raw[:NONCE_BYTES], raw[NONCE_BYTES:], _aad(record_id, field)
        )
    except InvalidTag:
        raise TokenRejectedError("加密字段校验失败：已被篡改或不属于该记录") from None
    return plain.decode("utf-8")


def needs_rotation(token: str, *, keyring: KeyRing) -> bool:
    """True when `token` was sealed with a key other than the active one."""
    return token_key_id(token) != keyring.active


def rotate_token(token: str, *, record_id: str, keyring: KeyRing, field: str = "") -> str:
    """`token` re-sealed with the active key; returned unchanged if already on it (idempotent)."""
    if not needs_rotation(token, keyring=keyring):
        return token
    plain = decrypt_field(token, record_id=record_id, keyring=keyring, field=field)
    return encrypt_field(plain, record_id=record_id, keyring=keyring, field=field)


def seal_fields(
    values: Mapping[str, str | None], *, record_id: str, keyring: KeyRing
) -> dict[str, str | None]:
    """Seal each value under its field name (None stays None): what a table stores."""
    return {
        name: None
        if value is None
        else encrypt_field(value, record_id=record_id, keyring=keyring, field=name)
        for name, value in values.items()
    }


def open_fields(
    stored: Mapping[str, str | None],
    *,
    record_id: str,
    keyring: KeyRing,
    fields: Iterable[str] | None = None,
) -> dict[str, str | None]:
    """Open the sealed `fields` of a stored row (all of `stored` when None)."""
    names = list(stored) if fields is None else list(fields)
    return {
        name: None
        if stored[name] is None
        else decrypt_field(stored[name] or "", record_id=record_id, keyring=keyring, field=name)
        for name in names
    }
