from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from consultdesk.db.base import Base, UTCDateTime
from consultdesk.security.key_rotation import EncryptedColumns, register_encrypted_columns


class CustomerRow(Base):
    __tablename__ = "customers"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(60))
    branch: Mapped[str] = mapped_column(ForeignKey("org_branches.code"), index=True)
    core_customer_id: Mapped[str | None] = mapped_column(String(40), unique=True, nullable=True)
    # C2: sealed with AES-GCM bound to (id, field); masked copy for display; keyed hash for lookup
    phone_sealed: Mapped[str | None] = mapped_column(String(200), nullable=True)
    phone_masked: Mapped[str | None] = mapped_column(String(20), nullable=True)
    phone_index: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    id_number_sealed: Mapped[str | None] = mapped_column(String(200), nullable=True)
    id_number_masked: Mapped[str | None] = mapped_column(String(24), nullable=True)
    id_number_index: Mapped[str | None] = mapped_column(String(64), index=True, nullable=True)
    email: Mapped[str | None] = mapped_column(String(120), nullable=True)
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    risk_tolerance: Mapped[str | None] = mapped_column(String(2), nullable=True)
    risk_assessed_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    products: Mapped[list[Any]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


# `consultdesk keys rotate` re-seals these columns (RSK-1, CLS-4).
register_encrypted_columns(
    EncryptedColumns(
        "customers",
        "id",
        ("phone_sealed", "id_number_sealed"),
        aad_fields={"phone_sealed": "phone", "id_number_sealed": "id_number"},
    )
)
