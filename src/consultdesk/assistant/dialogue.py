"""The bot's dialogue: what to say to one customer message (pure, standard library only).

Guards run before any matching, in this order (the first that fires decides):
1. bad input: empty, nothing but emoji/punctuation/markup → clarify; very long → safe
   handover (a person reads it);
2. social engineering and credentials (RSK-3): "告诉我朋友我的密码", "验证码发给你",
   "帮我改密码" → refusal and a warning, never a request for the secret;
3. outside the caller's authority (ACC-7): someone else's card or account → refusal
   naming the right channel;
4. high-risk operations (RSK-4): "帮我转账", "我要销户", "换绑手机", "帮我挂失" → a second
   identity check is needed: hand over to an agent;
5. sensitive information (ACC-6): the customer's own balance or transactions → identity
   check first (hand over), or, once the consultation is verified, figures from the core
   bank (the caller fetches them; `figures_reply` words them, SOL-2);
6. a request for a person → hand over; greeting, thanks, goodbye → a short reply;
7. the matcher: answer (answer + steps, SOL-1), offer the top three, clarify, or hand
   over with its best guesses. A complex entry is never answered by the bot (ACP-4): it is
   handed over, with the option to book. Low-confidence and unanswered questions are
   flagged for the review queue (QC-5).

`respond` never raises on any string. Replies are Simplified Chinese, English when the
visitor chose English or writes in English.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import StrEnum
from typing import Literal, Protocol

Lang = Literal["zh", "en"]
Figure = Literal["balance", "transactions", "limit"]

# A question longer than this is not a FAQ question: a person reads it (safe handover).
MAX_QUESTION_CHARS = 600
BEIJING = timezone(timedelta(hours=8))


class Route(StrEnum):
    """What the bot does with one customer message."""

    GREET = "greet"
    THANK = "thank"
    FAREWELL = "farewell"
    CLARIFY = "clarify"
    REFUSE_CREDENTIALS = "refuse_credentials"  # RSK-3
    REFUSE_AUTHORITY = "refuse_authority"  # ACC-7
    SECOND_CHECK = "second_check"  # RSK-4
    VERIFY_FIRST = "verify_first"  # ACC-6
    FIGURES = "figures"  # ACC-6 after verification, SOL-2
    HUMAN = "human"
    FAQ = "faq"  # goes to the matcher


class Action(StrEnum):
    """The bot's reply as the desk handles it."""

    ANSWER = "answer"
    OFFER = "offer"
    CLARIFY = "clarify"
    HANDOVER = "handover"
    REFUSE = "refuse"
    SMALL_TALK = "small_talk"
    FIGURES = "figures"


# ---- guards ----------------------------------------------------------------------

_TAGS = re.compile(r"<(script|style)\b[^>]*>.*?(</\1\s*>|$)|<[^<>]{0,300}>", re.I | re.S)
_SPACES = re.compile(r"\s+")

