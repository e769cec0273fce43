"""Compliance drills (RSK-8)."""

from __future__ import annotations

import pytest

from consultdesk.compliance.drills import parse_drill_script, shipped_drill_scripts, start_drill
from consultdesk.shared.errors import IllegalTransition, NotFound, ValidationFailed


# REQ: RSK-8
def test_three_scenarios_are_shipped() -> None:
    assert set(shipped_drill_scripts()) == {"complaint-fee", "guarantee-investor", "fraudster-code"}


# REQ: RSK-8
def test_good_answers_pass_the_guarantee_drill() -> None:
    run = start_drill(script_id="guarantee-investor")
    run.answer("您好，本产品不保本，理财非存款、产品有风险、投资须谨慎。")
    run.answer("抱歉，我们不能承诺收益，业绩比较基准不代表实际收益，本产品不保本，产品有风险。")
    run.answer("理解您，可以考虑大额存单或国债；理财非存款，产品有风险。")
    result = run.outcome()
    assert result.passed and result.score == 100


# REQ: RSK-8
def test_promising_a_guarantee_fails_the_drill() -> None:
    run = start_drill(script_id="guarantee-investor")
    for _ in range(3):
        run.answer("放心，这款保本，稳赚不赔。")
    result = run.outcome()
    assert not result.passed
    assert ("不得出现 forbidden_claim", False) in result.steps[0].checks


# REQ: RSK-8
def test_asking_the_fraudster_for_the_code_fails() -> None:
    run = start_drill(script_id="fraudster-code")
    step = run.answer("好的，请把验证码念给我听。")
    assert ("不得出现 credential_request", False) in step.checks


# REQ: RSK-8
def test_complaint_drill_expects_apology_and_deadline() -> None:
    run = start_drill(script_id="complaint-fee")
    assert run.customer_line is not None and "投诉" not in run.customer_line
    run.answer("非常抱歉给您带来困扰，请先核实一下您的身份，确认是本人后我帮您查询。")
    run.answer("理解您的心情，您的投诉我已登记，会在3个工作日内联系您。")
    run.answer("我们会在3个工作日内答复您，请问还有其他问题吗？")
    assert run.outcome().score == 100


def test_answering_after_the_end_is_refused() -> None:
    run = start_drill(script_id="fraudster-code")
    while run.customer_line is not None:
        run.answer("不能。")
    with pytest.raises(IllegalTransition):
        run.answer("再说一句")


def test_outcome_before_the_end_is_refused() -> None:
    with pytest.raises(IllegalTransition):
        start_drill(script_id="fraudster-code").outcome()


def test_unknown_script_is_not_found() -> None:
    with pytest.raises(NotFound):
        start_drill(script_id="nope")


def test_script_with_unknown_code_is_refused() -> None:
    document = {"steps": [{"customer": "hi", "expect": {"must_not": ["made_up"]}}]}
    with pytest.raises(ValidationFailed):
        parse_drill_script(document)
