"""Redaction of JR/T 0171-2020 C3 data from a customer's chat message (RSK-3).

C3 data (passwords, PINs, card security codes, magnetic track data) must never be
stored, so a chat message goes through `redact_c3` before it is written. The secret
itself is replaced with `[已屏蔽]`; the words around it stay so the agent still sees
what the customer was trying to do, and the customer gets the standard warning.

Decision on one-time codes: a code the customer volunteers ("验证码是 482913") is a
live credential for the next few minutes and must never be shown to the agent
(ACC-6), so it is redacted too, as kind `ONE_TIME_CODE`.

Precision over recall on ordinary messages: a secret needs a keyword next to it
(密码/PIN/CVV/安全码/卡背面三位/验证码 ...) joined only by connecting words (是, 为,
colon, spaces), and numbers followed by a unit (年, 元, 次, 位, ...) are not secrets.
Amounts, dates and card last four ("尾号1234") are left alone. Track data is
recognised by its own shape without any keyword.

Pure: standard library only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

REDACTED = "[已屏蔽]"

# RSK-3: the standard warning shown to the customer whenever something was redacted.
C3_WARNING = (
    "温馨提示：为保障您的资金安全，请勿在对话中发送密码、卡片背面安全码（CVV）、"
    "短信验证码等信息。您刚才发送的敏感内容已被自动屏蔽，未被保存，工作人员也无法看到。"
    "本行工作人员不会以任何理由向您索取上述信息。"
)


class C3Kind(StrEnum):
    """What kind of C3 secret was found."""

    PASSWORD = "password"  # noqa: S105 - a kind label: passwords and PINs
    CARD_SECURITY_CODE = "card_security_code"  # CVV2 / CVC2 / CVN2 / 安全码
    TRACK_DATA = "track_data"  # magnetic stripe track 1 / track 2
    ONE_TIME_CODE = "one_time_code"  # an SMS or token code the customer volunteered


@dataclass(frozen=True, slots=True)
class C3Finding:
    """One redacted secret: its kind and its span in the original text (never its value)."""

    kind: C3Kind
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class RedactionResult:
    """The text safe to store, what was removed, and the warning to show (None if clean)."""

    text: str
    findings: tuple[C3Finding, ...]
    warning: str | None

    @property
    def redacted(self) -> bool:
        return bool(self.findings)


_D = "[0-9０-９]"
_CN = "[零〇一二三四五六七八九幺两壹贰叁肆伍陆柒捌玖拾]"
_GAP = "[ 　\\-－.,，、]?"
# A number is not a secret when a unit follows it ("2026 年", "5000 元", "3 次").
_NOT_UNIT = (
    r"(?!\s*(?:年|月|日|号|元|块|万|千|百|次|位|天|周|个月|小时|分钟|分|秒|%|％|笔|张|岁|楼|点|"
    r"[0-9０-９A-Za-z]))"
)


def _digits(low: int, high: int) -> str:
    """`low`..`high` digits, one space/hyphen/comma allowed between digits."""
    return f"(?<![0-9０-９]){_D}(?:{_GAP}{_D}){{{low - 1},{high - 1}}}{_NOT_UNIT}"


_REPEAT = f"(?:{_D}|[一二三四五六七八九两])个(?:{_D}|[零〇一二三四五六七八九])"  # "6个8"
_CN_DIGITS = f"{_CN}{{4,12}}(?![个位])"
# Bounded lookaheads: an unbounded `[!-~]*` rescans a long ASCII run at every position.
_PW_CHAR = r"[A-Za-z0-9!@#$%^&*_.\-+=?]"
_ALNUM = (
    f"(?<![A-Za-z0-9])(?={_PW_CHAR}{{0,19}}[A-Za-z])(?={_PW_CHAR}{{0,19}}\\d)"
    f"{_PW_CHAR}{{6,20}}(?![A-Za-z0-9])"
)

_CONNECT = (
    r"(?:[\s:：=＝,，]|是|为|就是|应该是|好像是|可能是|大概是|设的是|设置的是|设成|设为|改成|改为|"
    r"都是|号码是|号|的|了|(?<![A-Za-z])(?:is|was)(?![A-Za-z])){0,12}?"
)

_PASSWORD_WORD = (
    r"(?:密码(?!器|锁|信封|键盘|函|学|箱|文件|卡)|口令|"  # noqa: S105
    r"(?<![A-Za-z])(?:pin|password|passwd|pwd|passcode)(?![A-Za-z])(?:码)?)"
)
_CVV_WORD = (
    r"(?:(?<![A-Za-z])(?:cvv2?|cvc2?|cvn2?)(?![A-Za-z])(?:码)?|安全码|"
    r"(?:卡)?背面(?:的)?(?:签名栏)?(?:的)?(?:后|最后)?(?:三|3|３)位(?:数字|数|码|号码)?|"
    r"卡背面(?:的)?(?:数字|号码|那串数)?)"
)
_OTP_WORD = r"(?:验证码|动态码|短信码|校验码|确认码|动态口令|授权码)"

_SECRET_PASSWORD = f"(?P<secret>{_digits(4, 16)}|{_REPEAT}|{_CN_DIGITS}|{_ALNUM})"

_PATTERNS: tuple[tuple[C3Kind, re.Pattern[str]], ...] = (
    (
        C3Kind.TRACK_DATA,
        # Track 2: ;PAN=YYMM + service code + discretionary data?  Track 1: %B PAN ^NAME^ YYMM ...
        re.compile(
            r"(?P<secret>;?\d{12,19}[=Dd]\d{7,}\??|%?[Bb]\d{12,19}\^[^^\n]{2,26}\^\d{7,}[^\s?]*\??)"
        ),
    ),
    (
        C3Kind.CARD_SECURITY_CODE,
        re.compile(f"{_CVV_WORD}{_CONNECT}(?P<secret>{_digits(3, 4)})", re.IGNORECASE),
    ),
    (
        C3Kind.ONE_TIME_CODE,
        re.compile(f"{_OTP_WORD}{_CONNECT}(?P<secret>{_digits(4, 8)})", re.IGNORECASE),
    ),
    (C3Kind.PASSWORD, re.compile(f"{_PASSWORD_WORD}{_CONNECT}{_SECRET_PASSWORD}", re.IGNORECASE)),
    (
        C3Kind.PASSWORD,
        # Reverse order: "123456是我的取款密码", "6个8就是密码".
        re.compile(
            f"{_SECRET_PASSWORD}\\s*(?:就是|是|为)\\s*(?:我|我的|卡的|我卡的|他的|她的)?"
            r"(?:银行卡|取款|支付|交易|登录|查询|网银|手机银行|卡)?(?:的)?"
            f"{_PASSWORD_WORD}",
            re.IGNORECASE,
        ),
    ),
)


def redact_c3(text: str) -> RedactionResult:
    """Find C3 secrets in `text` and return the text with each secret replaced by `[已屏蔽]`.

    The findings carry kind and span only, never the secret. `warning` is the standard
    customer warning (RSK-3) when anything was found, else None.
    """
    spans: list[C3Finding] = []
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            start, end = match.span("secret")
            if not any(start < f.end and f.start < end for f in spans):
                spans.append(C3Finding(kind, start, end))
    if not spans:
        return RedactionResult(text=text, findings=(), warning=None)
    spans.sort(key=lambda f: f.start)
    out: list[str] = []
    cursor = 0
    for finding in spans:
        out.append(text[cursor : finding.start])
        out.append(REDACTED)
        cursor = finding.end
    out.append(text[cursor:])
    return RedactionResult(text="".join(out), findings=tuple(spans), warning=C3_WARNING)
