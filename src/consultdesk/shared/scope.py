"""Whose data a caller may touch: one branch, or the whole bank (RSK-2).

Services that read or change a branch's records take a ``scope`` and refuse ids outside
it with the same "not found" an unknown id gets, so REST, the chat socket, the console
and the command line all get one isolation rule instead of a check in each entry point.
"""

from __future__ import annotations

from dataclasses import dataclass

from consultdesk.shared.ids import HEAD_OFFICE, BranchCode


@dataclass(frozen=True)
class Scope:
    """``branch`` None: head office (every branch). ``reason`` says why a caller that is
    not a staff member holds a whole-bank scope (the scheduler, the bot, a migration)."""

    branch: BranchCode | None
    reason: str = ""

    @classmethod
    def of_branch(cls, branch: str) -> Scope:
        code = BranchCode(branch.upper())
        return cls(None) if code == HEAD_OFFICE else cls(code)

    def admits(self, branch: str) -> bool:
        return self.branch is None or branch == self.branch

    @property
    def label(self) -> str:
        return self.branch or HEAD_OFFICE


HEAD_OFFICE_SCOPE = Scope(None)
# Internal callers with no member behind them (SLA timers, the bot, survey links sent to
# the customer): the whole bank, and said so where it is used.
SYSTEM = Scope(None, reason="system")
