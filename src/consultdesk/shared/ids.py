"""Identifiers. Ids are opaque strings: a short type prefix and a random part, so a
leaked id tells nothing about volume and cannot be guessed."""

from __future__ import annotations

import secrets
from typing import NewType

UserId = NewType("UserId", str)
BranchCode = NewType("BranchCode", str)

HEAD_OFFICE = BranchCode("HO")


def new_id(prefix: str) -> str:
    """A new id such as ``usr_4f3a9c1e7b2d40aa``."""
    return f"{prefix}_{secrets.token_hex(8)}"
