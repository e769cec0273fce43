"""Property: whatever valid entry goes out in a format comes back identical."""

from __future__ import annotations

import tempfile
from datetime import date
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from consultdesk.knowledge.io import FileFormat, read_entries, write_entries
from consultdesk.knowledge.model import (
    BusinessLine,
    Complexity,
    EntryContent,
    EntryId,
    EntrySpec,
    UserId,
)

# Chinese text, ASCII and the characters spreadsheets treat specially.
ALPHABET = st.sampled_from(list("存款贷信用卡网银提额咋办？，。abcXYZ019 =+-@\"',;|%"))
LINE = st.text(ALPHABET, min_size=1, max_size=20).map(str.strip).filter(bool)
TEXT = st.lists(LINE, min_size=1, max_size=3).map("\n".join)


@st.composite
def specs(draw: st.DrawFn) -> EntrySpec:
    return EntrySpec(
        entry_id=EntryId(draw(st.from_regex(r"[A-Za-z0-9_.\-]{1,64}", fullmatch=True))),
        business_line=draw(st.sampled_from(list(BusinessLine))),
        owner=UserId(draw(LINE)),
        content=EntryContent(
            standard_question=draw(LINE),
            paraphrases=tuple(draw(st.lists(LINE, max_size=4, unique=True))),
            answer=draw(TEXT),
            steps=tuple(draw(st.lists(LINE, max_size=3))),
            complexity=draw(st.sampled_from(list(Complexity))),
            risk_tags=tuple(draw(st.lists(LINE, max_size=2))),
            source=draw(LINE),
            effective_from=draw(st.dates(date(2020, 1, 1), date(2030, 1, 1))),
            expires_on=draw(st.none() | st.just(date(2031, 1, 1))),
        ),
    )


@settings(max_examples=25, deadline=None)
@given(entries=st.lists(specs(), min_size=1, max_size=3), fmt=st.sampled_from(list(FileFormat)))
def test_any_valid_entry_survives_a_round_trip(entries: list[EntrySpec], fmt: FileFormat) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"kb.{fmt.value}"
        write_entries(path, fmt, entries)
        assert read_entries(path, fmt) == entries
