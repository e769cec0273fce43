"""The shipped script library (``data/scripts.yaml``), read once."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

import yaml

from consultdesk.workspace.model import Script


@lru_cache(maxsize=1)
def shipped_scripts() -> tuple[Script, ...]:
    text = resources.files("consultdesk.workspace").joinpath("data/scripts.yaml").read_text("utf-8")
    return tuple(
        Script(
            code=item["code"],
            kind=item["kind"],
            business_line=item.get("business_line"),
            title=item["title"],
            title_en=item["title_en"],
            text=item["text"],
            text_en=item["text_en"],
        )
        for item in yaml.safe_load(text)
    )
