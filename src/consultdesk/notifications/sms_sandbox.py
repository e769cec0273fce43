"""An in-memory SMS gateway: keeps every accepted message in an inbox the console shows.
Thread-safe (the HTTP app serves it from a thread pool). `outage = True` makes `send`
raise SmsGatewayUnavailable."""

from __future__ import annotations

import threading

from consultdesk.notifications.sms import (
    SmsGatewayUnavailable,
    SmsMessage,
    SmsMessageId,
    SmsReceipt,
    check_sms_request,
)
from consultdesk.shared.clock import Clock
from consultdesk.shared.errors import Conflict


class SandboxSmsGateway:
    """SmsGateway that delivers into `inbox()` instead of to a phone."""

    def __init__(self, *, clock: Clock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._messages: list[SmsMessage] = []
        self._by_key: dict[str, SmsMessage] = {}
        self.outage = False

    def send(self, *, to: str, text: str, idempotency_key: str) -> SmsReceipt:
        request = check_sms_request(to=to, text=text, idempotency_key=idempotency_key)
        if self.outage:
            raise SmsGatewayUnavailable("sandbox outage switched on")
        with self._lock:
            earlier = self._by_key.get(request.idempotency_key)
            if earlier is None:
                earlier = SmsMessage(
                    message_id=SmsMessageId(f"SMS-{len(self._messages) + 1:06d}"),
                    to=request.to,
                    text=request.text,
                    idempotency_key=request.idempotency_key,
                    accepted_at=self._clock.now(),
                )
                self._messages.append(earlier)
                self._by_key[request.idempotency_key] = earlier
            elif (earlier.to, earlier.text) != (request.to, request.text):
                raise Conflict("该幂等键已用于另一条短信", field="idempotency_key")
        return SmsReceipt(
            message_id=earlier.message_id,
            to=earlier.to,
            idempotency_key=earlier.idempotency_key,
            accepted_at=earlier.accepted_at,
        )

    def clear(self) -> None:
        """Empty the inbox and forget idempotency keys (demo reset); outage off."""
        with self._lock:
            self._messages.clear()
            self._by_key.clear()
        self.outage = False

    def inbox(self, *, to: str | None = None) -> list[SmsMessage]:
        """Accepted messages, oldest first; only those to `to` (any typed form) if given."""
        with self._lock:
            messages = list(self._messages)
        if to is None:
            return messages
        wanted = check_sms_request(to=to, text="-", idempotency_key="-").to
        return [m for m in messages if m.to == wanted]
