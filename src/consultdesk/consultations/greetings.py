"""Channel greeting templates naming the bank and the agent (ACC-3). Pure.

Sent as the first agent message when an agent accepts a consultation.
"""

from __future__ import annotations

# channel -> (zh, en); {bank} and {agent} are filled in.
TEMPLATES: dict[str, tuple[str, str]] = {
    "chat": (
        "您好，欢迎使用{bank}在线客服，我是客服{agent}，很高兴为您服务。请问有什么可以帮您？",
        "Hello, welcome to {bank} online service. I am {agent}. How can I help you?",
    ),
    "app": (
        "您好，这里是{bank}手机银行客服，我是{agent}，请问有什么可以帮您？",
        "Hello, this is {bank} mobile banking service. I am {agent}. How can I help you?",
    ),
    "phone": (
        "您好，{bank}客服中心，工号{agent}为您服务，请问有什么可以帮您？",
        "Hello, {bank} service centre, {agent} speaking. How can I help you?",
    ),
    "counter": (
        "您好，欢迎光临{bank}，我是{agent}，请问您需要办理什么业务？",
        "Hello, welcome to {bank}. I am {agent}. What can I do for you today?",
    ),
    "bot": (
        "您好，我是{bank}智能客服，人工客服{agent}稍后为您服务。",
        "Hello, I am the {bank} virtual assistant; {agent} will be with you shortly.",
    ),
}


def greeting(*, channel: str, bank: str, agent: str, lang: str = "zh") -> str:
    """The greeting for ``channel`` in ``lang`` (zh or en); unknown channels get the chat one."""
    zh, en = TEMPLATES.get(channel, TEMPLATES["chat"])
    template = en if lang == "en" else zh
    return template.format(bank=bank, agent=agent)
