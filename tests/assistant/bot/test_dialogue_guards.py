"""The dialogue guard routes a labelled set of utterances (no matcher involved)."""

from __future__ import annotations

import pytest

from consultdesk.assistant.dialogue import Route, guard
from tests.assistant.bot import utterances as u

CASES = [
    *[(t, Route.CLARIFY) for t in u.CLARIFY],
    *[(t, Route.REFUSE_CREDENTIALS) for t in u.CREDENTIALS],
    *[(t, Route.REFUSE_AUTHORITY) for t in u.AUTHORITY],
    *[(t, Route.SECOND_CHECK) for t in u.SECOND_CHECK],
    *[(t, Route.VERIFY_FIRST) for t in u.SENSITIVE],
    *[(t, Route.GREET) for t in u.GREET],
    *[(t, Route.THANK) for t in u.THANK],
    *[(t, Route.FAREWELL) for t in u.FAREWELL],
    *[(t, Route.HUMAN) for t in u.HUMAN],
    *[(t, Route.FAQ) for t in u.FAQ],
]


def test_the_labelled_set_has_at_least_150_utterances() -> None:
    assert len(CASES) >= 150


@pytest.mark.parametrize(("text", "route"), CASES)
def test_guard_routes_the_labelled_utterance(text: str, route: Route) -> None:
    # REQ: ACC-6, ACC-7, RSK-3, RSK-4
    assert guard(text).route is route


@pytest.mark.parametrize("text", u.SENSITIVE)
def test_a_verified_customer_gets_figures_instead_of_an_identity_check(text: str) -> None:
    # REQ: ACC-6 — once verified, the bot fetches the figures (SOL-2).
    assert guard(text, verified=True).route is Route.FIGURES