_CREDENTIAL = (
    r"(?:密码|口令|pin码?|cvv2?|cvn2?|安全码|验证码|动态码|校验码|短信码|卡背面?的?(?:三|3)位)"
)
_PEOPLE = (
    r"(?:朋友|家人|老公|老婆|妻子|丈夫|儿子|女儿|爸爸?|妈妈?|父亲|母亲|同事|亲戚|哥哥|姐姐|弟弟|妹妹|"
    r"男朋友|女朋友|对象|他|她|别人|对方|客服|你|你们)"
)
_SOCIAL = [
    # handing a secret to someone, or asking the bank to pass it on
    re.compile(
        r"(?:告诉|转告|发给|给|透露|念给|说给|报给|转达|传给)(?:一下)?(?:我的?)?"
        + _PEOPLE
        + r".{0,8}?"
        + _CREDENTIAL
    ),
    re.compile(
        _CREDENTIAL
        + r".{0,10}?(?:告诉|发给|给|转告|转达|透露|报给|念给|转发给)(?:一下)?(?:我的?)?"
        + _PEOPLE
    ),
    re.compile(_CREDENTIAL + r".{0,6}?(?:是多少|是什么|发你|发过去|发给你|给你|告诉你|怎么给你)"),
    # someone (a caller "from the bank") asked the customer for a code
    re.compile(
        r"(?:让|要|叫|要求)(?:我|我们)(?:提供|告诉|发|报|念|说|给)(?:一下)?.{0,6}?" + _CREDENTIAL
    ),
    re.compile(
        r"(?:需要|要不要|是否需要|用不用)我?(?:提供|告诉|报|说|发|给)(?:你|你们)?.{0,6}?"
        + _CREDENTIAL
    ),
    # asking the bank to send or tell the customer's own secret
    re.compile(
        r"(?:你|你们)(?:把|将)?(?:我的?)?.{0,4}?"
        + _CREDENTIAL
        + r".{0,4}(?:发|告诉|给|念)(?:给)?我"
    ),
    re.compile(_CREDENTIAL + r".{0,10}(?:你|你们)(?:直接)?(?:告诉|发|给|念)(?:给)?我"),
    re.compile(
        r"(?:帮|替|代)(?:我|我们)?(?:改|修改|重置|设置|找回|查|查询|看)(?:一下)?(?:我的?)?"
        r"(?:[\u4e00-\u9fff]{0,6})?(?:密码|口令|pin)"
    ),
    re.compile(
        r"(?:帮|替|代)(?:我|我们)?(?:把|将).{0,8}(?:密码|口令|pin).{0,4}(?:改|修改|重置|设置)"
    ),
    re.compile(r"(?:我的?)?(?:密码|验证码)(?:忘了|忘记了?)?.{0,4}(?:你|你们|客服)(?:帮|替)我"),
    re.compile(
        r"(?:自称|冒充|说是)(?:银行|客服|公安|警察|法院).{0,16}(?:密码|验证码|转账|安全账户)"
    ),
    re.compile(r"(?:安全账户|屏幕共享|共享屏幕|远程控制)"),
    re.compile(r"(?:tell|give|send)\b.{0,30}\b(?:password|pin|otp|verification code|cvv)", re.I),
    re.compile(
        r"(?:password|pin|otp|cvv)\b.{0,30}\b(?:to (?:my )?(?:friend|wife|husband|you))", re.I
    ),
]
_OTHERS = (
    r"(?:我?(?:朋友|老公|老婆|妻子|丈夫|儿子|女儿|爸爸|妈妈|我爸|我妈|父亲|母亲|同事|亲戚|家人|哥哥|姐姐|弟弟|妹妹|"
    r"男朋友|女朋友|邻居|老板|客户|别人|他人|其他人|对方|他|她))"
)
_AUTHORITY = [
    # acting on someone else's behalf ("帮我朋友查", "替我爸销户")
    re.compile(
        r"(?:帮|替|代)(?:我)?"
        + _OTHERS
        + r".{0,8}?(?:查|查询|看|改|修改|办|办理|注销|销户|挂失|解冻|转账|"
        r"开|关闭|换绑|重置|冻结|取)"
    ),
    # "给我朋友查一下" (but "给我老婆转钱" is a transfer to her, not on her behalf)
    re.compile(
        r"给(?:我)?"
        + _OTHERS
        + r".{0,6}?(?:查|查询|看看|看一下|改|修改|注销|销户|挂失|解冻|开通|换绑|重置)"
    ),
    re.compile(
        _OTHERS + r"的(?:卡|银行卡|账户|帐户|账号|信用卡|余额|流水|交易|存款|手机号|密码|额度|账单)"
        r".{0,10}?(?:查|看|改|修改|办|注销|销户|挂失|解冻|转|多少|明细|记录|能不能|可以|帮|冻结|绑定)"
    ),
    re.compile(
        r"(?:查|查询|看看|看一下|改|修改|注销|挂失|解冻|冻结)(?:一下)?" + _OTHERS + r"(?:的)?"
        r"(?:卡|银行卡|账户|帐户|账号|信用卡|余额|流水|交易|存款|手机号|额度|账单)"
    ),
    re.compile(r"(?:别人|他人|其他人)的(?:账户|帐户|卡|银行卡|账号)"),
    re.compile(
        r"(?:someone else'?s|my (?:friend|wife|husband|mother|father)'?s) (?:account|card|balance)",
        re.I,
    ),
]
_HOWTO = re.compile(
    r"怎么|怎样|如何|流程|步骤|需要(?:带|什么|哪些)|要带|要什么|什么材料|哪些材料|能不能|可不可以|可以吗|能吗|"
    r"是什么|什么意思|多久|多长时间|收费|手续费|费用|限额|上限|额度是|规定|条件|在哪|哪里|去哪|为什么|为啥|"
    r"有什么|会不会|吗[?？]?$|么[?？]?$|\bhow\b|\bwhat\b|\bwhy\b|\bcan i\b|\bfee"
)
_URGE = re.compile(
    r"帮我|给我|替我|马上|立刻|立即|现在就?|赶紧|快点?|请你|你们?(?:帮|给)我|\bplease\b", re.I
)
_HIGH_RISK = re.compile(
    r"(?:转账|转钱|汇款|打款|转\d+|转[一二两三四五六七八九十百千万]+|转给|转到|汇给|汇到|把钱(?:转|汇)|打钱|"
    r"销户|注销(?:账户|帐户|银行卡|卡|我的卡|这张卡)?|把(?:卡|账户)(?:注)?销|"
    r"换绑|改绑|更换(?:绑定|预留)?手机|改(?:预留)?手机号|变更(?:预留)?手机|换.{0,4}(?:绑定|预留)的?手机|"
    r"挂失|冻结(?:我的)?(?:卡|账户)|冻结(?:一下|掉)?$|"
    r"\btransfer\b|\bclose my account\b|\bchange (?:my )?phone\b)",
    re.I,
)
_WANT = re.compile(r"我要|我想|我需要|我得|要求|申请|\bi want\b|\bi need\b|\bi'd like\b", re.I)
_SENSITIVE = re.compile(
    r"余额|还有多少钱|还剩多少钱?|剩多少钱|剩下多少钱|有多少钱|多少钱了|流水|交易明细|交易记录|消费记录|"
    r"花了多少|欠(?:了)?多少|还欠|进来了?没|(?:到|进)了没有?|"
    r"(?:卡|账户|账)(?:里|里面|上)(?:还)?有(?:多少|钱)|账单.{0,4}多少|钱.{0,4}(?:不对|少了|没了)|"
    r"(?:那|这)笔(?:钱|款|交易|转账)|"
    r"收支明细|账户明细|明细|入账了?吗|到账了?(?:吗|没)|到了没|进账|"
    r"查(?:一下|下)?(?:我的?)?账|对账|最近.{0,4}(?:消费|支出|交易|转账|入账)|"
    r"(?:少了|多了|扣了|被扣|扣款)(?:\d|[一二两三四五六七八九十百千万几]).{0,4}(?:块|元)?|"
    r"(?:\d+|[一二两三四五六七八九十百千万几]+)(?:块|元)(?:钱)?(?:去哪|没了|不见|少了|被扣)|"
    r"\bbalance\b|\btransactions?\b|\bstatement\b",
    re.I,
)
_OWN_LIMIT = re.compile(
    r"(?:我|我的卡|我卡|我账户)(?:今天|今日|当天)?(?:还能|还可以)转(?:账)?多少|"
    r"我的?(?:卡|账户)?(?:今天|今日)?(?:转账)?(?:限额|额度)(?:还剩|还有|剩)(?:多少)?"
)
_OWN = re.compile(r"我的?|我卡|我账|我这|帮我|给我|\bmy\b|\bi\b", re.I)
# Names of products and general topics that contain a sensitive word.
_SENSITIVE_EXEMPT = re.compile(
    r"余额宝|余额理财|余利宝|零钱通|余额不足|余额变动提醒|余额提醒|动账提醒|流水号|"
    r"交易明细(?:怎么|如何|在哪)|(?:打印|开具|导出|下载)(?:银行)?(?:流水|明细|对账单)|"
    r"(?:流水|明细|对账单)(?:怎么|如何|在哪)(?:打印|开|导出|下载)"
)
_GENERAL_CUES = re.compile(
    r"怎么查|如何查|怎样查|在哪查|哪里查|查询方式|能查吗|可以查吗|收费|手续费|为什么|为啥|"
    r"是什么|什么意思|不一致|不一样|区别|多久|短信|提醒|打印|开具|证明|\bhow\b|\bwhere\b|\bwhy\b",
    re.I,
)
_TRANSACTION_WORDS = re.compile(
    r"流水|明细|记录|入账|到账|进账|扣|消费|支出|交易|少了|多了|transaction|statement", re.I
)

