"""A lean closed-loop HTTP/1.1 GET load generator for the API read figure (issue 12).

The harness's own client (httpx) costs more CPU per request than the server's read path,
and it shares two cores with the servers and PostgreSQL: measured through it, the read
figure was the client's limit, not the servers'. This generator does what ``wrk`` does
and no more: keep-alive connections, each with one request in flight, the request bytes
written by hand, the response read by its ``Content-Length``. It runs in a child process
so the harness's event loop (which still holds every customer's and agent's socket) is
not in its way.

Every response is checked: the status must be 200 and the body must be complete; a
response without ``Content-Length`` (chunked) counts as an error, as does a closed
connection.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
from dataclasses import dataclass, field
from typing import Any

HEADER_END = b"\r\n\r\n"


@dataclass(frozen=True)
class ReadRequest:
    """One GET: ``path`` with a bearer ``token``."""

    path: str
    token: str

    def encode(self, host: str) -> bytes:
        return (
            f"GET {self.path} HTTP/1.1\r\nHost: {host}\r\n"
            f"Authorization: Bearer {self.token}\r\nAccept: application/json\r\n\r\n"
        ).encode("ascii")


@dataclass
class ReadResult:
    reads: int = 0
    seconds: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)
    bytes_read: int = 0

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


async def _connection(
    host: str,
    port: int,
    requests: list[bytes],
    end: float,
    rng: random.Random,
    result: ReadResult,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        while time.perf_counter() < end:
            t0 = time.perf_counter()
            writer.write(rng.choice(requests))
            head = await reader.readuntil(HEADER_END)
            status = head[9:12]
            length = -1
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                if name.strip().lower() == b"content-length":
                    length = int(value)
            if length < 0:
                result.error("response without Content-Length")
                return
            body = await reader.readexactly(length)
            if status != b"200":
                result.error(f"read HTTP {status.decode()}")
                continue
            result.reads += 1
            result.bytes_read += len(head) + len(body)
            result.latencies_ms.append((time.perf_counter() - t0) * 1000)
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError) as exc:
        result.error(f"read failed ({type(exc).__name__})")
    finally:
        writer.close()


async def _run(
    targets: list[tuple[str, int]], requests: list[ReadRequest], concurrency: int, seconds: float
) -> ReadResult:
    result = ReadResult()
    encoded = {t: [r.encode(f"{t[0]}:{t[1]}") for r in requests] for t in targets}
    end = time.perf_counter() + seconds
    started = time.perf_counter()
    tasks = []
    for k in range(concurrency):
        target = targets[k % len(targets)]
        tasks.append(
            _connection(target[0], target[1], encoded[target], end, random.Random(k), result)
        )
    await asyncio.gather(*tasks)
    result.seconds = time.perf_counter() - started
    return result


def _child(
    targets: list[tuple[str, int]],
    requests: list[ReadRequest],
    concurrency: int,
    seconds: float,
    out: Any,
) -> None:
    try:
        import uvloop

        result = uvloop.run(_run(targets, requests, concurrency, seconds))
    except ImportError:
        result = asyncio.run(_run(targets, requests, concurrency, seconds))
    out.send(result)
    out.close()


def run_reads(
    targets: list[tuple[str, int]], requests: list[ReadRequest], concurrency: int, seconds: float
) -> ReadResult:
    """Closed loop for ``seconds``: ``concurrency`` connections spread over ``targets``,
    each sending a random one of ``requests`` as soon as the last answer is read."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(targets, requests, concurrency, seconds, child))
    proc.start()
    child.close()
    try:
        result: ReadResult = parent.recv()
    finally:
        proc.join(timeout=30)
    return result
