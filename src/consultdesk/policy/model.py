"""The versioned service policy (ANX-1, ANX-2).

Every number the procedure names lives here, once, with its unit and the requirement
it serves. Head office sets defaults; a branch may override any of them on top. Each
change makes a new version; decisions record ``Policy.version`` so an auditor can tell
which numbers were in force.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Literal

from consultdesk.shared.errors import ValidationFailed
from consultdesk.shared.ids import HEAD_OFFICE, BranchCode

Kind = Literal["int", "decimal", "bool"]
Value = int | Decimal | bool


@dataclass(frozen=True)
class PolicyField:
    key: str
    kind: Kind
    default: Value
    unit: str
    requirement: str
    description: str
    minimum: Decimal | None = Decimal(0)
    maximum: Decimal | None = None


def _f(
    key: str, kind: Kind, default: Value, unit: str, req: str, desc: str, **kw: Decimal
) -> PolicyField:
    return PolicyField(key, kind, default, unit, req, desc, **kw)


_D = Decimal

FIELDS: tuple[PolicyField, ...] = (
    # Access and service levels
    _f("sla.online_first_response_s", "int", 30, "s", "ACC-2", "在线首次响应时限"),
    _f("sla.phone_answer_s", "int", 15, "s", "ACC-2", "电话接听时限（约三声铃）"),
    _f("sla.simple_resolution_s", "int", 120, "s", "STD-4", "简单问题解答时限"),
    _f("sla.counter_question_s", "int", 300, "s", "STD-4", "柜台问题处理时限"),
    _f("sla.phone_average_handling_s", "int", 180, "s", "STD-4", "电话平均处理时长"),
    _f("escalation.call_duration_s", "int", 300, "s", "STD-6", "通话超时升级"),
    _f("escalation.complex_to_senior_s", "int", 60, "s", "STD-6", "复杂问题转高级坐席时限"),
    _f("escalation.complaint_to_qa_s", "int", 1800, "s", "STD-6", "投诉移交质检时限"),
    _f("escalation.wait_supervisor_s", "int", 600, "s", "STD-6", "客户等待超时通知主管"),
    _f(
        "hours.qa_opens_min",
        "int",
        540,
        "min",
        "STD-6",
        "质检上班（北京时间分钟）",
        maximum=_D(1440),
    ),
    _f(
        "hours.qa_closes_min",
        "int",
        1050,
        "min",
        "STD-6",
        "质检下班（北京时间分钟）",
        maximum=_D(1440),
    ),
    _f("escalation.repeat_complaints", "int", 2, "times", "STD-6", "重复投诉升级次数"),
    _f(
        "routing.max_concurrent_chats",
        "int",
        3,
        "chats",
        "STD-5",
        "坐席同时在线会话上限",
        minimum=_D(1),
    ),
    _f("routing.accept_timeout_s", "int", 20, "s", "STD-5", "坐席未接受则改派"),
    _f("patience.repeat_question_limit", "int", 2, "times", "STD-3", "同一问题重复次数上限"),
    # Follow-ups and quality
    _f("followup.complaint_working_days", "int", 3, "working days", "CLS-3", "投诉处理期限"),
    _f(
        "followup.next_day_feedback_working_days", "int", 1, "working days", "CLS-3", "次日反馈期限"
    ),
    _f("quality.satisfaction_min", "int", 90, "points", "QC-1", "月度满意度下限"),
    _f(
        "quality.faq_accuracy_min",
        "decimal",
        _D("0.85"),
        "ratio",
        "QC-5",
        "FAQ 准确率下限",
        maximum=_D(1),
    ),
    _f(
        "quality.top_problem_alert_share",
        "decimal",
        _D("0.20"),
        "ratio",
        "QC-3",
        "单类问题占比预警",
        maximum=_D(1),
    ),
    _f("quality.top_problems", "int", 5, "items", "QC-3", "月度高频问题数量", minimum=_D(1)),
    _f(
        "quality.qa_samples_per_agent",
        "int",
        5,
        "consultations",
        "QC-2",
        "每位坐席每月质检抽样数",
        minimum=_D(1),
    ),
    _f(
        "quality.plan_due_working_days",
        "int",
        10,
        "working days",
        "QC-3",
        "整改计划完成期限",
        minimum=_D(1),
    ),
    _f("staff.min_business_lines", "int", 5, "lines", "STD-1", "坐席至少掌握业务条线数"),
    _f("staff.monthly_training_hours", "int", 2, "h", "STD-1", "月度培训时长"),
    _f(
        "staff.exam_pass_rate",
        "decimal",
        _D("0.95"),
        "ratio",
        "STD-1",
        "年度考试通过率",
        maximum=_D(1),
    ),
    # Identity and security
    _f(
        "identity.otp_length",
        "int",
        6,
        "digits",
        "ACC-6",
        "动态验证码位数",
        minimum=_D(4),
        maximum=_D(8),
    ),
    _f("identity.otp_ttl_s", "int", 300, "s", "ACC-6", "动态验证码有效期", minimum=_D(30)),
    _f(
        "identity.otp_max_attempts", "int", 5, "tries", "ACC-6", "验证码最多尝试次数", minimum=_D(1)
    ),
    _f("identity.high_risk_check_fresh_s", "int", 300, "s", "RSK-4", "高风险操作二次核验有效期"),
    _f(
        "security.login_max_failures", "int", 5, "tries", "RSK-2", "登录失败锁定次数", minimum=_D(1)
    ),
    _f("security.login_lockout_s", "int", 900, "s", "RSK-2", "登录锁定时长"),
    _f(
        "security.sign_in_per_address",
        "int",
        20,
        "tries",
        "RSK-2",
        "同一地址登录尝试上限",
        minimum=_D(1),
    ),
    _f("security.sign_in_window_s", "int", 300, "s", "RSK-2", "登录尝试计数窗口", minimum=_D(1)),
    # Suitability
    _f("suitability.assessment_valid_days", "int", 365, "days", "SOL-5", "风险测评有效期"),
    _f("suitability.elderly_age", "int", 65, "years", "SOL-5", "老年客户特别关注年龄"),
    # AML (PBOC Order 2016 No. 3, Art. 5)
    _f("aml.cash_cny", "decimal", _D("50000"), "CNY", "RSK-5", "大额现金（人民币）"),
    _f("aml.cash_usd", "decimal", _D("10000"), "USD", "RSK-5", "大额现金（美元）"),
    _f("aml.transfer_domestic_cny", "decimal", _D("500000"), "CNY", "RSK-5", "个人境内转账"),
    _f(
        "aml.transfer_domestic_usd", "decimal", _D("100000"), "USD", "RSK-5", "个人境内转账（美元）"
    ),
    _f("aml.transfer_crossborder_cny", "decimal", _D("200000"), "CNY", "RSK-5", "个人跨境转账"),
    _f(
        "aml.transfer_crossborder_usd",
        "decimal",
        _D("10000"),
        "USD",
        "RSK-5",
        "个人跨境转账（美元）",
    ),
    _f("aml.entity_transfer_cny", "decimal", _D("2000000"), "CNY", "RSK-5", "机构转账"),
    _f("aml.entity_transfer_usd", "decimal", _D("200000"), "USD", "RSK-5", "机构转账（美元）"),
    _f("aml.structuring_floor_cny", "decimal", _D("45000"), "CNY", "RSK-5", "拆分交易下限"),
    _f("aml.structuring_days", "int", 3, "days", "RSK-5", "拆分交易连续天数", minimum=_D(2)),
    # Assistant
    _f(
        "assistant.answer_confidence",
        "decimal",
        _D("0.80"),
        "ratio",
        "QC-5",
        "机器人直接回答置信度",
        maximum=_D(1),
    ),
    _f(
        "assistant.offer_confidence",
        "decimal",
        _D("0.45"),
        "ratio",
        "QC-5",
        "机器人推荐候选置信度",
        maximum=_D(1),
    ),
    _f(
        "assistant.suggest_min_score",
        "decimal",
        _D("0.05"),
        "ratio",
        "QC-5",
        "坐席知识建议最低匹配度",
        maximum=_D(1),
    ),
    # Retention (CLS-4), in days
    _f("retention.consultation_days", "int", 1825, "days", "CLS-4", "咨询记录保存期限"),
    _f("retention.recording_days", "int", 1095, "days", "CLS-4", "录音保存期限"),
    _f("retention.aml_days", "int", 3650, "days", "RSK-5", "反洗钱记录保存期限"),
    _f("retention.audit_days", "int", 3650, "days", "RSK-2", "审计日志保存期限"),
    _f("retention.otp_days", "int", 1, "days", "ACC-6", "验证码记录保存期限"),
)

BY_KEY: Mapping[str, PolicyField] = {f.key: f for f in FIELDS}


def parse_value(key: str, raw: str | int | float | bool | Decimal) -> Value:
    """Turn a typed-in value into the field's type, or say clearly why not."""
    field = BY_KEY.get(key)
    if field is None:
        raise ValidationFailed(f"未知的策略项：{key}", field="key")
    try:
        value: Value
        if field.kind == "bool":
            if isinstance(raw, bool):
                value = raw
            elif str(raw).lower() in {"true", "1", "yes"}:
                value = True
            elif str(raw).lower() in {"false", "0", "no"}:
                value = False
            else:
                raise ValueError
            return value
        number = Decimal(str(raw).strip())
        if not number.is_finite():
            raise ValueError
        if field.kind == "int":
            if number != number.to_integral_value():
                raise ValueError
            value = int(number)
        else:
            value = number
    except (InvalidOperation, ValueError):
        raise ValidationFailed(
            f"{key} 需要{_kind_zh(field.kind)}，收到 {raw!r}", field="value"
        ) from None
    if field.minimum is not None and Decimal(value) < field.minimum:
        raise ValidationFailed(f"{key} 不得小于 {field.minimum}", field="value")
    if field.maximum is not None and Decimal(value) > field.maximum:
        raise ValidationFailed(f"{key} 不得大于 {field.maximum}", field="value")
    return value