_GREETING = re.compile(
    r"^(?:你好|您好|hi|hello|hey|哈喽|嗨|在吗|在不在|有人吗|早上好|上午好|中午好|下午好|晚上好|早|"
    r"good (?:morning|afternoon|evening))[啊呀呢吗哦~\s]*$",
    re.I,
)
_GREETING_PREFIX = re.compile(
    r"^(?:你好|您好|hi|hello|hey|哈喽|嗨|在吗|早上好|下午好|晚上好)[啊呀呢，,!！。\s]+", re.I
)
_THANKS = re.compile(
    r"^(?:好的?|嗯|ok|okay|行|明白了?|知道了|了解了?|收到)?[，,\s]*"
    r"(?:谢谢|多谢|感谢|谢了|thanks?(?: you)?|thx)"
    r"[你您啊了哈呀\s!！。]*$|^(?:好的?|嗯嗯?|ok|okay|行|明白了?|知道了|了解了?|收到)[了的啊哈呀\s!！。]*$",
    re.I,
)
_FAREWELL = re.compile(
    r"^(?:再见|拜拜|bye|goodbye|886|没有了|没事了|没问题了)[了啊哈\s!！。]*$", re.I
)
_HUMAN = re.compile(
    r"转人工|人工客服|人工服务|找人工|真人|客服人员|接人工|转接人工|要人工|人工$|^人工|"
    r"\b(?:human|real person|live agent|agent please)\b",
    re.I,
)
_ASK_ENGLISH = re.compile(r"english please|in english|speak english|说英文|用英文|英语回复", re.I)


