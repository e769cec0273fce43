from __future__ import annotations

import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from consultdesk.security.redaction import C3_WARNING, REDACTED, C3Kind, redact_c3

P = C3Kind.PASSWORD
CVV = C3Kind.CARD_SECURITY_CODE
OTP = C3Kind.ONE_TIME_CODE
TRACK = C3Kind.TRACK_DATA

# (message, kind, the secret that must disappear)
POSITIVE = [
    ("密码是123456", P, "123456"),
    ("我的密码 8 8 8 8 8 8", P, "8 8 8 8 8 8"),
    ("取款密码：246810，帮我看下余额", P, "246810"),
    ("我的支付密码为 135790", P, "135790"),
    ("交易密码应该是 112233 吧", P, "112233"),
    ("查询密码好像是 5566", P, "5566"),
    ("登录密码Abc12345", P, "Abc12345"),
    ("网银密码是 qwer1234!", P, "qwer1234!"),
    ("密码是６５４３２１", P, "６５４３２１"),
    ("密码是一二三四五六", P, "一二三四五六"),
    ("密码是六个八", P, "六个八"),
    ("密码是6个8", P, "6个8"),
    ("123456是我的取款密码", P, "123456"),
    ("778899就是密码", P, "778899"),
    ("PIN: 4321", P, "4321"),
    ("pin码 9876", P, "9876"),
    ("my password is Secret99", P, "Secret99"),
    ("口令 20200101", P, "20200101"),
    ("帮我朋友查一下，他的密码是 321321", P, "321321"),
    ("密码改成了 246-810", P, "246-810"),
    ("卡背面三位数 123", CVV, "123"),
    ("安全码是 456", CVV, "456"),
    ("CVV：789", CVV, "789"),
    ("cvv2 012", CVV, "012"),
    ("卡背面后三位是 321，可以帮我激活吗", CVV, "321"),
    ("背面的3位数字：654", CVV, "654"),
    ("验证码：482913", OTP, "482913"),
    ("刚收到的验证码是 9 1 2 3 4 5", OTP, "9 1 2 3 4 5"),
    ("动态码 556677", OTP, "556677"),
    ("短信码：８８６６", OTP, "８８６６"),
    (";6222021234567890=25121011234567890?", TRACK, "6222021234567890=25121011234567890"),
    ("%B6222021234567890^ZHANG/SAN^2512101000000000?", TRACK, "ZHANG/SAN"),
]

ORDINARY = [
    "我忘记密码了怎么办",
    "密码输错3次被锁了",
    "取款密码是6位数字吗",
    "密码是 2026 年设置的",
    "我想修改密码，卡号尾号1234",
    "转账密码是不是和取款密码一样",
    "密码器序列号 12345678",
    "安全码在卡片哪里看",
    "验证码60秒后重发",
    "验证码一直收不到",
    "我的卡尾号是1234",
    "尾号5678的卡昨天消费了 3200 元",
    "帮我查下 2026-03-01 的交易",
    "转账 50000 元到他行要多久",
    "定期存款 3 年期利率多少",
    "手机号码是13800138000",
    "我的工单号是 20260301001",
    "网点地址是建设路 123 号",
    "理财产品 R2 风险等级",
    "信用卡额度 20000 能提到 50000 吗",
    "请问营业时间是 9 点到 17 点吗",
    "房贷还款日是每月 15 日",
    "我昨天在 ATM 取了 2000 块",
    "卡背面有个签名栏要签名吗",
    "CVV 是什么意思",
    "PIN 码忘了怎么重置",
    "手机银行登录不了，提示密码错误",
    "客服电话 95588 打不通",
    "我要挂失，卡号 6222 0212 3456 7890",
    "上个月扣了 12 元年费",
    "密码重置需要带身份证吗",
    "验证码是几位数",
    "外汇牌价 7.1234 今天多少",
    "我 1990 年开的户",
]


# REQ: RSK-3
@pytest.mark.parametrize(("message", "kind", "secret"), POSITIVE)
def test_c3_secret_is_redacted(message: str, kind: C3Kind, secret: str) -> None:
    result = redact_c3(message)
    assert secret not in result.text
    assert REDACTED in result.text
    assert kind in {f.kind for f in result.findings}


# REQ: RSK-3
@pytest.mark.parametrize("message", ORDINARY)
def test_ordinary_message_is_left_alone(message: str) -> None:
    result = redact_c3(message)
    assert result.text == message
    assert result.findings == ()
    assert result.warning is None


def test_there_are_enough_cases() -> None:
    assert len(POSITIVE) >= 30
    assert len(ORDINARY) >= 30


# REQ: RSK-3
def test_customer_is_warned_when_something_was_redacted() -> None:
    result = redact_c3("密码是123456")
    assert result.warning == C3_WARNING
    assert "请勿" in C3_WARNING


def test_words_around_the_secret_are_kept() -> None:
    assert redact_c3("取款密码：246810，帮我看下余额").text == "取款密码：[已屏蔽]，帮我看下余额"


def test_finding_spans_point_at_the_secret_in_the_original() -> None:
    message = "验证码：482913"
    (finding,) = redact_c3(message).findings
    assert message[finding.start : finding.end] == "482913"


def test_two_secrets_in_one_message_are_both_redacted() -> None:
    result = redact_c3("密码是123456，安全码是 789")
    assert result.text == "密码是[已屏蔽]，安全码是 [已屏蔽]"
    assert [f.kind for f in result.findings] == [P, CVV]


def test_findings_never_carry_the_secret() -> None:
    (finding,) = redact_c3("密码是123456").findings
    assert "123456" not in repr(finding)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        alphabet=st.sampled_from(list("密码是验证码安全码 0123456789６个八abcX=;?^%B")), max_size=60
    )
)
def test_redaction_never_fails_and_reports_consistent_spans(text: str) -> None:
    result = redact_c3(text)
    assert (result.warning is None) == (result.findings == ())
    for finding in result.findings:
        assert 0 <= finding.start < finding.end <= len(text)


@pytest.mark.parametrize("message", ["密码是" + "a1" * 20000, ";" + "1" * 40000, "密码 " * 10000])
def test_long_hostile_message_is_redacted_in_linear_time(message: str) -> None:
    # An unbounded lookahead once made these quadratic (tens of seconds at this size).
    started = time.perf_counter()
    redact_c3(message)
    assert time.perf_counter() - started < 2.0