def _kind_zh(kind: Kind) -> str:
    return {"int": "整数", "decimal": "数值", "bool": "是/否"}[kind]


@dataclass(frozen=True)
class Policy:
    """The numbers in force for one branch, and the version label decisions record."""

    values: Mapping[str, Value]
    version: str
    branch: BranchCode = HEAD_OFFICE

    def int(self, key: str) -> int:
        value = self.values[key]
        assert BY_KEY[key].kind == "int", key
        return int(value)

    def decimal(self, key: str) -> Decimal:
        value = self.values[key]
        return value if isinstance(value, Decimal) else Decimal(value)

    def overridden_by_branch(self) -> bool:
        return "/" in self.version


def effective_policy(
    *,
    head_office: Mapping[str, Value],
    head_office_version: int,
    branch: BranchCode = HEAD_OFFICE,
    branch_overrides: Mapping[str, Value] | None = None,
    branch_version: int = 0,
) -> Policy:
    """Defaults, then head-office settings, then the branch's local rules (ANX-1)."""
    values: dict[str, Value] = {f.key: f.default for f in FIELDS}
    values.update(head_office)
    version = f"HO-{head_office_version}"
    if branch != HEAD_OFFICE and branch_version > 0:
        values.update(branch_overrides or {})
        version += f"/{branch}-{branch_version}"
    return Policy(values=values, version=version, branch=branch)


def encode(values: Mapping[str, Value]) -> dict[str, str | int | bool]:
    """JSON-safe form; decimals as strings so nothing turns into a float."""
    return {k: (str(v) if isinstance(v, Decimal) else v) for k, v in values.items()}


def decode(raw: Mapping[str, str | int | bool]) -> dict[str, Value]:
    return {k: parse_value(k, v) for k, v in raw.items() if k in BY_KEY}
