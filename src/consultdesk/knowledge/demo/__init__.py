"""The Demo Bank (示例银行) FAQ in Simplified Chinese: one YAML file per business line.

File layout: top-level ``business_line``, ``source``, ``owner``, ``effective_from`` apply
to every entry unless the entry overrides them; ``entries`` is a list of
``{id, complexity, q (standard question), p (paraphrases), a (answer), steps, risk}``.
The bank, its products and its figures are fictional.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from consultdesk.knowledge.model import BulletinId, BulletinKind, BusinessLine, EntrySpec
from consultdesk.shared.errors import ValidationFailed

DEMO_DIR = Path(__file__).parent


def load_demo_entries() -> list[EntrySpec]:
    """Every demo entry, validated, ordered by file then position."""
    from consultdesk.knowledge.io import spec_from_record

    specs: list[EntrySpec] = []
    for path in sorted(DEMO_DIR.glob("*.yaml")):
        document: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
        for position, item in enumerate(document.get("entries") or [], start=1):
            if not isinstance(item, dict):
                raise ValidationFailed(f"{path.name} 第 {position} 条格式错误", field=path.name)
            record = {
                "entry_id": item.get("id"),
                "business_line": item.get("business_line", document["business_line"]),
                "complexity": item.get("complexity", "simple"),
                "standard_question": item.get("q"),
                "paraphrases": item.get("p"),
                "answer": item.get("a"),
                "steps": item.get("steps"),
                "risk_tags": item.get("risk"),
                "source": item.get("source", document["source"]),
                "effective_from": item.get("effective_from", document["effective_from"]),
                "expires_on": item.get("expires_on"),
                "owner": item.get("owner", document["owner"]),
            }
            specs.append(spec_from_record(record, where=f"{path.name} 第 {position} 条"))
    return specs


@dataclass(frozen=True)
class DemoBulletin:
    """One demo bulletin as written in ``bulletins.yml``."""

    id: BulletinId
    kind: BulletinKind
    title: str
    body: str
    business_line: BusinessLine | None


def load_demo_bulletins() -> list[DemoBulletin]:
    """The Demo Bank's sample product and policy bulletins (PREP-2)."""
    document: dict[str, Any] = yaml.safe_load(
        (DEMO_DIR / "bulletins.yml").read_text(encoding="utf-8")
    )
    return [
        DemoBulletin(
            id=BulletinId(item["id"]),
            kind=BulletinKind(item["kind"]),
            title=item["title"],
            body=item["body"],
            business_line=BusinessLine(item["business_line"])
            if item.get("business_line")
            else None,
        )
        for item in document["bulletins"]
    ]