@dataclass(frozen=True)
class Guarded:
    """The guard's verdict on one message: the route, the cleaned text, the reason."""

    route: Route
    text: str
    reason: str = ""
    figure: Figure | None = None


def clean_text(text: object) -> str:
    """Markup removed, entities decoded, spaces collapsed, full-width folded (NFKC)."""
    raw = text if isinstance(text, str) else ""
    raw = raw[: MAX_QUESTION_CHARS * 20]
    stripped = _TAGS.sub(" ", raw)
    folded = unicodedata.normalize("NFKC", html.unescape(stripped))
    return _SPACES.sub(" ", folded).strip()


def _has_content(text: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in text)


def _lower(text: str) -> str:
    return text.lower()


def guard(text: object, *, verified: bool = False) -> Guarded:
    """Route one customer message before matching (see module docstring). Total."""
    cleaned = clean_text(text)
    if not _has_content(cleaned):
        return Guarded(Route.CLARIFY, cleaned, "无有效内容")
    if len(cleaned) > MAX_QUESTION_CHARS:
        return Guarded(Route.HUMAN, cleaned[:MAX_QUESTION_CHARS], "消息过长，转人工阅读")
    low = _lower(cleaned)
    compact = low.replace(" ", "") if not re.search(r"[a-z]{2,} [a-z]{2,}", low) else low
    if any(p.search(compact) for p in _SOCIAL):
        return Guarded(Route.REFUSE_CREDENTIALS, cleaned, "索要或转告密码、验证码")  # RSK-3
    if any(p.search(compact) for p in _AUTHORITY):
        return Guarded(Route.REFUSE_AUTHORITY, cleaned, "涉及他人账户")  # ACC-7
    if _HIGH_RISK.search(compact) and _is_request(compact):
        return Guarded(Route.SECOND_CHECK, cleaned, "高风险操作需二次核验")  # RSK-4
    if _OWN_LIMIT.search(compact):  # the customer's own remaining transfer limit (SOL-2)
        if verified:
            return Guarded(Route.FIGURES, cleaned, "已核验客户查询转账限额", "limit")
        return Guarded(Route.VERIFY_FIRST, cleaned, "查询本人账户限额需先核验身份", "limit")
    if _is_sensitive(compact):
        figure: Figure = "transactions" if _TRANSACTION_WORDS.search(compact) else "balance"
        if verified:
            return Guarded(Route.FIGURES, cleaned, "已核验客户查询账户信息", figure)
        return Guarded(Route.VERIFY_FIRST, cleaned, "查询余额或交易需先核验身份", figure)
    if _HUMAN.search(compact):
        return Guarded(Route.HUMAN, cleaned, "客户要求人工服务")
    core = re.sub(r"^[\W_]+|[\W_]+$", "", low)
    if _GREETING.match(core):
        return Guarded(Route.GREET, cleaned)
    if _THANKS.match(core):
        return Guarded(Route.THANK, cleaned)
    if _FAREWELL.match(core):
        return Guarded(Route.FAREWELL, cleaned)
    question = _GREETING_PREFIX.sub("", cleaned) or cleaned
    return Guarded(Route.FAQ, question)


