"""Use cases on counter appointments (SOL-4, CLS-1).

Booking locks the day's slots of the branch (``SELECT … FOR UPDATE`` on PostgreSQL;
SQLite serialises writers), so capacity holds and numbers are consecutive under
concurrent bookings. The appointment number goes to the customer's phone through the
notification outbox in the same transaction: no booking without its message.
"""

from __future__ import annotations

from datetime import date, datetime, time

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from consultdesk.appointments.model import (
    BEIJING,
    Appointment,
    AppointmentId,
    AppointmentState,
    Slot,
    SlotId,
    appointment_number,
    booking_text,
    cancel_text,
    check_purpose,
    check_slot,
    local_date,
)
from consultdesk.appointments.tables import AppointmentRow, SlotRow
from consultdesk.consultations import service as consultations
from consultdesk.customers import service as customers
from consultdesk.notifications import service as notifications
from consultdesk.org import service as org
from consultdesk.security.crypto import KeyRing
from consultdesk.shared.errors import Conflict, NotFound, ValidationFailed
from consultdesk.shared.ids import new_id
from consultdesk.shared.scope import SYSTEM


def _slot(row: SlotRow) -> Slot:
    return Slot(
        id=SlotId(row.id),
        branch=row.branch,
        day=row.day,
        starts=row.starts,
        ends=row.ends,
        capacity=row.capacity,
        booked=row.booked,
    )


def _appointment(row: AppointmentRow, slot: SlotRow) -> Appointment:
    return Appointment(
        id=AppointmentId(row.id),
        number=row.number,
        slot_id=SlotId(row.slot_id),
        branch=row.branch,
        day=row.day,
        window=_slot(slot).window,
        customer_id=row.customer_id,
        consultation_id=row.consultation_id,
        purpose=row.purpose,
        state=AppointmentState(row.state),
        booked_at=row.booked_at,
        cancelled_at=row.cancelled_at,
        cancel_reason=row.cancel_reason,
    )


