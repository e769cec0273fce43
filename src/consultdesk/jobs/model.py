"""What a background job is: a name, a pause between passes, one pass."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from consultdesk.bootstrap import Container


def _never(_: object) -> bool:
    return False


@dataclass(frozen=True)
class Job:
    """One kind of background work: ``run`` does one pass and returns what it did (a
    dataclass or a number, for the log and ``worker --once``); ``every_s`` is the pause
    between passes. A pass that did a full batch runs again without pausing when
    ``again`` says so."""

    name: str
    every_s: float
    run: Callable[[Container], object]
    again: Callable[[object], bool] = field(default=_never)