_BARE_OPERATION = re.compile(
    r"^(?:我要|我想)?(?:转账|转钱|汇款|销户|挂失|换绑手机号?|注销账户|transfer)(?:了|一下|吧)?$",
    re.I,
)
_SPECIFIC_AMOUNT = re.compile(r"(?:\d+|[一二两三四五六七八九十百千万几]+)\s*(?:块|元|rmb)")


def _is_request(compact: str) -> bool:
    """A request to carry out an operation, not a question about how it works."""
    if _BARE_OPERATION.match(compact):
        return True
    if _HOWTO.search(compact):
        return False
    return bool(_URGE.search(compact) or _WANT.search(compact))


def _is_sensitive(compact: str) -> bool:
    if not _SENSITIVE.search(compact):
        return False
    if _SENSITIVE_EXEMPT.search(compact):
        return False
    specific = bool(_SPECIFIC_AMOUNT.search(compact)) and bool(_OWN.search(compact))
    if _GENERAL_CUES.search(compact) and not _URGE.search(compact) and not specific:
        return False
    return bool(_OWN.search(compact)) or bool(
        re.search(
            r"还有多少钱|还剩|剩多少|有多少钱|查(?:一下|下)?余额|余额(?:多少|是多少)|"
            r"(?:那|这)笔.{0,6}(?:到账|入账|扣|状态)|(?:那|这)笔(?:钱|款)|最近.{0,4}(?:消费|支出|交易|转账|入账)|"
            r"(?:这|上)个?月.{0,4}花了多少|工资.{0,6}(?:进来|到)了?没",
            compact,
        )
    )


def wants_english(text: object, *, chosen: str | None = None) -> bool:
    """English when the visitor chose it, asks for it, or writes mostly in Latin letters."""
    if chosen == "en":
        return True
    cleaned = clean_text(text)
    if _ASK_ENGLISH.search(cleaned):
        return True
    letters = [ch for ch in cleaned if unicodedata.category(ch)[0] == "L"]
    if not letters:
        return False
    latin = sum(1 for ch in letters if ch.isascii())
    return latin / len(letters) > 0.7


# ---- the turn --------------------------------------------------------------------


class CandidateLike(Protocol):
    @property
    def entry_id(self) -> str: ...

    @property
    def score(self) -> float: ...


class MatchLike(Protocol):
    """What the dialogue needs from the matcher's result (`assistant.matcher.MatchResult`)."""

    @property
    def candidates(self) -> Sequence[CandidateLike]: ...

    @property
    def confidence(self) -> float: ...

    @property
    def decision(self) -> str: ...


@dataclass(frozen=True)
class EntryView:
    """A published knowledge entry as the bot quotes it."""

    entry_id: str
    question: str
    answer: str
    steps: tuple[str, ...] = ()
    complexity: str = "simple"
    source: str = ""
    business_line: str | None = None


@dataclass(frozen=True)
class Guess:
    entry_id: str
    question: str
    score: float


@dataclass(frozen=True)
class BotTurn:
    """The bot's reply to one message and what the desk must do with it.

    `handover`: move the consultation to an agent with `guesses` and `reason`;
    `review`: put the question on the review queue (QC-5); `figure`: the caller fetches
    the verified customer's figures from the core bank and words them with `figures_reply`.
    """

    route: Route
    action: Action
    text: str
    lang: Lang
    question: str
    handover: bool = False
    review: bool = False
    reason: str = ""
    entry_id: str | None = None
    business_line: str | None = None
    confidence: float = 0.0
    guesses: tuple[Guess, ...] = ()
    figure: Figure | None = None


