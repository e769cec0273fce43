"""argon2id password hashing (RFC 9106 low-memory profile)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError


class _Hashing:
    """The process's hasher, and a hash verified against when the username does not
    exist, so that timing does not tell whether it does."""

    def __init__(self, hasher: PasswordHasher) -> None:
        self.use(hasher)

    def use(self, hasher: PasswordHasher) -> None:
        self.hasher = hasher
        self.dummy_hash = hasher.hash("no-such-user-0000")


_STATE = _Hashing(PasswordHasher())  # argon2id, t=3, m=64 MiB, p=4


def use_cheap_hashing_for_tests() -> None:
    """Switch to a low-cost argon2id profile. For test suites only: never call it in a
    deployment (the setting is process-wide)."""
    _STATE.use(PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def hash_password(password: str) -> str:
    return _STATE.hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        ok = _STATE.hasher.verify(password_hash or _STATE.dummy_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False
    return ok and password_hash is not None
