"""Use cases on the organisation."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from consultdesk.org.model import Branch, parse_branch_code
from consultdesk.org.tables import BranchRow
from consultdesk.shared.errors import NotFound
from consultdesk.shared.ids import BranchCode


def ensure_branch(*, session: Session, code: str, name: str) -> Branch:
    """Create the branch if it does not exist yet; rename it otherwise."""
    branch_code = parse_branch_code(code)
    row = session.get(BranchRow, branch_code)
    if row is None:
        row = BranchRow(code=branch_code, name=name)
        session.add(row)
    else:
        row.name = name
    session.flush()
    return Branch(code=BranchCode(row.code), name=row.name)


def get_branch(*, session: Session, code: str) -> Branch:
    row = session.get(BranchRow, code.strip().upper())
    if row is None:
        raise NotFound(f"机构 {code} 不存在", field="branch")
    return Branch(code=BranchCode(row.code), name=row.name)


def list_branches(*, session: Session) -> list[Branch]:
    rows = session.scalars(select(BranchRow).order_by(BranchRow.code))
    return [Branch(code=BranchCode(r.code), name=r.name) for r in rows]