_Z = {
    "greet": (
        "您好，我是智能助手，请问有什么可以帮您？您可以直接描述您的问题。",
        "Hello, I am the virtual assistant. How can I help you?",
    ),
    "thank": (
        "不客气，很高兴为您服务。还有其他问题可以随时问我。",
        "You are welcome. Feel free to ask anything else.",
    ),
    "farewell": ("感谢您的咨询，祝您生活愉快，再见！", "Thank you for contacting us. Goodbye!"),
    "clarify": (
        "抱歉，我没有理解您的问题。请用一句话描述您想办理或咨询的业务，例如“信用卡怎么还款”。",
        "Sorry, I did not understand. Please describe your question in one sentence, "
        'e.g. "How do I repay my credit card?"',
    ),
    "refuse_credentials": (
        "为保障您的资金安全，我行工作人员和智能助手不会索要、也不会代为转告任何密码或验证码。"
        "请勿将密码、验证码告诉任何人，包括亲友和自称银行、公安的人员。"
        "如需修改或重置密码，请本人通过手机银行“安全中心”办理，或本人持身份证到网点办理。"
        "如怀疑遇到诈骗，请立即拨打我行客服热线或报警（110）。",
        "For your safety, the bank never asks for and never passes on passwords or verification "
        "codes. Never share them with anyone, including friends or people claiming to be bank "
        "staff or police. To change or reset a password, use the app's Security Centre or visit "
        "a branch in person with your ID. If you suspect fraud, call our hotline or the police.",
    ),
    "refuse_authority": (
        "为保护账户安全，我们只能为账户本人提供账户查询和业务办理，无法代他人查询或办理。"
        "请账户本人通过本人手机银行办理，或本人持身份证到网点办理；"
        "确需代办的，请按网点要求携带双方身份证件及授权材料到网点咨询。",
        "To protect account security we can only serve the account holder. The account holder "
        "should use their own mobile banking or visit a branch with their ID; for authorised "
        "representatives, please ask at a branch about the documents required.",
    ),
    "second_check": (
        "{op}属于高风险业务，需要对您的身份进行二次核验（发送到您预留手机的验证码）后由人工客服办理。"
        "正在为您转接人工客服，请稍候。请勿向任何人透露密码或验证码。",
        "This is a high-risk operation: it needs a second identity check (a code sent to your "
        "registered phone) and is handled by an agent. Transferring you now.",
    ),
    "verify_first": (
        "查询账户余额、交易明细属于敏感信息，需要先核验您的身份（身份证号后四位或发送到您预留手机的验证码）。"
        "正在为您转接人工客服完成身份核验，请稍候。您也可以登录手机银行自助查询。",
        "Balances and transaction details are sensitive: we need to verify your identity first "
        "(last four digits of your ID or a code sent to your registered phone). Transferring you "
        "to an agent for verification; you can also check in the mobile banking app.",
    ),
    "human": ("好的，正在为您转接人工客服，请稍候。", "Sure, transferring you to an agent now."),
    "handover": (
        "这个问题我暂时无法准确回答，正在为您转接人工客服，请稍候。",
        "I cannot answer this reliably; transferring you to an agent now.",
    ),
    "long": (
        "您的消息较长，已为您转接人工客服仔细查看，请稍候。",
        "Your message is long; an agent will read it. Transferring you now.",
    ),
    "complex": (
        "您咨询的“{q}”需要专人结合您的具体情况分析处理，正在为您转接人工客服；"
        "您也可以预约网点办理。",
        "Your question needs an agent to look at your situation; transferring you now. "
        "You can also book a branch appointment.",
    ),
    "offer": (
        "您是想咨询以下哪个问题？请回复序号（1–3）：",
        "Did you mean one of these? Reply with its number (1-3).",
    ),
    "answer_lead": ("", "Here is our answer (in Chinese):"),
    "steps": ("办理步骤：", "Steps:"),
    "source": ("（答案来源：{source}）", "(Source: {source})"),
}


def _t(key: str, lang: Lang, **params: str) -> str:
    zh, en = _Z[key]
    return (en if lang == "en" else zh).format(**params)


_OPERATIONS = (
    (re.compile(r"销户|注销|close my account", re.I), ("销户", "Closing an account")),
    (re.compile(r"换绑|改绑|手机|phone", re.I), ("变更预留手机号", "Changing your phone")),
    (re.compile(r"挂失|冻结", re.I), ("挂失", "Reporting a loss")),
)


def _operation(text: str) -> str:
    for pattern, (zh, _) in _OPERATIONS:
        if pattern.search(text):
            return zh
    return "转账"


def answer_text(entry: EntryView, lang: Lang) -> str:
    """The entry's scripted answer with its standard steps and its source (SOL-1)."""
    parts = []
    lead = _t("answer_lead", lang)
    if lead:
        parts.append(lead)
    parts.append(entry.answer.strip())
    if entry.steps:
        steps = "；".join(f"{i}. {s}" for i, s in enumerate(entry.steps, start=1))
        parts.append(f"{_t('steps', lang)}{steps}")
    if entry.source:
        parts.append(_t("source", lang, source=entry.source))
    return "\n".join(parts)


_PICK = re.compile(r"^(?:选|第|选择|no\.?|#)?\s*([1-3一二三])\s*(?:个|条|项)?$", re.I)


