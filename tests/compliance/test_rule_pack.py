"""Every rule of the shipped pack proves its own examples; broken packs are refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from consultdesk.compliance.model import VIOLATION_CODES
from consultdesk.compliance.rulepack import default_rule_pack, load_rule_pack, parse_rule_pack
from consultdesk.shared.errors import ValidationFailed

PACK = default_rule_pack()
EXAMPLES = [
    pytest.param(rule, example, id=f"{rule.id}-{i}")
    for rule in PACK.rules
    for i, example in enumerate(rule.examples)
]


# REQ: QC-6
@pytest.mark.parametrize(("rule", "example"), EXAMPLES)
def test_rule_example_behaves_as_documented(rule, example) -> None:
    result = PACK.check(example.text, example.context)
    fired = any(v.rule == rule.id for v in result.violations)
    assert fired is example.expect, [(v.rule, v.span) for v in result.violations]


# REQ: QC-6
def test_every_rule_documents_reference_and_both_kinds_of_example() -> None:
    for rule in PACK.rules:
        assert rule.reference and rule.description
        assert any(e.expect for e in rule.examples), rule.id
        assert any(not e.expect for e in rule.examples), rule.id


# REQ: QC-6
def test_every_violation_code_has_a_rule() -> None:
    assert {rule.code for rule in PACK.rules} == set(VIOLATION_CODES)


# REQ: ANX-2
def test_pack_carries_its_version_into_each_result() -> None:
    result = PACK.check("您好", PACK.rules[0].examples[0].context)
    assert result.pack_version == PACK.version != "0"


def test_unknown_violation_code_is_refused_naming_the_rule() -> None:
    document = {
        "rules": [
            {
                "id": "X-1",
                "code": "made_up",
                "description": "d",
                "reference": "r",
                "action": "block",
                "detector": "claim",
                "message": "m",
                "params": {"patterns": ["x"]},
            }
        ]
    }
    with pytest.raises(ValidationFailed) as caught:
        parse_rule_pack(document)
    assert caught.value.field == "rules[X-1].code"


def test_broken_pattern_is_refused_with_a_clear_error() -> None:
    document = {
        "rules": [
            {
                "id": "X-1",
                "code": "forbidden_claim",
                "description": "d",
                "reference": "r",
                "action": "block",
                "detector": "claim",
                "message": "m",
                "params": {"patterns": ["(unclosed"]},
            }
        ]
    }
    with pytest.raises(ValidationFailed) as caught:
        parse_rule_pack(document)
    assert caught.value.field == "rules[X-1].params"


def test_pack_that_is_not_yaml_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("rules: [unclosed", encoding="utf-8")
    with pytest.raises(ValidationFailed):
        load_rule_pack(path)
