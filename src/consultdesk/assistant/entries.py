"""Knowledge entries read from files: YAML (a list of mappings) or JSONL (one
mapping a line), each with `id` and `questions` (standard question first).

Contract: `read_knowledge_items(path)` returns the entries or raises
ValidationFailed naming the field at fault; it never returns an empty list.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from consultdesk.assistant.matcher import KnowledgeItem
from consultdesk.shared.errors import ValidationFailed


def _item(raw: Any, position: int) -> KnowledgeItem:
    if not isinstance(raw, dict):
        raise ValidationFailed(f"第 {position} 条知识条目格式错误，应为键值对象", field="entries")
    entry_id = raw.get("id", raw.get("entry_id"))
    questions = raw.get("questions")
    if not isinstance(entry_id, str | int) or str(entry_id).strip() == "":
        raise ValidationFailed(f"第 {position} 条知识条目缺少编号", field="id")
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        raise ValidationFailed(f"知识条目 {entry_id} 的问题列表无效", field="questions")
    if not any(q.strip() for q in questions):
        raise ValidationFailed(f"知识条目 {entry_id} 没有问题", field="questions")
    return KnowledgeItem(entry_id=str(entry_id), questions=tuple(questions))


def parse_knowledge_items(text: str, *, jsonl: bool) -> list[KnowledgeItem]:
    """Entries from YAML or JSONL text."""
    raws: list[Any]
    if jsonl:
        raws = []
        for number, line in enumerate(text.splitlines(), start=1):
            if line.strip():
                try:
                    raws.append(json.loads(line))
                except json.JSONDecodeError as error:
                    raise ValidationFailed(
                        f"第 {number} 行不是有效的 JSON", field="entries"
                    ) from error
    else:
        import yaml

        try:
            loaded = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ValidationFailed("知识库文件不是有效的 YAML", field="entries") from error
        raws = loaded if isinstance(loaded, list) else []
    if not raws:
        raise ValidationFailed("知识库文件中没有知识条目", field="entries")
    return [_item(raw, position) for position, raw in enumerate(raws, start=1)]


def read_knowledge_items(path: Path) -> list[KnowledgeItem]:
    """Entries from a `.yaml`/`.yml` or `.jsonl` file."""
    if not path.is_file():
        raise ValidationFailed(f"找不到知识库文件：{path}", field="path")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise ValidationFailed(f"无法读取知识库文件：{path}", field="path") from error
    return parse_knowledge_items(text, jsonl=path.suffix.lower() in {".jsonl", ".json"})


def demo_knowledge_items() -> list[KnowledgeItem]:
    """The demo knowledge base shipped with the package (resources/demo_kb.yaml)."""
    text = (
        resources.files("consultdesk.assistant")
        .joinpath("resources/demo_kb.yaml")
        .read_text(encoding="utf-8")
    )
    return parse_knowledge_items(text, jsonl=False)