def _picked(text: str, offered: Sequence[str]) -> str | None:
    """The offered entry a reply such as "2" or "第二个" picks, if any."""
    found = _PICK.match(text.strip())
    if not found or not offered:
        return None
    index = "123".find(found.group(1)) if found.group(1) in "123" else "一二三".find(found.group(1))
    return offered[index] if index < len(offered) else None


def _guesses(match: MatchLike, entries: Mapping[str, EntryView]) -> tuple[Guess, ...]:
    found = []
    for candidate in list(match.candidates)[:3]:
        entry = entries.get(candidate.entry_id)
        if entry is not None:
            found.append(Guess(entry.entry_id, entry.question, round(float(candidate.score), 4)))
    return tuple(found)


def respond(
    *,
    text: object,
    verified: bool,
    match: Callable[[str], MatchLike] | None,
    entries: Mapping[str, EntryView],
    lang: str | None = None,
    offered: Sequence[str] = (),
) -> BotTurn:
    """The bot's turn for one customer message. `match` is None while no knowledge base
    is loaded (FAQ questions are then handed over). `offered`: the entries of the bot's
    last offer, when it was the bot's last word; "1"–"3" then picks one. Never raises on
    any `text`."""
    guarded = guard(text, verified=verified)
    speak: Lang = "en" if wants_english(text, chosen=lang) else "zh"
    q = guarded.text
    route = guarded.route

    def turn(action: Action, reply: str, **extra: object) -> BotTurn:
        return BotTurn(route, action, reply, speak, q, **extra)  # type: ignore[arg-type]

    picked = _picked(guarded.text, offered) if route in (Route.FAQ, Route.CLARIFY) else None
    if picked is not None and picked in entries:
        entry = entries[picked]
        route = Route.FAQ
        if entry.complexity == "complex":  # ACP-4
            return turn(
                Action.HANDOVER,
                _t("complex", speak, q=entry.question),
                handover=True,
                reason="复杂问题需人工分析",
                entry_id=entry.entry_id,
                business_line=entry.business_line,
            )
        return turn(
            Action.ANSWER,
            answer_text(entry, speak),
            entry_id=entry.entry_id,
            business_line=entry.business_line,
            confidence=1.0,
        )

    if route is Route.CLARIFY:
        return turn(Action.CLARIFY, _t("clarify", speak), reason=guarded.reason)
    if route is Route.REFUSE_CREDENTIALS:
        return turn(Action.REFUSE, _t("refuse_credentials", speak), reason=guarded.reason)
    if route is Route.REFUSE_AUTHORITY:
        return turn(Action.REFUSE, _t("refuse_authority", speak), reason=guarded.reason)
    if route is Route.SECOND_CHECK:
        op = _operation(q)
        reply = _t("second_check", speak, op=op)
        return turn(Action.HANDOVER, reply, handover=True, reason=f"{guarded.reason}：{op}")
    if route is Route.VERIFY_FIRST:
        return turn(
            Action.HANDOVER,
            _t("verify_first", speak),
            handover=True,
            reason=guarded.reason,
            figure=guarded.figure,
        )
    if route is Route.FIGURES:
        return turn(Action.FIGURES, "", reason=guarded.reason, figure=guarded.figure)
    if route is Route.HUMAN:
        key = "long" if "过长" in guarded.reason else "human"
        return turn(Action.HANDOVER, _t(key, speak), handover=True, reason=guarded.reason)
    if route in (Route.GREET, Route.THANK, Route.FAREWELL):
        return turn(Action.SMALL_TALK, _t(route.value, speak))
    if match is None:
        return turn(
            Action.HANDOVER,
            _t("handover", speak),
            handover=True,
            review=True,
            reason="知识库尚未加载",
        )
    result = match(q)
    guesses = _guesses(result, entries)
    top = entries.get(result.candidates[0].entry_id) if result.candidates else None
    confidence = round(float(result.confidence), 4)
    if result.decision == "clarify" or not guesses:
        return turn(
            Action.CLARIFY, _t("clarify", speak), review=bool(guesses), confidence=confidence
        )
    if result.decision == "answer" and top is not None:
        if top.complexity == "complex":  # ACP-4: analysed by a person, not answered by the bot
            return turn(
                Action.HANDOVER,
                _t("complex", speak, q=top.question),
                handover=True,
                reason="复杂问题需人工分析",  # ACP-4
                entry_id=top.entry_id,
                business_line=top.business_line,
                confidence=confidence,
                guesses=guesses,
            )
        return turn(
            Action.ANSWER,
            answer_text(top, speak),
            entry_id=top.entry_id,
            business_line=top.business_line,
            confidence=confidence,
            guesses=guesses,
        )
    if result.decision == "offer":
        lines = [_t("offer", speak)]
        lines += [f"{i}. {g.question}" for i, g in enumerate(guesses, start=1)]
        return turn(
            Action.OFFER,
            "\n".join(lines),
            review=True,
            confidence=confidence,
            guesses=guesses,
            business_line=top.business_line if top else None,
        )
    return turn(
        Action.HANDOVER,
        _t("handover", speak),
        handover=True,
        review=True,
        reason="置信度低，机器人无法回答",
        confidence=confidence,
        guesses=guesses,
    )


