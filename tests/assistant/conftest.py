"""Shared fixtures: one real encoder and one demo-KB matcher per test session."""

from __future__ import annotations

import pytest

from consultdesk.assistant.encoder import SentenceEncoder, default_encoder
from consultdesk.assistant.entries import demo_knowledge_items
from consultdesk.assistant.matcher import Matcher


@pytest.fixture(scope="session")
def encoder() -> SentenceEncoder:
    return default_encoder()


@pytest.fixture(scope="session")
def demo_matcher(encoder: SentenceEncoder) -> Matcher:
    return Matcher.build(demo_knowledge_items(), encoder=encoder)
