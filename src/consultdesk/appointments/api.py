"""Counter appointment API (SOL-4, CLS-1): supervisors open slots, agents book and cancel;
the appointment number goes to the customer's phone through the outbox."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field

from consultdesk.appointments import service
from consultdesk.appointments.model import Appointment, Slot
from consultdesk.customers import service as customers
from consultdesk.shared.errors import NotFound
from consultdesk.shared.scope import SYSTEM
from consultdesk.staff.model import Permission, StaffMember
from consultdesk.web.deps import ContainerDep, require

router = APIRouter(prefix="/api/v1/appointments", tags=["appointments"])
Handler = Annotated[StaffMember, Depends(require(Permission.HANDLE_CONSULTATIONS))]
Supervisor = Annotated[StaffMember, Depends(require(Permission.SUPERVISE))]
BRANCH = r"^[A-Z0-9]{2,12}$"


class SlotIn(BaseModel):
    branch: str = Field(pattern=BRANCH)
    day: date
    starts: time
    ends: time
    capacity: int = Field(ge=1, le=200)


class SlotOut(BaseModel):
    id: str
    branch: str
    day: date
    window: str
    capacity: int
    booked: int
    available: int

    @classmethod
    def of(cls, s: Slot) -> SlotOut:
        return cls(
            id=s.id,
            branch=s.branch,
            day=s.day,
            window=s.window,
            capacity=s.capacity,
            booked=s.booked,
            available=s.available,
        )


class BookIn(BaseModel):
    slot_id: str = Field(min_length=1, max_length=40)
    customer_id: str = Field(min_length=1, max_length=40)
    purpose: str = Field(min_length=1, max_length=100)
    consultation_id: str | None = Field(default=None, max_length=40)


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=200)


class AppointmentOut(BaseModel):
    id: str
    number: str
    slot_id: str
    branch: str
    day: date
    window: str
    customer_id: str
    consultation_id: str | None
    purpose: str
    state: str
    booked_at: datetime
    cancelled_at: datetime | None

    @classmethod
    def of(cls, a: Appointment) -> AppointmentOut:
        return cls(
            id=a.id,
            number=a.number,
            slot_id=a.slot_id,
            branch=a.branch,
            day=a.day,
            window=a.window,
            customer_id=a.customer_id,
            consultation_id=a.consultation_id,
            purpose=a.purpose,
            state=a.state.value,
            booked_at=a.booked_at,
            cancelled_at=a.cancelled_at,
        )


@router.post("/slots", response_model=SlotOut, status_code=201)
def open_slot(body: SlotIn, container: ContainerDep, member: Supervisor) -> SlotOut:
    if not member.sees_branch(body.branch):
        raise NotFound("机构不存在", field="branch")
    with container.uow() as session:
        slot = service.open_slot(
            session=session,
            now=container.clock.now(),
            branch=body.branch,
            day=body.day,
            starts=body.starts,
            ends=body.ends,
            capacity=body.capacity,
            actor=member.id,
        )
    return SlotOut.of(slot)


@router.get("/slots", response_model=list[SlotOut])
def slots(
    container: ContainerDep,
    _: Handler,
    branch: Annotated[str, Query(pattern=BRANCH)],
    day_from: date,
    day_to: date | None = None,
    available: bool = True,
) -> list[SlotOut]:
    with container.uow() as session:
        found = service.list_slots(
            session=session,
            branch=branch,
            day_from=day_from,
            day_to=day_to,
            available_only=available,
        )
    return [SlotOut.of(s) for s in found]


@router.post("", response_model=AppointmentOut, status_code=201)
def book(body: BookIn, container: ContainerDep, member: Handler) -> AppointmentOut:
    with container.uow() as session:
        customers.get_customer(session=session, customer_id=body.customer_id, scope=member.scope)
        appointment = service.book_appointment(
            session=session,
            now=container.clock.now(),
            keyring=container.keyring,
            slot_id=body.slot_id,
            customer_id=body.customer_id,
            purpose=body.purpose,
            consultation_id=body.consultation_id,
            actor=member.id,
            bank=container.settings.bank_name,
        )
    return AppointmentOut.of(appointment)


@router.get("/{appointment_id}", response_model=AppointmentOut)
def show(appointment_id: str, container: ContainerDep, member: Handler) -> AppointmentOut:
    with container.uow() as session:
        appointment = service.get_appointment(session=session, appointment_id=appointment_id)
        customer = customers.get_customer(
            session=session, customer_id=appointment.customer_id, scope=SYSTEM
        )
    if not (member.sees_branch(customer.branch) or member.sees_branch(appointment.branch)):
        raise NotFound("预约不存在", field="appointment_id")
    return AppointmentOut.of(appointment)


@router.post("/{appointment_id}/cancel", response_model=AppointmentOut)
def cancel(
    appointment_id: str, body: CancelIn, container: ContainerDep, member: Handler
) -> AppointmentOut:
    with container.uow() as session:
        existing = service.get_appointment(session=session, appointment_id=appointment_id)
        customer = customers.get_customer(
            session=session, customer_id=existing.customer_id, scope=SYSTEM
        )
        if not (member.sees_branch(customer.branch) or member.sees_branch(existing.branch)):
            raise NotFound("预约不存在", field="appointment_id")
        appointment = service.cancel_appointment(
            session=session,
            now=container.clock.now(),
            keyring=container.keyring,
            appointment_id=appointment_id,
            reason=body.reason,
            actor=member.id,
            bank=container.settings.bank_name,
        )
    return AppointmentOut.of(appointment)
