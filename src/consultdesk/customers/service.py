"""Use cases on customers: register, find a returning customer, read the profile."""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.customers.model import Customer, CustomerId, RiskTolerance
from consultdesk.customers.tables import CustomerRow
from consultdesk.org import service as org
from consultdesk.security.crypto import KeyRing, encrypt_field
from consultdesk.security.masking import mask_id, mask_phone
from consultdesk.shared.errors import Conflict, NotFound, ValidationFailed
from consultdesk.shared.ids import new_id
from consultdesk.shared.scope import Scope
from consultdesk.validation.checks import check_mobile, check_resident_id, require_valid


def blind_index(*, key: bytes, kind: str, value: str) -> str:
    """A keyed hash of a normalised identifier: equal inputs match, nothing can be read back."""
    return hmac.new(key, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def _customer(row: CustomerRow) -> Customer:
    return Customer(
        id=CustomerId(row.id),
        name=row.name,
        phone_masked=row.phone_masked,
        id_number_masked=row.id_number_masked,
        email=row.email,
        branch=row.branch,
        core_customer_id=row.core_customer_id,
        birth_date=row.birth_date,
        risk_tolerance=RiskTolerance(row.risk_tolerance) if row.risk_tolerance else None,
        risk_assessed_on=row.risk_assessed_on,
        products=tuple(row.products or ()),
    )


def register_customer(
    *,
    session: Session,
    now: datetime,
    keyring: KeyRing,
    index_key: bytes,
    name: str,
    branch: str,
    phone: str | None = None,
    id_number: str | None = None,
    email: str | None = None,
    core_customer_id: str | None = None,
    birth_date: date | None = None,
    risk_tolerance: str | None = None,
    risk_assessed_on: date | None = None,
    products: tuple[str, ...] = (),
) -> Customer:
    """Record a customer; identifiers are checked (ACP-2), sealed and masked (RSK-1)."""
    if not name.strip() or len(name) > 60:
        raise ValidationFailed("客户姓名须为 1–60 个字符", field="name")
    the_branch = org.get_branch(session=session, code=branch)
    cid = new_id("cus")
    row = CustomerRow(
        id=cid,
        name=name.strip(),
        branch=the_branch.code,
        core_customer_id=core_customer_id,
        email=email,
        birth_date=birth_date,
        risk_assessed_on=risk_assessed_on,
        products=list(products),
        created_at=now,
    )
    if risk_tolerance is not None:
        try:
            row.risk_tolerance = RiskTolerance(risk_tolerance.upper()).value
        except ValueError:
            raise ValidationFailed("风险承受能力须为 C1–C5", field="risk_tolerance") from None
    if phone:
        normal = require_valid(check_mobile(phone), field="phone")
        index = blind_index(key=index_key, kind="phone", value=normal)
        if session.scalars(select(CustomerRow.id).where(CustomerRow.phone_index == index)).first():
            raise Conflict("该手机号已登记为其他客户", field="phone")
        row.phone_sealed = encrypt_field(normal, record_id=cid, keyring=keyring, field="phone")
        row.phone_masked = mask_phone(normal)
        row.phone_index = index
    if id_number:
        normal = require_valid(check_resident_id(id_number, today=now.date()), field="id_number")
        row.id_number_sealed = encrypt_field(
            normal, record_id=cid, keyring=keyring, field="id_number"
        )
        row.id_number_masked = mask_id(normal)
        row.id_number_index = blind_index(key=index_key, kind="id", value=normal)
    session.add(row)
    session.flush()
    return _customer(row)


def get_customer(*, session: Session, customer_id: str, scope: Scope) -> Customer:
    """The customer, if ``scope`` admits the customer's branch; NotFound otherwise (RSK-2)."""
    row = session.get(CustomerRow, customer_id)
    if row is None or not scope.admits(row.branch):
        raise NotFound("客户不存在", field="customer_id")
    return _customer(row)


def find_by_phone(*, session: Session, index_key: bytes, phone: str) -> Customer | None:
    """The returning customer with this phone, if any (ACC-5)."""
    verdict = check_mobile(phone)
    if not verdict.valid or verdict.normalized is None:
        return None
    index = blind_index(key=index_key, kind="phone", value=verdict.normalized)
    row = session.scalars(select(CustomerRow).where(CustomerRow.phone_index == index)).first()
    return _customer(row) if row else None


def find_by_core_id(*, session: Session, core_customer_id: str) -> Customer | None:
    row = session.scalars(
        select(CustomerRow).where(CustomerRow.core_customer_id == core_customer_id)
    ).first()
    return _customer(row) if row else None


def sealed_phone(*, session: Session, customer_id: str) -> str | None:
    """The sealed phone token, for the notification outbox to open at send time."""
    row = session.get(CustomerRow, customer_id)
    if row is None:
        raise NotFound("客户不存在", field="customer_id")
    return row.phone_sealed