# ---- figures from the core bank (SOL-2) --------------------------------------------


@dataclass(frozen=True)
class AccountFigure:
    """One account's figure as fetched from the core bank."""

    number_masked: str
    amount: Decimal
    currency: str


def _stamp(moment: datetime) -> str:
    return moment.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")


def figures_reply(
    *,
    figures: Sequence[AccountFigure],
    system: str,
    as_of: datetime,
    lang: Lang = "zh",
) -> str:
    """A verified customer's balances worded with their source system and time; the core
    banking system's figures are final (SOL-2)."""
    if not figures:
        if lang == "en":
            return "We found no account to report. An agent can help you further."
        return "未查询到您名下可显示的账户，如有疑问请联系人工客服。"
    if lang == "en":
        lines = [
            f"Account {f.number_masked}: balance {f.currency} {f.amount:,.2f}" for f in figures
        ]
        lines.append(
            f"Source: {system}, as of {_stamp(as_of)} (Beijing time); "
            "the core banking system's records are final."
        )
        return "\n".join(lines)
    lines = [f"账户 {f.number_masked}：余额 {f.currency} {f.amount:,.2f}" for f in figures]
    lines.append(f"数据来源：{system}，查询时间 {_stamp(as_of)}（北京时间），以核心系统为准。")
    return "\n".join(lines)


def transactions_reply(
    *,
    number_masked: str,
    transactions: Sequence[tuple[date, Decimal, str, str, str]],
    system: str,
    as_of: datetime,
    lang: Lang = "zh",
) -> str:
    """A verified customer's recent transactions (booked on, amount, currency, summary,
    masked counterparty) with their source system and time (SOL-2)."""
    if lang == "en":
        lines = [f"Recent transactions of account {number_masked}:"]
        lines += [f"{d:%Y-%m-%d} {c} {a:,.2f} {s} {p}".rstrip() for d, a, c, s, p in transactions]
        if not transactions:
            lines.append("none")
        lines.append(
            f"Source: {system}, as of {_stamp(as_of)}; the core system's records are final."
        )
        return "\n".join(lines)
    lines = [f"账户 {number_masked} 最近的交易："]
    lines += [f"{d:%Y-%m-%d} {s} {c} {a:,.2f} {p}".rstrip() for d, a, c, s, p in transactions]
    if not transactions:
        lines.append("近期无交易记录")
    lines.append(f"数据来源：{system}，查询时间 {_stamp(as_of)}（北京时间），以核心系统为准。")
    return "\n".join(lines)


def limit_reply(
    *,
    number_masked: str,
    limit: Decimal | None,
    used: Decimal,
    currency: str,
    system: str,
    as_of: datetime,
    lang: Lang = "zh",
) -> str:
    """A verified customer's daily transfer limit and what is left today, with source
    and time (SOL-2)."""
    if limit is None:
        if lang == "en":
            return (
                f"Account {number_masked} has no daily transfer limit on record. Source: {system}."
            )
        return f"账户 {number_masked} 未设置日累计转账限额。数据来源：{system}，以核心系统为准。"
    left = max(limit - used, Decimal(0))
    if lang == "en":
        return (
            f"Account {number_masked}: daily transfer limit {currency} {limit:,.2f}, "
            f"used today {used:,.2f}, left {left:,.2f}. Source: {system}, as of "
            f"{_stamp(as_of)}; the core system's records are final."
        )
    return (
        f"账户 {number_masked}：日累计转账限额 {currency} {limit:,.2f}，今日已转 {used:,.2f}，"
        f"剩余 {left:,.2f}。数据来源：{system}，查询时间 {_stamp(as_of)}（北京时间），"
        "以核心系统为准。"
    )