def open_slot(
    *,
    session: Session,
    now: datetime,
    branch: str,
    day: date,
    starts: time,
    ends: time,
    capacity: int,
    actor: str,
) -> Slot:
    """A counter time window at ``branch`` on ``day`` taking ``capacity`` bookings."""
    check_slot(starts=starts, ends=ends, capacity=capacity)
    the_branch = org.get_branch(session=session, code=branch)
    if day < local_date(now):
        raise ValidationFailed("不能为已过去的日期开放预约", field="day")
    clash = session.scalars(
        select(SlotRow.id).where(
            SlotRow.branch == the_branch.code, SlotRow.day == day, SlotRow.starts == starts
        )
    ).first()
    if clash:
        raise Conflict("该时段已开放", field="starts")
    row = SlotRow(
        id=new_id("slt"),
        branch=the_branch.code,
        day=day,
        starts=starts,
        ends=ends,
        capacity=capacity,
        booked=0,
        created_by=actor,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _slot(row)


def list_slots(
    *,
    session: Session,
    branch: str,
    day_from: date,
    day_to: date | None = None,
    available_only: bool = False,
) -> list[Slot]:
    query = (
        select(SlotRow)
        .where(SlotRow.branch == branch, SlotRow.day >= day_from)
        .order_by(SlotRow.day, SlotRow.starts)
    )
    if day_to is not None:
        query = query.where(SlotRow.day <= day_to)
    if available_only:
        query = query.where(SlotRow.booked < SlotRow.capacity)
    return [_slot(r) for r in session.scalars(query)]


def get_slot(*, session: Session, slot_id: str) -> Slot:
    row = session.get(SlotRow, slot_id)
    if row is None:
        raise NotFound("预约时段不存在", field="slot_id")
    return _slot(row)


def book_appointment(
    *,
    session: Session,
    now: datetime,
    keyring: KeyRing,
    slot_id: str,
    customer_id: str,
    purpose: str,
    actor: str,
    consultation_id: str | None = None,
    bank: str = "本行",
) -> Appointment:
    """SOL-4: book the customer into ``slot_id``; CLS-1: the number goes to their phone.
    Conflict(field='slot_id') when the slot is full or already over."""
    text = check_purpose(purpose)
    customer = customers.get_customer(scope=SYSTEM, session=session, customer_id=customer_id)
    probe = session.get(SlotRow, slot_id)
    if probe is None:
        raise NotFound("预约时段不存在", field="slot_id")
    # Lock every slot of that branch and day, in one order: bookings of the day queue up,
    # so the capacity check and the next sequence number are exact.
    day_slots = session.scalars(
        select(SlotRow)
        .where(SlotRow.branch == probe.branch, SlotRow.day == probe.day)
        .order_by(SlotRow.id)
        .with_for_update()
        # The probe above put the slot in the identity map: refresh it from the locked read.
        .execution_options(populate_existing=True)
    ).all()
    slot = next(s for s in day_slots if s.id == slot_id)
    if datetime.combine(slot.day, slot.ends, tzinfo=BEIJING) <= now:
        raise Conflict("该时段已结束，请选择其他时段", field="slot_id")
    if slot.booked >= slot.capacity:
        raise Conflict("该时段已约满，请选择其他时段", field="slot_id")
    if consultation_id is not None:
        consultations.get_consultation(
            scope=SYSTEM, session=session, consultation_id=consultation_id
        )
    seq = (
        session.scalar(
            select(func.max(AppointmentRow.seq)).where(
                AppointmentRow.branch == slot.branch, AppointmentRow.day == slot.day
            )
        )
        or 0
    ) + 1
    row = AppointmentRow(
        id=new_id("apt"),
        number=appointment_number(branch=slot.branch, day=slot.day, seq=seq),
        slot_id=slot.id,
        branch=slot.branch,
        day=slot.day,
        seq=seq,
        customer_id=customer.id,
        consultation_id=consultation_id,
        purpose=text,
        state=AppointmentState.BOOKED.value,
        booked_by=actor,
        booked_at=now,
    )
    slot.booked += 1
    session.add(row)
    session.flush()
    appointment = _appointment(row, slot)
    branch_name = org.get_branch(session=session, code=slot.branch).name
    notifications.notify_customer(
        session=session,
        now=now,
        keyring=keyring,
        customer_id=customer.id,
        text=booking_text(bank=bank, branch_name=branch_name, appointment=appointment),
        subject=f"{bank}：柜台预约成功（预约号 {appointment.number}）",
        purpose="appointment_booked",
        ref=row.id,
        idempotency_key=f"appointment:{row.id}:booked",
    )
    if consultation_id is not None:
        consultations.record_fact(
            session=session,
            consultation_id=consultation_id,
            kind="appointment_booked",
            actor=actor,
            now=now,
            data={"appointment_id": row.id, "number": row.number},
        )
    return appointment


def _row(session: Session, appointment_id: str) -> tuple[AppointmentRow, SlotRow]:
    row = session.get(AppointmentRow, appointment_id, with_for_update=True)
    if row is None:
        raise NotFound("预约不存在", field="appointment_id")
    slot = session.get(SlotRow, row.slot_id, with_for_update=True)
    assert slot is not None
    return row, slot


def get_appointment(*, session: Session, appointment_id: str) -> Appointment:
    row = session.get(AppointmentRow, appointment_id)
    if row is None:
        raise NotFound("预约不存在", field="appointment_id")
    slot = session.get(SlotRow, row.slot_id)
    assert slot is not None
    return _appointment(row, slot)


def cancel_appointment(
    *,
    session: Session,
    now: datetime,
    keyring: KeyRing,
    appointment_id: str,
    reason: str,
    actor: str,
    bank: str = "本行",
) -> Appointment:
    """Cancel a booking; the place returns to the slot and the customer is told."""
    why = reason.strip()
    if not why or len(why) > 200:
        raise ValidationFailed("取消原因须为 1–200 个字符", field="reason")
    row, slot = _row(session, appointment_id)
    if row.state == AppointmentState.CANCELLED.value:
        raise Conflict("该预约已取消", field="appointment_id")
    row.state = AppointmentState.CANCELLED.value
    row.cancelled_at = now
    row.cancel_reason = why
    slot.booked = max(slot.booked - 1, 0)
    session.flush()
    appointment = _appointment(row, slot)
    notifications.notify_customer(
        session=session,
        now=now,
        keyring=keyring,
        customer_id=row.customer_id,
        text=cancel_text(bank=bank, appointment=appointment),
        subject=f"{bank}：柜台预约已取消（预约号 {appointment.number}）",
        purpose="appointment_cancelled",
        ref=row.id,
        idempotency_key=f"appointment:{row.id}:cancelled",
    )
    return appointment


def customer_appointments(*, session: Session, customer_id: str) -> list[Appointment]:
    rows = session.execute(
        select(AppointmentRow, SlotRow)
        .join(SlotRow, SlotRow.id == AppointmentRow.slot_id)
        .where(AppointmentRow.customer_id == customer_id)
        .order_by(AppointmentRow.day.desc(), AppointmentRow.seq.desc())
    ).all()
    return [_appointment(a, s) for a, s in rows]
