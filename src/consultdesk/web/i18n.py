"""Console text: Simplified Chinese by default, English on request (cookie ``cd_lang``)."""

from __future__ import annotations

from typing import Literal

Lang = Literal["zh", "en"]

TEXT: dict[str, tuple[str, str]] = {
    # key: (zh, en)
    "app.name": ("咨询服务台", "Consultation Desk"),
    "nav.home": ("工作台", "Home"),
    "nav.queue": ("咨询队列", "Queue"),
    "nav.supervisor": ("现场监控", "Live monitor"),
    "nav.qa": ("质检", "Quality"),
    "nav.compliance": ("合规", "Compliance"),
    "nav.aml": ("反洗钱", "AML"),
    "nav.knowledge": ("知识库", "Knowledge"),
    "nav.reports": ("服务报表", "Reports"),
    "nav.audit": ("审计日志", "Audit log"),
    "nav.users": ("用户管理", "Users"),
    "nav.policy": ("服务策略", "Policy"),
    "nav.logout": ("退出登录", "Sign out"),
    "login.title": ("登录", "Sign in"),
    "login.username": ("用户名", "Username"),
    "login.password": ("密码", "Password"),
    "login.submit": ("登录", "Sign in"),
    "login.failed": ("用户名或密码错误", "Wrong username or password"),
    "home.welcome": ("您好，{name}", "Hello, {name}"),
    "home.role": ("角色：{role}　机构：{branch}", "Role: {role}   Branch: {branch}"),
    "home.policy": ("当前服务策略版本：{version}", "Policy version in force: {version}"),
    "page.empty": ("暂无内容。", "Nothing here yet."),
    "users.create": ("新建用户", "New user"),
    "users.username": ("用户名", "Username"),
    "users.display_name": ("姓名", "Name"),
    "users.role": ("角色", "Role"),
    "users.branch": ("机构", "Branch"),
    "users.password": ("初始密码", "Initial password"),
    "users.active": ("状态", "Status"),
    "users.enabled": ("启用", "Active"),
    "users.disabled": ("停用", "Disabled"),
    "users.disable": ("停用", "Disable"),
    "users.created": ("用户已创建", "User created"),
    "policy.key": ("策略项", "Setting"),
    "policy.value": ("取值", "Value"),
    "policy.unit": ("单位", "Unit"),
    "policy.requirement": ("依据", "Requirement"),
    "policy.description": ("说明", "Description"),
    "policy.history": ("修改记录", "Change history"),
    "policy.set": ("修改", "Change"),
    "policy.reason": ("修改原因", "Reason"),
    "policy.scope": ("适用范围", "Scope"),
    "aml.empty": ("暂无待处理的反洗钱预警。", "No open AML alerts."),
    "aml.day": ("交易日", "Day"),
    "aml.customer": ("客户", "Customer"),
    "aml.rule": ("规则", "Rule"),
    "aml.total": ("金额合计", "Total"),
    "aml.transactions": ("交易", "Transactions"),
    "aml.decide": ("处理", "Decision"),
    "aml.reason": ("排除理由 / 报送说明", "Reason or note"),
    "aml.dismiss": ("排除", "Dismiss"),
    "aml.report": ("报送", "Report"),
    "aml.rule.large_cash": ("大额现金", "Large cash"),
    "aml.rule.large_transfer_domestic": ("大额境内转账", "Large domestic transfer"),
    "aml.rule.large_transfer_crossborder": ("大额跨境转账", "Large cross-border transfer"),
    "aml.rule.large_entity_transfer": ("机构大额转账", "Large entity transfer"),
    "aml.rule.structuring": ("疑似拆分交易", "Suspected structuring"),
    "common.save": ("保存", "Save"),
    "common.language": ("English", "中文"),
    "role.agent": ("坐席", "Agent"),
    "role.senior_agent": ("高级坐席", "Senior agent"),
    "role.supervisor": ("主管", "Supervisor"),
    "role.qa": ("质检", "Quality assurance"),
    "role.compliance_officer": ("合规专员", "Compliance officer"),
    "role.admin": ("系统管理员", "Administrator"),
    "nav.sms_inbox": ("短信沙箱", "SMS sandbox"),
    "sms_inbox.title": ("短信沙箱收件箱", "SMS sandbox inbox"),
    "sms_inbox.note": (
        "未配置短信网关时，发给客户的短信投递到这里（号码已脱敏）。",
        "Without an SMS gateway configured, texts to customers land here (numbers masked).",
    ),
    "sms_inbox.to": ("收件号码", "To"),
    "sms_inbox.text": ("短信内容", "Text"),
    "sms_inbox.at": ("接收时间", "Accepted at"),
    "sms_inbox.dispatch": ("立即投递待发通知", "Dispatch pending notifications now"),
    "sms_inbox.outbox": ("通知发件箱", "Notification outbox"),
    "sms_inbox.dead": ("发送失败的通知", "Dead notifications"),
    "sms_inbox.requeue": ("重新发送", "Send again"),
    "sms_inbox.http": (
        "已配置外部短信网关，沙箱收件箱不可用。",
        "An external SMS gateway is configured; there is no sandbox inbox.",
    ),
    "survey.title": ("服务满意度调查", "Service satisfaction survey"),
    "survey.intro": (
        "感谢您的咨询，请为本次服务评分（1 分最低，5 分最高）。",
        "Thank you for contacting us. Please rate this service (1 lowest, 5 highest).",
    ),
    "survey.resolution": ("问题是否得到解决", "Was your problem resolved?"),
    "survey.attitude": ("服务态度", "Attitude of our staff"),
    "survey.efficiency": ("办理效率", "Efficiency"),
    "survey.rating": ("总体评价", "Overall"),
    "survey.comment": ("意见或建议（选填）", "Comments (optional)"),
    "survey.submit": ("提交评价", "Submit"),
    "survey.thanks": ("感谢您的评价，我们会持续改进服务。", "Thank you for your feedback."),
    "survey.unavailable": ("无法打开调查", "Survey unavailable"),
}


def translate(key: str, lang: Lang, **params: object) -> str:
    zh, en = TEXT.get(key, (key, key))
    text = en if lang == "en" else zh
    return text.format(**params) if params else text


def pick_lang(cookie: str | None, default: Lang = "zh") -> Lang:
    return "en" if cookie == "en" else ("zh" if cookie == "zh" else default)
