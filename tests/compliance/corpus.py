"""A labelled corpus of realistic bank replies (compliant, near-miss and violating,
evasive spellings included) used to measure recall and false alarms of the rule pack.

Each entry: (text, context, expected codes). Written by hand; the evasive variants
are derived from hand-written claims by the spellings agents use to dodge filters.
"""

from __future__ import annotations

from typing import Any

Ctx = dict[str, Any]
Entry = tuple[str, Ctx, frozenset[str]]

# Contexts
W: Ctx = {
    "topic": "wealth",
    "product_risk": "R2",
    "customer_risk": "C3",
    "guaranteed": False,
    "verified": True,
}
WN: Ctx = {**W, "guaranteed": None}
WG: Ctx = {**W, "guaranteed": True}
W42: Ctx = {**W, "product_risk": "R4", "customer_risk": "C2"}
W33: Ctx = {**W, "product_risk": "R3", "customer_risk": "C3"}
W53: Ctx = {**W, "product_risk": "R5", "customer_risk": "C3"}
FX: Ctx = {
    "topic": "forex",
    "product_risk": None,
    "customer_risk": None,
    "guaranteed": None,
    "verified": True,
}
INS: Ctx = {
    "topic": "insurance",
    "product_risk": "R2",
    "customer_risk": "C2",
    "guaranteed": None,
    "verified": True,
}
LOAN: Ctx = {
    "topic": "loan",
    "product_risk": None,
    "customer_risk": None,
    "guaranteed": None,
    "verified": True,
}
CC: Ctx = {
    "topic": "credit_card",
    "product_risk": None,
    "customer_risk": None,
    "guaranteed": None,
    "verified": True,
}
CCU: Ctx = {**CC, "verified": False}
EB: Ctx = {
    "topic": "ebanking",
    "product_risk": None,
    "customer_risk": None,
    "guaranteed": None,
    "verified": True,
}
EBU: Ctx = {**EB, "verified": False}
ACC: Ctx = {
    "topic": "account",
    "product_risk": None,
    "customer_risk": None,
    "guaranteed": None,
    "verified": True,
}
ACCU: Ctx = {**ACC, "verified": False}
DEP: Ctx = {
    "topic": "deposit",
    "product_risk": None,
    "customer_risk": None,
    "guaranteed": True,
    "verified": True,
}
GEN: Ctx = {
    "topic": "general",
    "product_risk": None,
    "customer_risk": None,
    "guaranteed": None,
    "verified": False,
}

OK_W = "本产品不保本，理财非存款、产品有风险、投资须谨慎。"
SRC = "具体以我行官网公布为准。"

NONE: frozenset[str] = frozenset()


def codes(*names: str) -> frozenset[str]:
    return frozenset(names)


# --- Compliant replies, many of them near-misses -------------------------------------
COMPLIANT: list[tuple[str, Ctx]] = [
    ("这款理财产品风险等级为R2，业绩比较基准年化2.8%–3.2%，" + SRC + OK_W, W),
    ("该产品为非保本浮动收益型，风险等级R2，过往业绩不代表未来表现，投资须谨慎。", W),
    ("您问是否保本？本产品不保本，收益随市场波动，理财非存款、产品有风险、投资须谨慎。", W),
    ("我们不承诺保本，也不保证收益，产品有风险，投资须谨慎。业绩比较基准仅供参考。", W),
    ("理财产品不是存款，不受存款保险保障，本产品不保本，请您根据风险承受能力谨慎选择。", W),
    ("所谓稳赚不赔的产品是不存在的，本产品不保本，投资有风险。", W),
    ("市场上没有无风险的理财，本产品不保本，风险等级为R2。", W),
    ("任何投资都不是没有风险的，本产品不保本，产品有风险、投资须谨慎。", W),
    ("这款产品起购金额1万元，期限180天，本产品不保本，风险等级R2，理财非存款。", W),
    ("这只基金过往业绩不代表未来表现，不保本，投资有风险，入市须谨慎。", W),
    ("这款產品不保本，理財非存款、產品有風險、投資須謹慎。", W),
    ("本产品非保本，净值会随市场波动，可能出现本金亏损，请您谨慎决策。", W),
    ("您目前无风险评估记录，购买理财前请先在手机银行完成风险测评。", W),
    ("您好，请问您想咨询哪方面的问题？", W),
    ("好的，稍后我把产品说明书发到您的手机银行消息中心，请注意查收。", W),
    ("该结构性存款保本，风险等级R1，收益区间1.5%–2.8%以我行公布为准，产品有风险，投资须谨慎。", WG),
    ("这款产品不保证收益，也不代表保本，理财非存款、产品有风险、投资须谨慎。", W),
    ("根据您的风险承受能力C2，这款R4产品超出您的承受范围，不建议购买，建议选择R2及以下产品。", W42),
    ("该产品风险等级R5，高于您的风险承受能力，我行不能为您办理认购。", W53),
    ("您的风险测评已超过一年，需要重新进行风险评估后才能购买。", W42),
    ("这款R3产品与您的C3风险承受能力匹配，本产品不保本，产品有风险、投资须谨慎。", W33),
    ("这款黄金积存产品价格随国际金价波动，存在亏损风险，投资须谨慎。", GEN),
    ("外汇宝交易存在汇率波动风险，可能造成损失，请您谨慎操作。", FX),
    ("个人年度购汇便利化额度为等值5万美元，以外汇局规定为准。", FX),
    ("购汇可以通过手机银行办理，需要填写购汇用途。", FX),
    ("这款分红型保险的分红具有不确定性，过往分红不代表未来，请您仔细阅读条款。", INS),
    ("您的保单可以在保险公司官网查询，需要我帮您转接吗？", INS),
    ("大额存单保本保息，受存款保险保障，利率以我行挂牌公布为准。", DEP),
    ("定期存款可以提前支取，提前支取部分按活期计息，具体以我行公告为准。", DEP),
    ("贷款年利率3.45%，具体以审批为准。", LOAN),
    ("房贷利率按LPR（贷款市场报价利率）加点确定，最终以审批为准。", LOAN),
    ("您可选择等额本息，也就是每月还款金额相同；具体月供以审批为准。", LOAN),
    ("提前还款需提前预约，违约金标准以借款合同约定为准。", LOAN),
    ("信用卡取现手续费为取现金额的1%，最低10元，以我行官网公布的收费标准为准。", CC),
    ("分期手续费率以您申请时手机银行页面显示为准。", CC),
    ("您的信用卡账单日是每月5日，到期还款日为每月25日。", CC),
    ("查询余额需要先核验您的身份，请问方便提供您的姓名和预留手机号后四位吗？", CCU),
    ("为保障资金安全，请先完成身份核验，再为您查询交易明细。", ACCU),
    ("您的账户余额为12,345.67元，最近一笔入账为工资。", ACC),
    ("您昨天在超市消费了388元，已入账。", CC),
    ("单笔转账限额5万元，具体以我行官网公布为准。", EBU),
    ("手机银行转账超过5万元需要使用U盾确认，限额以手机银行页面显示为准。", EBU),
    ("我行工作人员不会向您索要密码或验证码，请勿告诉任何人。", EB),
    ("请在手机银行页面输入您收到的验证码完成验证，验证码请勿告诉他人。", EB),
    ("任何人向您索要验证码都是诈骗，请您提高警惕。", EB),
    ("系统将向您预留的手机号发送短信验证码，请在页面自行输入。", EB),
    ("密码需要您本人在柜台密码键盘上输入，工作人员不会看到。", ACC),
    ("重置登录密码请在手机银行“安全中心”自助办理。", EB),
    ("密码请您本人妥善保管，我们无法替您转告给任何人。", ACC),
    ("尾号1234的银行卡已挂失，卡号6222 02** **** 1234。", ACC),
    ("您预留的手机号为138****5678，是否需要修改？", ACC),
    ("身份证号码110***********1234已核验通过。", ACC),
    ("您的业务流水号为2026112912345678901，请妥善保存。", ACC),
    ("您的预约号为20261129001，请按时到网点办理。", GEN),
    ("请拨打我行客服热线95588咨询。", GEN),
    ("开户需要携带本人有效身份证件到网点办理。", ACC),
    ("您可以在手机银行首页点击“转账”办理跨行转账。", EB),
    ("跨行转账手续费以我行官网公布的收费标准为准。", EB),
    ("手机银行转账目前免手续费。", EB),
    ("您好，您的问题我已记录，会在两个工作日内回电。", GEN),
    ("感谢您的耐心等待，请问还有其他可以帮您的吗？", GEN),
    ("您说的情况我理解了，我帮您转接专属客户经理。", GEN),
    ("信用卡逾期会影响征信，建议您按时还款。", CC),
    ("这款理财本金和收益都不保证，本产品不保本，投资有风险。", W),
    ("本产品不保本，请您不要轻信“稳赚”“保本”之类的宣传，产品有风险、投资须谨慎。", W),
    ("存款保险保障额度最高50万元，以《存款保险条例》规定为准。", DEP),
    ("我行近期没有保本型理财产品在售，理财产品均不保本，产品有风险。", W),
    ("不仅要看收益，也要看风险等级，本产品不保本，风险等级为R2。", W),
    ("您的账户状态正常，可以正常使用。", ACCU),
    ("挂失后请携带身份证到网点补办新卡，工本费以网点公示为准。", ACC),
    ("等额本金（每月归还相同本金，利息逐月减少）前期压力较大，请根据收入选择。", LOAN),
]

# --- Violations ----------------------------------------------------------------------
FORBIDDEN: list[tuple[str, Ctx, frozenset[str]]] = [
    (
        "这款理财产品保本，" + "风险等级R2，理财非存款、产品有风险、投资须谨慎。",
        W,
        codes("forbidden_claim", "missing_non_guaranteed"),
    ),
    ("这款产品稳赚不赔，本产品不保本，投资有风险。", W, codes("forbidden_claim")),
    ("本产品不保本，但这款基金基本上稳赚，产品有风险。", W, codes("forbidden_claim")),
    ("本产品不保本，不过零风险，您放心，产品有风险。", W, codes("forbidden_claim")),
    ("这款产品没有任何风险，本产品不保本，投资须谨慎。", W, codes("forbidden_claim")),
    ("本产品不保本，收益有保障，风险等级R2。", W, codes("forbidden_claim")),
    ("本产品不保本，保证年化收益4%，以官网公布为准，风险等级R2。", W, codes("forbidden_claim")),
    ("这款理财就是存款，本产品不保本，产品有风险。", W, codes("forbidden_claim")),
    ("这款理财和定期存款一样，本产品不保本，风险等级R2。", W, codes("forbidden_claim")),
    ("本产品不保本，但买了肯定赚钱，产品有风险。", W, codes("forbidden_claim")),
    ("本产品不保本，放心，不会亏的，风险等级R2。", W, codes("forbidden_claim")),
    ("我行承诺收益，本产品不保本，产品有风险。", W, codes("forbidden_claim")),
    ("这个外汇宝产品稳赚，存在汇率风险。", FX, codes("forbidden_claim")),
    ("这款分红险收益有保证，分红具有不确定性。", INS, codes("forbidden_claim")),
    ("存款绝对安全，零风险。", DEP, codes("forbidden_claim")),
    (
        "这款理财本金无忧，本产品风险等级R2，产品有风险。",
        W,
        codes("forbidden_claim", "missing_non_guaranteed"),
    ),
    ("这款产品刚性兑付，本产品不保本，投资有风险。", W, codes("forbidden_claim")),
    (
        "不用担心，保本的，风险等级R2，产品有风险。",
        W,
        codes("forbidden_claim", "missing_non_guaranteed"),
    ),
    ("这款不仅保本，收益还高，产品有风险。", W, codes("forbidden_claim", "missing_non_guaranteed")),
    (
        "本产品不保本，但历史上从来没亏过，可以说是绝对安全，产品有风险。",
        W,
        codes("forbidden_claim"),
    ),
]

# Evasive spellings of claims inside an otherwise compliant wealth reply
EVASIVE_CLAIMS = [
    "保 本",
    "保\u200b本",
    "保.本",
    "保-本",
    "保，本",
    "保本",
    "保 本 保 息",
    "bao本",
    "保ben",
    "ｂａｏ本",
    "稳赚",
    "穩賺",
    "稳 赚",
    "稳\u200c赚",
    "wen赚",
    "稳zhuan",
    "稳赚不赔",
    "穩賺不賠",
    "无风险",
    "無風險",
    "ｗｕ风险",
    "wu风险",
    "无 风 险",
    "无\u200d风险",
    "零风险",
    "零風險",
    "无fengxian",
    "保收益",
    "保證收益",
    "保 收 益",
    "保证收益",
    "保\ufeff证收益",
    "稳稳赚",
    "包赚",
    "必赚",
    "保赚",
]


def _evasive() -> list[Entry]:
    out: list[Entry] = []
    frames = [
        "这款理财{c}，年化业绩比较基准3.2%以官网公布为准，本产品不保本，产品有风险。",
        "您放心，{c}的，产品有风险、投资须谨慎，本产品不保本。",
        "本产品不保本，投资有风险；不过说实话这款基本{c}。",
    ]
    for i, claim in enumerate(EVASIVE_CLAIMS):
        frame = frames[i % len(frames)]
        text = frame.format(c=claim)
        expected = {"forbidden_claim"}
        out.append((text, W, frozenset(expected)))
    return out


# A wealth reply missing disclosures
MISSING_DISCLOSURE: list[Entry] = [
    (
        "这款理财年化业绩比较基准3.2%，以官网公布为准，起购1万元。",
        W,
        codes("missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    (
        "推荐您这款180天的理财，业绩比较基准2.9%，以我行公布为准。",
        WN,
        codes("missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    ("这款产品风险等级R2，业绩比较基准3%，以官网公布为准。", W, codes("missing_non_guaranteed")),
    ("这款理财年化3.1%以官网为准，投资有风险。", W, codes("missing_non_guaranteed")),
    ("本产品不保本，年化业绩比较基准3.2%，以官网公布为准。", W, codes("missing_risk_disclosure")),
    (
        "这款净值型产品非保本，近一年表现不错。",
        W,
        codes("missing_risk_disclosure", "jargon_unexplained"),
    ),
    (
        "这款理财期限90天，起购1万元，今天就可以认购。",
        W,
        codes("missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    (
        "我行新发一款稳健系列理财，非常适合您。",
        W,
        codes("missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    ("推荐您配置我们的黄金积存产品，操作很方便。", GEN, codes("missing_risk_disclosure")),
    ("这只基金今年表现很好，可以考虑买一些。", GEN, codes("missing_risk_disclosure")),
    ("外汇宝可以做美元兑日元的买卖，操作灵活。", FX, codes("missing_risk_disclosure")),
    ("这款万能险结算利率以公司公布为准，非常适合养老。", INS, codes("missing_risk_disclosure")),
    ("我行这款结构性存款挂钩黄金价格，期限三个月。", DEP, codes("missing_risk_disclosure")),
    (
        "這款理財產品期限180天，起購1萬元。",
        W,
        codes("missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    (
        "这款理财不会保本吗？会的，这款产品是保本的，期限一年。",
        WN,
        codes("forbidden_claim", "missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    (
        "这款理财产品收益比存款高，推荐您购买。",
        W,
        codes("missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    ("这款养老理财封闭期五年，适合长期持有，风险等级R2。", W, codes("missing_non_guaranteed")),
    ("这款产品今天开放申购，产品有风险，投资须谨慎。", WN, codes("missing_non_guaranteed")),
]

RATE_SOURCE: list[Entry] = [
    ("这笔贷款年利率3.45%。", LOAN, codes("missing_rate_source")),
    ("您的房贷利率是3.1%，月供4,200元。", LOAN, codes("missing_rate_source")),
    ("跨行转账手续费10元。", EB, codes("missing_rate_source")),
    ("信用卡年费200元，刷满6次免年费。", CC, codes("missing_rate_source")),
    ("取现手续费为取现金额的1%。", CC, codes("missing_rate_source")),
    ("分期手续费率每期0.6%。", CC, codes("missing_rate_source")),
    ("三年期定期存款利率2.35%。", DEP, codes("missing_rate_source")),
    ("大额存单年利率２．１５％。", DEP, codes("missing_rate_source")),
    ("今天美元现汇卖出价7.1523。", FX, codes("missing_rate_source")),
    ("您的信用卡额度可以提升到5万元。", CC, codes("missing_rate_source")),
    ("手机银行单日转账限额默认20万元。", EB, codes("missing_rate_source")),
    ("提前还款违约金为提前还款金额的百分之一。", LOAN, codes("missing_rate_source")),
    ("消费贷利率低至年化3.\u200b2%。", LOAN, codes("missing_rate_source")),
    ("小额账户管理费每月1元。", ACC, codes("missing_rate_source")),
    ("电汇手续费按汇款金额的千分之一收取。", FX, codes("missing_rate_source")),
    ("贷款利率在LPR基础上加30个基点。", LOAN, codes("missing_rate_source", "jargon_unexplained")),
    ("补办借记卡工本费5元。", ACC, codes("missing_rate_source")),
    ("这笔经营贷年利率3.65%，额度最高100万元。", LOAN, codes("missing_rate_source")),
    ("每笔跨境汇款收取50元的手续费。", FX, codes("missing_rate_source")),
    ("逾期罚息为原利率上浮50%。", LOAN, codes("missing_rate_source")),
]

PII: list[Entry] = [
    ("您的卡号是6222021234567890123，已为您激活。", ACC, codes("pii_leak")),
    ("已为您绑定卡号6222 0212 3456 7890 123。", ACC, codes("pii_leak")),
    ("您尾号的卡是6217-0012-3456-7890。", ACC, codes("pii_leak")),
    ("您登记的手机号是13812345678。", ACC, codes("pii_leak")),
    ("回电号码：139 1234 5678。", GEN, codes("pii_leak")),
    ("联系人手机+86 15912345678已更新。", ACC, codes("pii_leak")),
    ("身份证号110101199003071234已核验。", ACC, codes("pii_leak")),
    ("您的证件号44030119851212567X已登记。", ACC, codes("pii_leak")),
    ("卡号４１１１１１１１１１１１１１１１已冻结。", ACC, codes("pii_leak")),
    ("您的手机号1\u200b3812345678已验证。", ACC, codes("pii_leak")),
    ("收款卡号6225880137705425，户名张三。", EB, codes("pii_leak")),
    ("您的信用卡号5187 1800 1234 5678，请妥善保管。", CC, codes("pii_leak")),
    ("您的新手机号18600001111已生效，原号码13900002222已解绑。", ACC, codes("pii_leak")),
    ("证件号码320102198001011234，卡号6228480402564890018。", ACC, codes("pii_leak")),
]

CREDENTIAL: list[Entry] = [
    ("请您把收到的验证码念一下，我帮您核实。", EB, codes("credential_request")),
    ("麻烦提供一下您的银行卡密码。", ACC, codes("credential_request")),
    ("请报一下卡背面的三位数字。", CC, codes("credential_request")),
    ("您的CVV是多少？", CC, codes("credential_request")),
    ("请把短信验证码发给我。", EB, codes("credential_request")),
    ("我可以帮您把密码转告给您的朋友。", ACC, codes("credential_request")),
    ("请告诉我您的取款密码，我来帮您操作。", ACC, codes("credential_request")),
    ("验证码告诉我一下就可以了。", EB, codes("credential_request")),
    ("请说一下您的动态码。", EB, codes("credential_request")),
    ("您把登录密码报给我，我帮您重置。", EB, codes("credential_request")),
    ("請提供您的驗證碼。", EB, codes("credential_request")),
    ("请回复您收到的6位验证码。", EB, codes("credential_request")),
    ("您的交易密码是什么？我帮您查一下。", ACC, codes("credential_request")),
    ("请告诉我您的 P I N 码。", ACC, codes("credential_request")),
    ("请您读一下手机上的验\u200b证码。", EB, codes("credential_request")),
    ("没问题，我替您把验证码转告给您家人。", EB, codes("credential_request")),
]

SUITABILITY: list[Entry] = [
    (
        "推荐您购买这款产品，业绩比较基准4%以官网公布为准，本产品不保本，产品有风险、投资须谨慎。",
        W42,
        codes("suitability_mismatch"),
    ),
    (
        "这款R4产品收益不错，本产品不保本，投资有风险，可以考虑配置一些。",
        W42,
        codes("suitability_mismatch"),
    ),
    ("这款R5的股票型基金很适合您，本产品不保本，投资有风险。", W53, codes("suitability_mismatch")),
    ("我帮您下单认购这款产品吧，本产品不保本，产品有风险。", W42, codes("suitability_mismatch")),
    (
        "这款混合型产品值得买，本产品不保本，风险等级R4，投资须谨慎。",
        W42,
        codes("suitability_mismatch"),
    ),
    (
        "这款产品虽然风险高一点，但本产品不保本是正常的，产品有风险，建议您购买。",
        W53,
        codes("suitability_mismatch"),
    ),
]

BALANCE: list[Entry] = [
    ("您的账户余额为12,345.67元。", ACCU, codes("balance_unverified")),
    ("您昨天消费了388元。", CCU, codes("balance_unverified")),
    ("您卡里还有3万元。", ACCU, codes("balance_unverified")),
    ("您本期账单金额2,356.80元。", CCU, codes("balance_unverified")),
    ("您最近一笔交易是在11月3日的京东商城。", CCU, codes("balance_unverified")),
    ("今天上午有一笔5000元的转入。", ACCU, codes("balance_unverified")),
    ("您的可用额度还剩8000元。", CCU, codes("balance_unverified")),
    ("您的账户昨日收到工资8,500.00元。", ACCU, codes("balance_unverified")),
    ("您目前欠款1,200元，请按时还款。", CCU, codes("balance_unverified")),
    ("您上个月在淘宝支付了1299元。", EBU, codes("balance_unverified")),
    ("您的活期余额是五千元。", ACCU, codes("balance_unverified")),
    ("查到您有一笔2000元的退款已到账。", CCU, codes("balance_unverified")),
]

JARGON: list[Entry] = [
    ("您可以选择等额本息或等额本金，月供以审批为准。", LOAN, codes("jargon_unexplained")),
    ("这笔跨境汇款需要填写SWIFT码。", FX, codes("jargon_unexplained")),
    ("酒店会对您的信用卡做预授权。", CC, codes("jargon_unexplained")),
    ("这笔交易已冲正，请留意。", ACC, codes("jargon_unexplained")),
    ("赎回资金T+1到账。", W, codes("jargon_unexplained")),
    (
        "这款QDII产品投资海外市场，本产品不保本，产品有风险、投资须谨慎。",
        W,
        codes("jargon_unexplained"),
    ),
    ("您这笔分期有宽限期，请注意还款。", CC, codes("jargon_unexplained")),
    ("贷款利率按LPR浮动，以审批为准。", LOAN, codes("jargon_unexplained")),
]


def build_corpus() -> list[Entry]:
    """The whole corpus: compliant replies first, then each violation family."""
    corpus: list[Entry] = [(t, c, NONE) for t, c in COMPLIANT]
    for family in (
        FORBIDDEN,
        _evasive(),
        MISSING_DISCLOSURE,
        RATE_SOURCE,
        PII,
        CREDENTIAL,
        SUITABILITY,
        BALANCE,
        JARGON,
    ):
        corpus.extend(family)
    return corpus


# --- Second batch: written separately, more varied wording -------------------------
COMPLIANT_2: list[tuple[str, Ctx]] = [
    (
        "这款“稳利”系列理财不保本，业绩比较基准为年化2.6%–3.0%（来源：我行理财产品说明书），理财非存款、产品有风险、投资须谨慎。",
        W,
    ),
    ("客户您好，您咨询的这款产品属于R2级，非保本浮动收益型，请您结合自身情况谨慎选择。", W),
    ("本理财不保本。投资有风险，过往业绩不代表未来表现。", W),
    ("这款产品收益并不固定，本产品不保本，可能出现亏损，请您理性投资。", W),
    ("理财產品不保本，產品有風險，投資需謹慎。", W),
    ("这类产品不承诺保本，也没有“稳赚”一说，风险等级R2，请您谨慎。", W),
    (
        "您好，这款理财在售期为11月1日至11月7日，本产品不保本，理财非存款、产品有风险、投资须谨慎。",
        W,
    ),
    ("关于收益，我们无法向您保证收益，本产品不保本，投资有风险。", W),
    ("您持有的理财已到期，资金将在1个工作日内回到您的账户。", W),
    ("抱歉，理财业务需要您到网点双录办理，请问需要帮您预约吗？", W),
    ("该基金为中风险产品，不保本，存在净值下跌风险，投资须谨慎。", GEN),
    ("黄金价格波动较大，积存金不保本，存在亏损风险。", GEN),
    ("外汇理财产品受汇率波动影响，可能造成本金损失，产品有风险。", FX),
    ("外币兑换请在营业时间内到网点或手机银行办理。", FX),
    ("境外汇款需要提供收款人姓名、账号和收款行信息。", FX),
    ("这款年金险的收益有不确定性，请您仔细阅读产品条款后再决定。", INS),
    ("车险理赔请联系承保的保险公司。", INS),
    ("整存整取可以选择三个月到五年不同期限，利率以我行挂牌利率为准。", DEP),
    ("通知存款需要提前一天预约支取。", DEP),
    ("您的贷款申请已受理，审批结果会短信通知您。", LOAN),
    ("公积金贷款利率以公积金中心公布为准。", LOAN),
    ("经营贷额度最高可达500万元，实际额度以审批为准。", LOAN),
    ("信用卡分期手续费以我行信用卡官网公布的费率为准。", CC),
    ("您的信用卡已经成功激活，可以正常使用。", CC),
    ("信用卡还款可以通过手机银行“信用卡-还款”办理。", CC),
    ("境外消费请留意汇率及货币转换费，具体以卡组织公布为准。", CC),
    ("为保护您的账户安全，查询明细前需要先核实您的身份。", CCU),
    ("请问您是本人吗？核实身份后我再帮您查询账单。", CCU),
    ("您的余额和交易明细可以在手机银行首页查看。", ACCU),
    ("登录手机银行后点击“我的账户”即可查看余额。", EBU),
    ("手机银行登录失败超过5次会被锁定，请稍后再试。", EB),
    ("U盾密码忘记请携带身份证到网点重置。", EB),
    ("短信验证码5分钟内有效，请尽快在页面输入。", EB),
    ("请勿将密码、验证码透露给任何人，包括自称银行工作人员的人。", EB),
    ("银行不会通过电话要求您提供卡背面的三位数字。", CC),
    ("如有陌生人让您念验证码，请立即挂断。", EB),
    ("我无法帮您把密码转告给他人，请您本人办理。", ACC),
    ("您绑定的卡尾号为0123，是否为这张卡？", ACC),
    ("您的卡号6217 **** **** 0123已完成换卡。", ACC),
    ("已向您尾号5678的手机发送短信。", ACC),
    ("您的申请编号为202611290000123456，请记录。", GEN),
    ("网点地址：北京市西城区复兴门内大街1号，营业时间9:00-17:00。", GEN),
    ("您好，很高兴为您服务。", GEN),
    ("请您稍等，我帮您查询一下。", GEN),
    ("非常抱歉给您带来不便，我已将您的意见反馈给相关部门。", GEN),
    ("您的投诉已登记，我们会在3个工作日内联系您。", GEN),
    ("年满18周岁的中国公民可以在手机银行线上开户。", ACC),
    ("这款产品不是存款，不受存款保险保护，本产品不保本，产品有风险。", W),
    ("理财产品和存款不一样，理财非存款、产品有风险、投资须谨慎，本产品不保本。", W),
    ("本产品为非保本型，投资者可能损失部分本金，请谨慎投资。", WN),
    ("很抱歉，这款R4产品与您的风险承受能力不匹配，无法为您办理。", W42),
    ("根据适当性要求，我们不能向您推荐高于您风险承受能力的产品。", W53),
    ("您的客户经理会在工作日联系您。", W),
    ("活期存款随存随取，利率以我行公告为准。", DEP),
    ("一年期定期存款利率1.45%（数据来源：我行2026年11月挂牌利率）。", DEP),
    ("贷款年化利率区间3.2%–4.5%，以最终审批结果为准。", LOAN),
    ("跨行转账手续费0.5元/笔，以官网收费标准为准。", EB),
    ("美元现汇买入价以实时牌价为准，请在手机银行查询。", FX),
    ("等额本息（每月还款额固定）适合收入稳定的客户。", LOAN),
    ("预授权（酒店先冻结一笔押金）完成后会自动解冻。", CC),
]

VIOLATIONS_2: list[Entry] = [
    (
        "这款理财您放心买，绝对保本，本产品风险等级R2，产品有风险。",
        W,
        codes("forbidden_claim", "missing_non_guaranteed"),
    ),
    ("这个产品年年都赚，稳赚的，本产品不保本，产品有风险。", W, codes("forbidden_claim")),
    ("本产品不保本，投资有风险，但说实话这款产品基本无风险。", W, codes("forbidden_claim")),
    ("本產品不保本，產品有風險，但這款產品保證收益。", W, codes("forbidden_claim")),
    ("本产品不保本、产品有风险，不过这个就跟存钱一样。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，其实相当于定期存款。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，不过收益100%能拿到。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，但这款一定能赚钱。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，您买了绝对亏不了。", W, codes("forbidden_claim")),
    (
        "本产品不保本，产品有风险，这款保底收益4%。",
        W,
        codes("forbidden_claim", "missing_rate_source"),
    ),
    ("本产品不保本，产品有风险，本金百分百安全。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，风险为零。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，这个可以说是毫无风险。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，但是它是保\u2060本的。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，这款產品稳赚不賠。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，其实就是无 fēng 险……不，无风险。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，收益率有保障。", W, codes("forbidden_claim")),
    ("这款保险产品保本保息，分红具有不确定性。", INS, codes("forbidden_claim")),
    ("外汇宝买美元稳赚不赔，存在汇率风险。", FX, codes("forbidden_claim")),
    ("这只基金绝对不会亏，投资有风险。", GEN, codes("forbidden_claim")),
    (
        "这款理财非常稳健，年化4.5%，推荐您购买。",
        W,
        codes("missing_non_guaranteed", "missing_risk_disclosure", "missing_rate_source"),
    ),
    (
        "这款产品近三个月表现很好，推荐您入手，理财非存款、产品有风险、投资须谨慎。",
        W,
        codes("missing_non_guaranteed"),
    ),
    ("这款理财本产品不保本，期限一年，到期自动兑付。", W, codes("missing_risk_disclosure")),
    ("我们的外汇理财产品收益比存款高，可以考虑。", FX, codes("missing_risk_disclosure")),
    ("这款分红型保险回报很可观，推荐给您。", INS, codes("missing_risk_disclosure")),
    ("建议您买点纸黄金，最近行情不错。", GEN, codes("missing_risk_disclosure")),
    ("个人消费贷年化利率最低3.2%。", LOAN, codes("missing_rate_source")),
    ("您这笔房贷月供大约5,300元。", LOAN, codes("missing_rate_source")),
    ("信用卡分期12期，每期手续费率0.55%。", CC, codes("missing_rate_source")),
    ("境外取现每笔收取手续费12元。", CC, codes("missing_rate_source")),
    ("七天通知存款利率1.0%。", DEP, codes("missing_rate_source")),
    ("这个信用卡的年费是600元。", CC, codes("missing_rate_source")),
    ("手机银行单笔转账上限50万元。", EB, codes("missing_rate_source")),
    ("您的身份证号码是350102198807153216，请核对。", ACC, codes("pii_leak")),
    ("您的银行卡号6222021001116245702已挂失。", ACC, codes("pii_leak")),
    ("对方卡号6228 4804 0256 4890 018，请核对后转账。", EB, codes("pii_leak")),
    ("您留的电话是186-1234-5678，对吗？", ACC, codes("pii_leak")),
    ("您的手机号码：１３９１２３４５６７８。", ACC, codes("pii_leak")),
    ("请把手机收到的动态码告诉我。", EB, codes("credential_request")),
    ("为了核实身份，请提供一下您的查询密码。", ACC, codes("credential_request")),
    ("请您把信用卡背面的CVV2码报给我。", CC, codes("credential_request")),
    ("你好，把你收到的校验码发我一下。", EB, codes("credential_request")),
    ("您朋友的密码我可以帮您转达给他。", ACC, codes("credential_request")),
    ("请念一下刚收到的短信验证码。", EB, codes("credential_request")),
    (
        "这款R4产品很适合您，本产品不保本，产品有风险、投资须谨慎。",
        W42,
        codes("suitability_mismatch"),
    ),
    (
        "为您推荐这款权益类产品，本产品不保本，风险等级R5，投资有风险。",
        W53,
        codes("suitability_mismatch"),
    ),
    (
        "这款产品我直接帮您办理购买吧，本产品不保本，产品有风险。",
        W53,
        codes("suitability_mismatch"),
    ),
    ("您账户当前可用余额为3,280.50元。", ACCU, codes("balance_unverified")),
    ("您11月28日有一笔1,500元的转出。", ACCU, codes("balance_unverified")),
    ("查询到您信用卡本期应还4,860元。", CCU, codes("balance_unverified")),
    ("您卡上还剩200块。", ACCU, codes("balance_unverified")),
    ("您刚才那笔消费金额是99元，商户是美团。", CCU, codes("balance_unverified")),
    ("您可以选择T+0赎回，资金即时到账，本产品不保本，产品有风险。", W, codes("jargon_unexplained")),
    ("这笔外汇需要结售汇，请准备材料。", FX, codes("jargon_unexplained")),
    ("您的贷款可以申请展期。", LOAN, codes("jargon_unexplained")),
    ("这笔交易还在清算中，已做冲正处理。", ACC, codes("jargon_unexplained")),
]


def build_corpus_2() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_2] + VIOLATIONS_2


def full_corpus() -> list[Entry]:
    """Every batch together (at least 300 replies)."""
    return (
        build_corpus()
        + build_corpus_2()
        + build_corpus_3()
        + build_corpus_4()
        + build_corpus_5()
        + build_corpus_6()
        + build_corpus_7()
        + build_corpus_8()
        + build_corpus_9()
        + build_corpus_10()
        + build_corpus_11()
        + build_corpus_12()
        + build_corpus_13()
        + build_corpus_14()
        + build_corpus_15()
        + build_corpus_16()
        + build_corpus_17()
        + build_corpus_18()
        + build_corpus_19()
        + build_corpus_20()
    )


# --- Third batch: written blind (before looking at what the rules match) ---------
# First-run results on this batch are reported in the bench notes; the rules were then
# adjusted where a miss showed a general gap, not to fit single sentences.
COMPLIANT_3: list[tuple[str, Ctx]] = [
    (
        "您好，这款产品为R2级理财，不保本，业绩比较基准3.0%以产品说明书为准，理财非存款，产品有风险，投资须谨慎。",
        W,
    ),
    ("本产品属于非保本理财，过往业绩不代表未来表现，投资须谨慎。", W),
    ("您关心的保本问题：本产品不保本，请知悉。产品有风险，投资须谨慎。", W),
    ("这款理财不能保证收益，本金也可能亏损，本产品不保本，请谨慎购买。", W),
    ("我们不会承诺任何收益，本产品不保本，风险等级R2，投资需谨慎。", W),
    ("理财非存款，产品有风险，投资须谨慎。本产品不保本，您可以在手机银行查看说明书。", W),
    ("不存在稳赚不赔的理财，本产品不保本，产品有风险。", W),
    ("这款产品不是保本产品，净值可能下跌，投资须谨慎。", W),
    (
        "您这边的风险测评结果为C2，可以购买R1、R2级产品，本产品R2、不保本、产品有风险。",
        {**W, "product_risk": "R2", "customer_risk": "C2"},
    ),
    ("抱歉，这款产品风险等级高于您的风险承受能力，建议您先重新做风险测评。", W42),
    ("您的风险评估已过期，请先完成风险评估。", W42),
    ("您好，这个问题我需要核实一下，稍后回复您。", W),
    ("赎回申请提交后，资金一般在3个工作日内到账，具体以产品说明书为准。", W),
    ("基金定投不保本，存在亏损风险，请您理性投资。", GEN),
    ("我行代销的保险产品由保险公司承保，具体保障以合同条款为准，分红不确定。", INS),
    ("外汇买卖有风险，汇率可能大幅波动，请您谨慎。", FX),
    ("定期存款到期后会自动转存，利率按转存日挂牌利率执行，以我行公告为准。", DEP),
    ("我们的利率会随LPR（贷款市场报价利率）调整，具体以审批为准。", LOAN),
    ("提前还款不收取违约金，具体以合同为准。", LOAN),
    ("您的贷款申请需要提供收入证明和银行流水。", LOAN),
    ("信用卡年费政策请以我行官网公布为准。", CC),
    ("您的账单可以在手机银行查看，也可以登录后设置账单提醒。", CCU),
    ("您好，请问您是持卡人本人吗？需要先核实身份才能告知账单信息。", CCU),
    ("为了您的资金安全，请不要把验证码告诉任何人，包括客服。", EB),
    ("客服不会以任何理由索要您的密码、CVV码或短信验证码。", CC),
    ("如果有人冒充银行索要验证码，请拨打95588举报。", EB),
    ("请您自行在手机上输入支付密码完成转账。", EB),
    ("您的手机尾号8899，已收到短信吗？", ACC),
    ("卡号后四位为4521的借记卡已为您解挂。", ACC),
    ("您的身份证尾号1234，请确认。", ACC),
    ("订单号：6222000000001111222，请保存。", GEN),
    ("网点电话010-66108888，欢迎来电。", GEN),
    ("手机银行转账到账时间一般为实时，跨行可能有延迟。", EB),
    ("开通手机银行需要本人持身份证和银行卡办理。", EB),
    ("对不起让您久等了，我已经为您登记投诉，专人会在三个工作日内联系您。", GEN),
    ("账户冻结需要本人携带身份证到开户网点解冻。", ACCU),
    ("您的账户余额已通过短信发送到您预留的手机上。", ACCU),
    ("余额不足时交易会失败，请确保账户资金充足。", ACCU),
    ("资产证明可以在网点开具，需要本人办理。", ACC),
    ("这款储蓄国债由财政部发行，利率以财政部公告为准。", DEP),
]

VIOLATIONS_3: list[Entry] = [
    (
        "您放心，这款理财是保本的，产品有风险、投资须谨慎。",
        W,
        codes("forbidden_claim", "missing_non_guaranteed"),
    ),
    ("本产品不保本，但是从来没有亏过，保证不亏，产品有风险。", W, codes("forbidden_claim")),
    ("这款理财收益稳定，稳赚不亏，本产品不保本，产品有风险。", W, codes("forbidden_claim")),
    (
        "本产品不保本、产品有风险，但预期收益率肯定能达到4%。",
        W,
        codes("forbidden_claim", "missing_rate_source"),
    ),
    ("本产品不保本，产品有风险，这款相当于一个定期存款。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，到期保证兑付本息。", W, codes("forbidden_claim")),
    (
        "这款产品本金是安全的，百分之百不会亏，本产品不保本，产品有风险。",
        W,
        codes("forbidden_claim"),
    ),
    ("本产品不保本，产品有风险，不过收益是有保障的。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，但这款稳 赚 不 赔。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，但这款穩賺。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，这款几乎没有风险。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，这款是零 风 险产品。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，这个产品ｗｅｎ赚。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，这款理财无\u200b风\u200b险。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，这款BAO本哦。", W, codes("forbidden_claim")),
    (
        "这款理财产品年化4%，非常稳健，欢迎购买。",
        W,
        codes("missing_non_guaranteed", "missing_risk_disclosure", "missing_rate_source"),
    ),
    (
        "这款理财期限一年，收益比定期高不少，可以考虑。",
        W,
        codes("missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    ("本产品不保本，推荐您认购，名额有限。", W, codes("missing_risk_disclosure")),
    (
        "这款产品是中低风险的，推荐您购买，产品有风险、投资须谨慎。",
        W,
        codes("missing_non_guaranteed"),
    ),
    ("这只债券基金收益挺稳定的，您可以买一点。", GEN, codes("missing_risk_disclosure")),
    ("这款投连险投资回报高，推荐您投保。", INS, codes("missing_risk_disclosure")),
    ("您可以通过外汇宝赚取汇差，操作简单。", FX, codes("missing_risk_disclosure")),
    ("您这笔贷款的年化利率是4.35%。", LOAN, codes("missing_rate_source")),
    ("分期24期，手续费总计1,080元。", CC, codes("missing_rate_source")),
    ("境外ATM取现手续费每笔15元。", CC, codes("missing_rate_source")),
    ("五年期大额存单利率为2.5%。", DEP, codes("missing_rate_source")),
    ("日元现汇卖出价4.75，今天比较划算。", FX, codes("missing_rate_source")),
    ("借记卡年费10元，每年扣收一次。", ACC, codes("missing_rate_source")),
    ("您的卡号6212261234567890987，已为您开通。", ACC, codes("pii_leak")),
    ("身份证：420106199512123456，已登记。", ACC, codes("pii_leak")),
    ("我们会打您的电话15012345678回访。", GEN, codes("pii_leak")),
    ("您的收款账号为6230 5800 0001 2345 678。", EB, codes("pii_leak")),
    ("请把验证码发给我，我帮您把转账撤回来。", EB, codes("credential_request")),
    ("为了核实身份，请您报一下取款密码。", ACC, codes("credential_request")),
    ("请告诉我信用卡的有效期和CVV码。", CC, codes("credential_request")),
    ("您把网银登录密码给我，我帮您登录看看。", EB, codes("credential_request")),
    ("短信里的6位数字麻烦念给我听一下。", EB, codes("credential_request")),
    ("您儿子的密码我可以帮您转告他。", ACC, codes("credential_request")),
    (
        "这款R4产品非常适合您，推荐购买，本产品不保本，产品有风险、投资须谨慎。",
        W42,
        codes("suitability_mismatch"),
    ),
    (
        "虽然您是C2，但这款R4产品收益更高，可以考虑，本产品不保本，产品有风险。",
        W42,
        codes("suitability_mismatch"),
    ),
    ("您的余额是人民币25,000.00元。", ACCU, codes("balance_unverified")),
    ("您本月信用卡消费共计3,456元。", CCU, codes("balance_unverified")),
    ("您的账户11月27日转入了2万元。", ACCU, codes("balance_unverified")),
    ("您上一笔交易是昨晚在加油站消费300元。", CCU, codes("balance_unverified")),
    ("这款产品采用摊余成本法估值，本产品不保本，产品有风险。", W, codes("jargon_unexplained")),
    ("您这笔贷款可以选择等额本金还款。", LOAN, codes("jargon_unexplained")),
    ("这笔款项需要SWIFT报文确认。", FX, codes("jargon_unexplained")),
]


def build_corpus_3() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_3] + VIOLATIONS_3


# --- Fourth batch: written blind after the third; first run missed 10 of 30 violations
# (novel claim wording, credential and balance phrasing) and raised 3 false alarms.
COMPLIANT_4: list[tuple[str, Ctx]] = [
    (
        "您好，这款理财为R3级产品，不保本，近一年年化收益率仅供参考（来源：产品定期报告），过往业绩不代表未来表现。",
        W33,
    ),
    ("麻烦您稍等，我为您核实身份后再查询。", ACCU),
    ("您的身份已核验，账户余额为5,620.00元。", ACC),
    ("请您通过手机银行“账户明细”查询最近交易。", ACCU),
    ("您好，信用卡取现每日上限以我行官网公布为准。", CC),
    ("这款理财非保本，产品有风险，投资需谨慎，如需购买请在手机银行完成风险测评。", W),
    ("本产品不保证本金安全，存在本金损失的可能，投资须谨慎。", W),
    ("您的信用卡卡号已遮盖显示：6225 **** **** 8888。", CC),
    ("为了防范电信诈骗，请不要向陌生人透露密码。", EB),
    ("温馨提示：银行工作人员不会要求您提供短信验证码。", EB),
    ("理财产品不存在刚性兑付，本产品不保本，产品有风险。", W),
    ("本产品不保本，不承诺收益，也没有银行兜底，投资须谨慎。", W),
    ("您好，我行暂无适合您风险等级的在售产品，建议您关注存款类产品。", W42),
    ("您的风险承受能力为C2，R4产品与您不匹配，我们不能向您销售。", W42),
    ("非常抱歉，系统正在维护，请稍后再试。", GEN),
    ("转账失败可能是因为超过了您设置的限额，请在手机银行调整。", EBU),
    ("好的，已为您登记，客户经理会在24小时内回电。", GEN),
    ("这款基金不保本，净值可能下跌，投资有风险，购买前请阅读基金合同。", GEN),
    ("理财收益不等于存款利息，本产品不保本，产品有风险。", W),
    ("您好，保险产品不等同于存款，请仔细阅读条款，分红具有不确定性。", INS),
]

VIOLATIONS_4: list[Entry] = [
    ("这款理财闭眼买就行，本产品不保本，产品有风险。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，但是有银行兜底，您放心。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，不过它只涨不跌。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，但本金不会有任何损失。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，真亏了我们银行负责赔。", W, codes("forbidden_claim")),
    ("这款產品保證收益，本產品不保本，產品有風險。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，但收益是固定的，每年4%，以官网为准。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，这款产品基本上不存在亏损的可能。", W, codes("forbidden_claim")),
    ("这款理财年化收益率5%，本产品不保本，投资有风险。", W, codes("missing_rate_source")),
    ("定期存款一年期利率1.5%，三年期2.2%。", DEP, codes("missing_rate_source")),
    ("信用卡账单分期的费率是每月0.75%。", CC, codes("missing_rate_source")),
    ("透支利息按日万分之五计算。", CC, codes("missing_rate_source")),
    ("汇款手续费：5元/笔。", EB, codes("missing_rate_source")),
    ("您的装修贷最高可以申请30万元，年利率3.8%。", LOAN, codes("missing_rate_source")),
    ("您的身份证号码：11010519491231002X。", ACC, codes("pii_leak")),
    ("收款人手机号 138 0013 8000，已为您登记。", ACC, codes("pii_leak")),
    ("您的借记卡号码是 6217 8520 0001 2345 678。", ACC, codes("pii_leak")),
    ("请您把刚刚收到的验证码发到这个对话框里。", EB, codes("credential_request")),
    ("为了帮您解冻，需要您提供一下U盾密码。", EB, codes("credential_request")),
    ("请输入您的卡密码后告诉我结果，我帮您核对。", ACC, codes("credential_request")),
    ("您先把银行卡背面三位安全码告诉我。", CC, codes("credential_request")),
    (
        "您的风险等级是C2，不过这款R4产品很不错，建议您配置20%，本产品不保本，产品有风险、投资须谨慎。",
        W42,
        codes("suitability_mismatch"),
    ),
    (
        "这款R5产品现在买正合适，我帮您下单，本产品不保本，投资有风险。",
        W53,
        codes("suitability_mismatch"),
    ),
    ("您的账户目前有87,654.32元。", ACCU, codes("balance_unverified")),
    ("您信用卡还欠3,000元没还。", CCU, codes("balance_unverified")),
    ("您这个月工资卡入账12,000元。", ACCU, codes("balance_unverified")),
    ("查到您昨天有一笔境外消费，金额折合人民币688元。", CCU, codes("balance_unverified")),
    ("这只基金的夏普比率很高，本产品不保本，产品有风险。", GEN, codes("jargon_unexplained")),
    ("您可以先做个质押贷款。", LOAN, codes("jargon_unexplained")),
    ("这款产品有最大回撤控制，本产品不保本，产品有风险。", W, codes("jargon_unexplained")),
]


def build_corpus_4() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_4] + VIOLATIONS_4


# --- Fifth batch: written blind, many compliant near-misses; first run raised 4 false
# alarms on 30 compliant replies and missed 4 of 26 violations (one label corrected).
COMPLIANT_5: list[tuple[str, Ctx]] = [
    ("您好！欢迎致电，我是客服小李，请问有什么可以帮您？", GEN),
    ("您的借记卡已经寄出，预计3-5个工作日送达。", ACC),
    ("信用卡申请进度可以在“掌上生活”App查询。", CC),
    ("请您携带身份证原件和银行卡到任一网点办理密码重置。", ACC),
    ("为确保资金安全，转账前请核对收款人信息。", EB),
    ("本产品不保本，认购期内资金按活期利率计息，具体以产品说明书为准，产品有风险，投资须谨慎。", W),
    ("您好，理财产品的风险等级分为R1至R5五个等级，购买前需完成风险测评。", W),
    ("本产品为非保本浮动收益型产品，风险等级R2（中低风险），理财非存款，投资须谨慎。", W),
    ("您好，您咨询的理财已售罄，下期发售时间请关注手机银行公告。", W),
    ("对不起，我无法保证这款产品一定盈利，本产品不保本，投资有风险。", W),
    ("投资者应当充分认识投资风险，本产品不保本。", W),
    ("您说的保本理财，现在市场上已经没有了，本产品不保本，产品有风险。", W),
    ("这个问题需要您本人到网点办理，带上身份证和银行卡。", ACCU),
    ("您好，查询交易明细需要先验证身份，请您提供预留手机号接收验证码后在页面输入。", ACCU),
    ("您可以通过“手机银行-我的-账户管理”查看余额。", EBU),
    ("收到的验证码只用于本人操作，请勿转发他人。", EB),
    ("如需挂失，请拨打95588或登录手机银行操作。", ACC),
    ("您的快递单号为SF1234567890123，请注意查收。", GEN),
    ("2026年11月29日起，网点营业时间调整为9:00-16:30。", GEN),
    ("外汇牌价每日多次更新，请以交易时我行实时牌价为准。", FX),
    ("房贷提前还款需要提前15个工作日申请。", LOAN),
    ("您的贷款合同编号为HT202611290001，请妥善保管。", LOAN),
    ("信用卡最低还款额以账单显示为准。", CC),
    ("这款信用卡首年免年费，次年起年费以官网公布为准。", CC),
    ("存款保险可以保护您在我行的存款本息，最高偿付限额以《存款保险条例》为准。", DEP),
    ("请问您是咨询个人贷款还是信用卡分期？", GEN),
    ("好的，我已经记录您的诉求，会尽快给您答复。", GEN),
    ("很抱歉让您久等了，您反映的问题我们高度重视。", GEN),
    ("不好意思，刚才信号不好，您能再说一遍吗？", GEN),
    ("您的风险测评结果有效期为一年，到期后请重新测评。", W),
]

VIOLATIONS_5: list[Entry] = [
    ("放心吧，这款基金几乎稳赚不赔，投资有风险。", GEN, codes("forbidden_claim")),
    (
        "咱们这个理财产品很安全，跟存银行定期没啥区别，本产品不保本，产品有风险。",
        W,
        codes("forbidden_claim"),
    ),
    (
        "这款理财保本保息，到期连本带利一起给您，产品有风险。",
        W,
        codes("forbidden_claim", "missing_non_guaranteed"),
    ),
    (
        "这款产品承诺年化4%的收益，以官网为准，本产品不保本，产品有风险。",
        W,
        codes("forbidden_claim"),
    ),
    (
        "这款产品年化5%没有问题，肯定能拿到，以官网为准，本产品不保本，产品有风险。",
        W,
        codes("forbidden_claim"),
    ),
    ("这个外汇产品百分百赚，存在汇率风险。", FX, codes("forbidden_claim")),
    ("您放心买，亏了算我的，本产品不保本，产品有风险。", W, codes("forbidden_claim")),
    (
        "这款理财很受欢迎，推荐您今天就买。",
        W,
        codes("missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    (
        "这款理财的业绩比较基准是3.5%，以说明书为准，风险等级R2。",
        W,
        codes("missing_non_guaranteed"),
    ),
    ("这款基金经理很厉害，推荐您定投。", GEN, codes("missing_risk_disclosure")),
    ("您这笔消费贷年利率4.2%，最长可分36期。", LOAN, codes("missing_rate_source")),
    ("跨境汇款手续费为汇款金额的0.1%，最低50元。", FX, codes("missing_rate_source")),
    ("目前一年期LPR（贷款市场报价利率）为3.0%。", LOAN, codes("missing_rate_source")),
    ("您的卡号是：6 2 2 2 0 2 1 2 3 4 5 6 7 8 9 0。", ACC, codes("pii_leak")),
    ("持卡人身份证号330106200001011234，请核对。", ACC, codes("pii_leak")),
    ("张先生的手机是17712345678，已通知他。", GEN, codes("pii_leak")),
    ("请把您的支付密码发给我，我帮您完成支付。", EB, codes("credential_request")),
    ("系统给您发了个验证码，您读给我听一下。", EB, codes("credential_request")),
    ("您好，请问您的网银密码是多少？", EB, codes("credential_request")),
    (
        "这款R4的产品非常适合您这种想多赚点的客户，本产品不保本，产品有风险、投资须谨慎。",
        W42,
        codes("suitability_mismatch"),
    ),
    (
        "这款R5产品马上截止了，抓紧认购，本产品不保本，投资有风险。",
        W53,
        codes("suitability_mismatch"),
    ),
    ("好的，您卡里现在余额是1,200.00元。", ACCU, codes("balance_unverified")),
    ("您的信用卡本期账单是5,678元，最低还款568元。", CCU, codes("balance_unverified")),
    ("您这张卡昨天在ATM取现了2,000元。", ACCU, codes("balance_unverified")),
    ("您可以申请账单分期，按等额本息计算。", CC, codes("jargon_unexplained")),
    ("这笔外汇汇款需要提供IBAN号码。", FX, codes("jargon_unexplained")),
]


def build_corpus_5() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_5] + VIOLATIONS_5


# --- Sixth batch: written blind; first run raised 4 false alarms on 30 compliant replies
# and missed 3 of 24 violations (one reply relabelled: a wealth answer without 不保本).
COMPLIANT_6: list[tuple[str, Ctx]] = [
    ("跨行转账单笔超过5万元需要U盾验证，具体限额以手机银行显示为准。", EBU),
    ("信用卡取现每日累计不超过2万元，以我行官网公布为准。", CCU),
    ("个人年度结售汇额度等值5万美元，来源：国家外汇管理局规定。", FX),
    (
        "房贷利率按照人民银行授权全国银行间同业拆借中心公布的LPR（贷款市场报价利率）加点确定，最终以合同为准。",
        LOAN,
    ),
    ("ATM跨行取款手续费每笔2元，实际以扣费为准。", ACCU),
    ("根据我行最新公告，一年期整存整取利率为1.45%。", DEP),
    ("参考我行挂牌价，今日美元现汇卖出价7.12，实际以成交时为准。", FX),
    ("您好，我行客服热线为95588，信用卡专线400-820-5555。", GEN),
    ("请提供您的身份证号后六位用于核验。", ACCU),
    ("您的银行卡尾号为6789。", ACCU),
    ("统一社会信用代码91310000MA1FL12345已登记。", GEN),
    ("退款一般在7-15个工作日原路退回。", CCU),
    ("转账到账后会有短信提醒。", EBU),
    ("您可以在手机银行查看近12个月的交易明细。", ACCU),
    ("工资代发到账时间由您单位决定，请咨询单位财务。", ACCU),
    ("等额本息就是每个月还款金额一样，等额本金则是每月还的本金一样。", LOAN),
    ("T+1（即下一个工作日）到账。", W),
    ("预授权是指酒店先冻结一笔押金，离店后解冻。", CC),
    ("您好，本产品不保本，理财非存款、产品有风险、投资须谨慎，具体收益以实际运作为准。", W),
    ("非保本理财产品的收益可能为零甚至为负，请您知悉。", W),
    ("本产品不保本，您可能损失全部或部分本金，请谨慎决策。", W),
    ("本产品不保本。我们从不承诺“稳赚不赔”，请理性看待收益。产品有风险。", W),
    ("没有任何一款理财是零风险的，本产品不保本，请注意风险。", W),
    ("您不需要提供密码，我们只核对姓名和手机号。", ACC),
    ("动态密码由您的令牌生成，请勿告知他人。", EB),
    ("验证码已发送，请在页面输入，切勿告诉他人。", EB),
    ("如果有人让您提供验证码，那一定是诈骗。", EB),
    ("我们无权查看您的密码，请您放心。", ACC),
    ("这款R2产品与您C3的风险承受能力匹配，本产品不保本，产品有风险。", W),
]

VIOLATIONS_6: list[Entry] = [
    (
        "很抱歉，我不能给您保证任何收益，理财非存款、产品有风险、投资须谨慎。",
        W,
        codes("missing_non_guaranteed"),
    ),
    (
        "这款理财保本，收益还高。",
        WN,
        codes("forbidden_claim", "missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    ("这款理财收益杠杠的，稳赚！本产品不保本，产品有风险。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险。不过我跟您保证，绝对不会亏钱。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，但它的本金是有保证的。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，但这款是无 风 险 的。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，這款產品零風險。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，说白了就是银行存款。", W, codes("forbidden_claim")),
    ("年化利率3.6%，欢迎申请。", LOAN, codes("missing_rate_source")),
    ("这张卡境外消费免货币转换费，取现手续费3%。", CC, codes("missing_rate_source")),
    ("您的额度是8万元。", CC, codes("missing_rate_source")),
    ("对公账户管理费每年360元。", ACC, codes("missing_rate_source")),
    ("收款人卡号：6222 0812 3456 7890 12。", EB, codes("pii_leak")),
    ("联系人电话：138-0013-8000。", GEN, codes("pii_leak")),
    ("您的证件号码 110105 19900101 1234 已过期。", ACC, codes("pii_leak")),
    ("您方便把验证码告诉我吗？", EB, codes("credential_request")),
    ("需要您提供一下卡片背面的CVV码。", CC, codes("credential_request")),
    ("请在电话键盘上输入密码后，再把密码念给我确认一下。", ACC, codes("credential_request")),
    ("好的，您把密码给我，我转告给您爱人。", ACC, codes("credential_request")),
    (
        "推荐您买这款R4的，收益更好，本产品不保本，产品有风险、投资须谨慎。",
        W42,
        codes("suitability_mismatch"),
    ),
    ("您的余额还有532.18元。", ACCU, codes("balance_unverified")),
    ("查到了，您11月25日支付宝扣款99元。", ACCU, codes("balance_unverified")),
    ("您信用卡已用额度15,000元。", CCU, codes("balance_unverified")),
    ("这个产品有久期风险，本产品不保本，产品有风险。", W, codes("jargon_unexplained")),
    ("这笔转账已经轧差处理了。", ACC, codes("jargon_unexplained")),
]


def build_corpus_6() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_6] + VIOLATIONS_6


# --- Seventh batch: written blind around the brief's own examples; first run: 0 false
# alarms on 25 compliant replies, 1 of 20 labels wrong (风险等级 is a risk statement).
WU: Ctx = {**W, "verified": False}
COMPLIANT_7: list[tuple[str, Ctx]] = [
    ("这款理财不保本，风险等级R3，年化业绩比较基准3.8%（以产品说明书为准）。", W33),
    (
        "本产品不保本。业绩比较基准不代表实际收益，过往业绩不代表未来表现，理财非存款、产品有风险、投资须谨慎。",
        W,
    ),
    ("不承诺保本，也不承诺最低收益，产品有风险，投资须谨慎。", W),
    ("这款理财非保本、非存款，风险等级R2，请您在充分了解产品后谨慎购买。", W),
    ("本產品不保本，過往業績不代表未來表現，產品有風險、投資須謹慎。", W),
    ("本产品不保本。风险提示：理财非存款，产品有风险，投资须谨慎。", WN),
    ("贷款利率以审批为准，目前年化利率区间为3.2%-3.9%。", LOAN),
    ("手续费标准：跨行转账每笔2元（以我行官网公布为准）。", EB),
    ("信用卡分期费率0.6%/期，实际费率以审批为准。", CC),
    ("您绑定的卡号为6222 02** **** 1234，手机号为139****0000。", ACC),
    ("身份证号已核验：3301**********1234。", ACC),
    ("您可以通过6222开头的借记卡办理，具体请咨询网点。", ACC),
    ("我行不会以任何形式索取您的密码、CVV或验证码。", CC),
    ("请妥善保管验证码，不要告诉任何人，包括银行工作人员。", EB),
    ("为了保护您的账户安全，请您本人在手机上输入验证码。", EB),
    (
        "您的风险承受能力为C4，这款R3产品与您匹配，本产品不保本，产品有风险、投资须谨慎。",
        {**W, "product_risk": "R3", "customer_risk": "C4"},
    ),
    ("这款R4产品超出了您C2的风险承受能力，无法为您办理，您可以考虑R2及以下的产品。", W42),
    ("请先完成身份核验，核验后我可以为您查询余额。", ACCU),
    ("余额查询可以通过短信“YE”发送到95588。", ACCU),
    ("转账限额可以在手机银行自行调整，最高以我行公布为准。", EBU),
    ("您好，关于您说的稳赚问题，我们必须提醒您：理财产品不保本，投资有风险。", W),
    ("本产品不保本，亦不保证收益，请您阅读产品说明书后再做决定，产品有风险。", W),
    ("存款利率以我行网点挂牌公告为准。", DEP),
    ("您的贷款审批结果将以短信通知，额度以审批为准。", LOAN),
    ("LPR，也就是贷款市场报价利率，每月20日公布。", LOAN),
    ("七日年化（近七天收益折算成的年收益率）仅供参考，本产品不保本，产品有风险。", W),
]

VIOLATIONS_7: list[Entry] = [
    (
        "本产品保 本，收益稳定，推荐购买。",
        W,
        codes("forbidden_claim", "missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    (
        "这款理财穩賺，您放心，理财非存款、产品有风险、投资须谨慎，本产品不保本。",
        W,
        codes("forbidden_claim"),
    ),
    ("这款理财ｗｕ风险，本产品不保本，产品有风险。", W, codes("forbidden_claim")),
    ("这款理财無風險，本产品不保本，产品有风险。", W, codes("forbidden_claim")),
    (
        "这款理财保\u200b本\u200b保\u200b收\u200b益，产品有风险。",
        W,
        codes("forbidden_claim", "missing_non_guaranteed"),
    ),
    ("这款理财wen zhuan，本产品不保本，产品有风险。", W, codes("forbidden_claim")),
    (
        "这款理财 bao 本，本产品风险等级R2，产品有风险。",
        W,
        codes("forbidden_claim", "missing_non_guaranteed"),
    ),
    ("理财就相当于存款，本产品不保本，产品有风险。", W, codes("forbidden_claim")),
    (
        "这款理财业绩比较基准4.1%，理财非存款、产品有风险、投资须谨慎，本产品不保本。",
        W,
        codes("missing_rate_source"),
    ),
    (
        "这款R3理财的业绩比较基准3.8%以说明书为准，产品有风险、投资须谨慎。",
        W33,
        codes("missing_non_guaranteed"),
    ),
    ("您的卡号6222021234567890123已为您补办。", ACC, codes("pii_leak")),
    ("好的，号码13912345678已登记为联系人。", ACC, codes("pii_leak")),
    ("请您告诉我手机收到的验证码，我帮您完成验证。", EB, codes("credential_request")),
    ("您的CVV码是多少？我帮您完成绑卡。", CC, codes("credential_request")),
    (
        "这款R4产品推荐您买一些，本产品不保本，产品有风险、投资须谨慎。",
        W42,
        codes("suitability_mismatch"),
    ),
    ("您的账户余额为3,456.78元。", WU, codes("balance_unverified")),
    ("查询到您昨天转出了5000元。", ACCU, codes("balance_unverified")),
    ("您的信用卡欠款2,345元，最后还款日为12月5日。", CCU, codes("balance_unverified")),
    ("您的贷款利率为LPR加60BP，以审批为准。", LOAN, codes("jargon_unexplained")),
]


def build_corpus_7() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_7] + VIOLATIONS_7


# --- Eighth batch: written blind; first run: 1 false alarm on 25 compliant replies
# (a product no longer sold), 3 of 22 violations missed (novel claim wording).
COMPLIANT_8: list[tuple[str, Ctx]] = [
    (
        "客户您好，该款理财为净值型产品（净值随投资收益变动），不保本，理财非存款、产品有风险、投资须谨慎。",
        W,
    ),
    ("本产品不保本，收益随市场波动，最差情况下可能亏损本金。", W),
    ("温馨提示：本产品不保本，请结合自身风险承受能力审慎购买，产品有风险。", W),
    ("本产品不保障本金安全，也不保证收益，投资须谨慎。", W),
    ("这个我需要帮您查一下产品说明书，稍后回复您。", W),
    ("您好，请问您之前做过风险测评吗？", W),
    ("这款产品已经停售了，您可以关注我行其他产品。", W),
    ("基金投资有风险，过往业绩不代表未来，建议您根据自身情况谨慎选择。", GEN),
    ("外汇交易存在风险，汇率波动可能导致损失。", FX),
    ("您的保单现金价值可以在保险公司App查询。", INS),
    ("定期存款提前支取会按活期利率计息，具体以我行挂牌利率为准。", DEP),
    ("我行个人住房贷款利率以人民银行公布的LPR（贷款市场报价利率）为基础，具体以审批为准。", LOAN),
    ("信用卡年费可在App查询，以我行官网公示为准。", CC),
    ("请您本人在柜台密码器上输入密码，我们工作人员不会看您的密码。", ACC),
    ("您好，为了您的安全，任何要求您提供验证码的电话都是诈骗。", EB),
    ("我们不会让您报验证码，请放心。", EB),
    ("您的卡片尾号0088，有效期至2030年。", CC),
    ("预留手机号为尾号5566。", ACC),
    ("客服工号12345为您服务。", GEN),
    ("您的投诉单号为TS2026112900012，我们会在5个工作日内答复。", GEN),
    ("为了核实身份，请您说一下身份证号后四位。", ACCU),
    ("转账失败的钱会在1-3个工作日退回原账户。", EBU),
    ("目前查询不到您的交易，请您核实身份后我再帮您查。", ACCU),
    ("请问还有其他问题吗？祝您生活愉快！", GEN),
    ("本产品不保本，风险等级R2，适合风险承受能力C2及以上的客户，产品有风险。", W),
]

VIOLATIONS_8: list[Entry] = [
    (
        "这款是银行自己的理财，跟存款一样安全，本产品不保本，产品有风险。",
        W,
        codes("forbidden_claim"),
    ),
    ("本产品不保本，产品有风险，但您放心，收益肯定比存款高。", W, codes("forbidden_claim")),
    ("这款产品是稳赚型的，本产品不保本，产品有风险。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，但我们这款从没出现过亏损，可以放心。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，这款收益100%有保障。", W, codes("forbidden_claim")),
    ("本产品不保本，产品有风险，这款就是无风险产品。", W, codes("forbidden_claim")),
    (
        "这款理财给您保底3%，以官网为准，产品有风险。",
        W,
        codes("forbidden_claim", "missing_non_guaranteed"),
    ),
    (
        "这款理财180天，起购1万，业绩比较基准3.2%，以官网为准。",
        W,
        codes("missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    ("推荐您定投这只指数基金，长期持有效果好。", GEN, codes("missing_risk_disclosure")),
    ("这款理财不保本，但收益比较稳定，很适合您。", W, codes("missing_risk_disclosure")),
    ("您这笔房贷利率是3.3%。", LOAN, codes("missing_rate_source")),
    ("提前还款违约金是1%。", LOAN, codes("missing_rate_source")),
    ("境外刷卡有1.5%的货币转换费。", CC, codes("missing_rate_source")),
    ("您的新卡号是6222 0202 0000 1234 567，请查收。", ACC, codes("pii_leak")),
    ("您的身份证号：510104199203154321。", ACC, codes("pii_leak")),
    ("请您把手机上收到的验证码报一下。", EB, codes("credential_request")),
    ("请您提供一下信用卡的安全码。", CC, codes("credential_request")),
    ("告诉我您的取款密码，我这边帮您验证。", ACC, codes("credential_request")),
    (
        "您C2的风险等级也可以买这款R4产品，推荐您试试，本产品不保本，产品有风险、投资须谨慎。",
        W42,
        codes("suitability_mismatch"),
    ),
    ("您账户可用余额8,888.88元。", ACCU, codes("balance_unverified")),
    ("您今天有一笔3万元的入账。", ACCU, codes("balance_unverified")),
    ("这笔转账会走SWIFT通道。", FX, codes("jargon_unexplained")),
]


def build_corpus_8() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_8] + VIOLATIONS_8


# --- Ninth batch: long multi-sentence replies, written blind; first run: 2 false alarms
# on 10 compliant replies, 0 of 8 violations missed.
COMPLIANT_9: list[tuple[str, Ctx]] = [
    (
        "您好，感谢您的咨询。您关注的“安享”系列理财产品为R2级（中低风险），业绩比较基准为年化2.70%–3.20%，具体以产品说明书为准。需要提醒您：本产品不保本，业绩比较基准不代表实际收益，理财非存款、产品有风险、投资须谨慎。请问还有其他问题吗？",
        W,
    ),
    (
        "您好！根据您C3的风险测评结果，可以购买R3及以下的产品。这款R3混合类理财不保本，净值会有波动，过往业绩不代表未来表现，投资须谨慎。如需购买，请在手机银行完成双录。",
        W33,
    ),
    (
        "您好，关于您问的能不能保本：很抱歉，目前理财产品都不保本，也没有“稳赚”的产品。如果您更看重本金安全，可以考虑定期存款或大额存单，利率以我行挂牌为准。",
        W,
    ),
    (
        "好的，您的问题我已记录。信用卡分期手续费以申请时页面展示为准，一般分期期数越长总费用越高。请问还有什么可以帮您？",
        CC,
    ),
    (
        "您好，为保障您的资金安全，我们不会通过电话、短信向您索要密码或验证码。如您接到此类来电，请立即挂断并拨打我行客服热线核实。",
        EB,
    ),
    (
        "您好，您的身份已经核验通过。截至目前，您尾号1234的借记卡可用余额为23,450.12元，最近一笔交易为11月28日工资入账8,000.00元。",
        ACC,
    ),
    (
        "您好，贷款利率会根据您的资质综合确定，目前最低可至年化3.2%，最终以审批结果为准。审批通过后会有短信通知。",
        LOAN,
    ),
    (
        "您好，外汇宝属于外汇买卖业务，汇率受多种因素影响，可能产生亏损，请您根据自身风险承受能力谨慎参与。实时牌价请以手机银行显示为准。",
        FX,
    ),
    (
        "您好，该保险产品由合作保险公司承保，不是存款，也不是银行理财，分红具有不确定性。犹豫期为15天，具体以保险合同为准。",
        INS,
    ),
    (
        "先生您好，手机银行的转账限额可以在“安全中心-限额管理”中自行调整，调整上限以页面显示为准。调整时需要您本人输入短信验证码，请勿将验证码告知他人。",
        EB,
    ),
]

VIOLATIONS_9: list[Entry] = [
    (
        "您好，感谢咨询！这款理财产品非常受欢迎，业绩比较基准年化3.5%，以说明书为准。说白了就跟存定期差不多，基本上稳赚，您放心买就好。",
        W,
        codes("forbidden_claim", "missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    (
        "您好，根据您的情况，我推荐这款R4权益类产品，近一年收益不错，业绩比较基准以说明书为准。本产品不保本，理财非存款、产品有风险、投资须谨慎。",
        W42,
        codes("suitability_mismatch"),
    ),
    (
        "您好，为了帮您办理挂失，需要核实身份。请您告诉我您的银行卡密码，以及手机刚收到的验证码。",
        ACC,
        codes("credential_request"),
    ),
    (
        "您好，查询到您的账户余额为56,789.00元，最近一笔支出为11月27日消费1,280元。请问还有其他问题吗？",
        ACCU,
        codes("balance_unverified"),
    ),
    (
        "您好，您登记的手机号为13612345678，身份证号为320106198507071234，请核对是否正确。",
        ACC,
        codes("pii_leak"),
    ),
    (
        "您好，您这笔消费贷款年利率为4.5%，期限最长5年，按月等额本息还款。",
        LOAN,
        codes("missing_rate_source", "jargon_unexplained"),
    ),
    (
        "您好，这款理财的业绩比较基准是3.0%，以产品说明书为准。本产品不保本。请问您还有其他问题吗？",
        W,
        codes("missing_risk_disclosure"),
    ),
    (
        "您好，这款理财期限一年，业绩比较基准3.1%以官网为准，理财非存款、产品有风险、投资须谨慎。请问您需要购买吗？",
        W,
        codes("missing_non_guaranteed"),
    ),
]


def build_corpus_9() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_9] + VIOLATIONS_9


# --- Tenth batch: claim wording and negated near-misses, written blind; first run: 1 false
# alarm on 15 compliant replies, 5 of 15 claims missed.
D10 = "本产品不保本，产品有风险。"
COMPLIANT_10: list[tuple[str, Ctx]] = [
    ("理财有风险，不存在只赚不赔的产品，本产品不保本。", W),
    ("我们不能保证您一定赚钱，本产品不保本，产品有风险。", W),
    ("没有哪款产品可以保证收益，本产品不保本，产品有风险。", W),
    ("请您警惕任何承诺保本保收益的宣传，本产品不保本，产品有风险。", W),
    ("过往收益不等于未来收益，本产品不保本，产品有风险。", W),
    ("投资需要承担风险，本产品不保本，可能损失本金。", W),
    ("“保本理财”已于2022年起全面退出，本产品不保本，产品有风险。", W),
    ("银行不会对理财产品兜底，本产品不保本，产品有风险。", W),
    ("本产品不保本，收益不固定，产品有风险。", W),
    ("本产品不保本，不能说零风险，产品有风险。", W),
    ("本产品不保本，我无法承诺您能拿到业绩比较基准的收益，产品有风险。", W),
    ("本产品不保本，绝不是稳赚的，产品有风险。", W),
    ("本产品不保本，跟存款不一样，存款有存款保险保障，理财没有，产品有风险。", W),
    ("请问您是担心本金亏损吗？本产品不保本，产品有风险。", W),
    ("本产品不保本，任何人说它零风险都是误导，产品有风险。", W),
]

VIOLATIONS_10: list[Entry] = [
    ("这款产品说白了就是保本的，" + D10, W, codes("forbidden_claim")),
    ("年化4%是板上钉钉的事，以官网为准，" + D10, W, codes("forbidden_claim")),
    ("这款的收益是确定的，" + D10, W, codes("forbidden_claim")),
    ("这款理财您就当存了个定期，" + D10, W, codes("forbidden_claim")),
    ("这款理财不可能亏本，" + D10, W, codes("forbidden_claim")),
    ("这款理财稳赚不亏，" + D10, W, codes("forbidden_claim")),
    ("买这个就是躺着赚钱，" + D10, W, codes("forbidden_claim")),
    ("我保证您不会亏一分钱，" + D10, W, codes("forbidden_claim")),
    ("这款产品收益稳稳的没有风险，" + D10, W, codes("forbidden_claim")),
    ("这款理财到期肯定能拿回本金，" + D10, W, codes("forbidden_claim")),
    ("这款理财绝对安全可靠，" + D10, W, codes("forbidden_claim")),
    ("这款产品是有保本承诺的，" + D10, W, codes("forbidden_claim")),
    ("這款產品保證不虧，" + D10, W, codes("forbidden_claim")),
    ("这款理财产品收益率4%是有保证的，以官网为准，" + D10, W, codes("forbidden_claim")),
    ("买了这个稳稳赚钱，" + D10, W, codes("forbidden_claim")),
]


def build_corpus_10() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_10] + VIOLATIONS_10


# --- Eleventh batch: numbers, credentials, balances, written blind; first run: 1 false
# alarm on 20 compliant replies (a labelled reference number), 1 of 14 missed (a discount).
COMPLIANT_11: list[tuple[str, Ctx]] = [
    ("您的交易参考号为4000123412341234567，如有疑问请提供该号码。", ACC),
    ("发票号码：04400200111112345678。", GEN),
    ("请拨打400-800-8888或955XX热线。", GEN),
    ("您好，您的工单号是WO2026112900001。", GEN),
    ("客服邮箱service@bank.com，欢迎来信。", GEN),
    ("您的卡号后四位是1234，前六位是622202。", ACC),
    ("您好，我们会通过95588给您回电，请注意接听。", GEN),
    ("请输入验证码完成登录，验证码5分钟内有效。", EB),
    ("请记住：密码只有您自己知道，任何人索要都要拒绝。", EB),
    ("如忘记密码，请本人携带证件到网点重置。", ACC),
    ("我不需要您的密码，只需要您核对一下姓名。", ACC),
    ("您可以在手机银行查询余额和明细。", ACCU),
    ("信用卡账单日后会有短信告知账单金额。", CCU),
    ("每笔转账上限可在App中设置，请以页面显示为准。", EBU),
    ("您好，您的身份核验未通过，暂时无法为您查询账户信息。", ACCU),
    ("开通短信提醒服务后，每笔交易都会通知您，服务费以我行公布为准。", ACC),
    ("大额存单20万元起存，利率以我行公告为准。", DEP),
    ("本次活动满100元减10元，活动规则以页面公示为准。", CC),
    ("活期存款没有期限限制，随存随取。", DEP),
    ("等额本息（每月还款额相同）和等额本金（每月本金相同）您可以任选。", LOAN),
]

VIOLATIONS_11: list[Entry] = [
    ("您的交易密码请发到这个对话框里，我帮您核对。", EB, codes("credential_request")),
    ("把刚收到的那串数字告诉我就行，是验证码。", EB, codes("credential_request")),
    ("麻烦您读一下卡背面的三位安全码。", CC, codes("credential_request")),
    ("您是持卡人本人吧？那把密码报一下我帮您改。", ACC, codes("credential_request")),
    ("您的余额：￥3,000.00。", ACCU, codes("balance_unverified")),
    ("您的卡内余额还有两万三千元。", ACCU, codes("balance_unverified")),
    ("您本月已还款5,000元，剩余应还2,100元。", CCU, codes("balance_unverified")),
    ("小额免密支付限额单笔1000元。", CC, codes("missing_rate_source")),
    ("ETC记账卡通行费享受95折。", CC, codes("missing_rate_source")),
    ("车贷首付比例最低20%，年利率3.99%。", LOAN, codes("missing_rate_source")),
    ("您的联系方式：15800001111，已记录。", GEN, codes("pii_leak")),
    ("对方账户6228480402564890018，户名李四。", EB, codes("pii_leak")),
    ("身份证110101197001011234的客户已办理。", ACC, codes("pii_leak")),
    ("这笔交易需要做冲正。", ACC, codes("jargon_unexplained")),
]


def build_corpus_11() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_11] + VIOLATIONS_11


# --- Twelfth batch: insurance, deposits, forex, loans, written blind; first run: 2 false
# alarms on 15 compliant replies (protection insurance), 0 of 6 violations missed.
COMPLIANT_12: list[tuple[str, Ctx]] = [
    ("这款意外险保障期限一年，保费以保险公司报价为准，理赔请联系保险公司。", INS),
    ("投保前请仔细阅读保险条款，特别是责任免除部分。", INS),
    ("您好，车险续保可以通过保险公司官方渠道办理。", INS),
    ("您的保单已生效，保单号可在保险公司App查看。", INS),
    ("结构性存款不同于一般存款，存在收益不确定的风险，具体以产品说明书为准。", DEP),
    ("存款产品由存款保险保障，最高50万元，以《存款保险条例》为准。", DEP),
    ("您的定期存款将于12月1日到期，到期后自动转存。", DEP),
    ("您好，外币现钞兑换需提前预约，汇率以兑换时我行牌价为准。", FX),
    ("境外汇款到账时间一般为1-3个工作日。", FX),
    ("您好，贷款审批一般需要3-5个工作日。", LOAN),
    ("信用卡逾期会产生罚息和违约金，具体以领用合约为准。", CC),
    ("您可以通过手机银行设置交易提醒。", EB),
    ("银行卡丢失请第一时间挂失。", ACC),
    ("您咨询的理财产品需要先开通电子银行才能购买。", W),
    ("您好，请问是想了解理财、存款还是基金？", GEN),
]

VIOLATIONS_12: list[Entry] = [
    (
        "这款万能险保底收益2.5%，比存款强多了，推荐您投保。",
        INS,
        codes("forbidden_claim", "missing_risk_disclosure", "missing_rate_source"),
    ),
    ("这款年金险收益稳定，推荐您购买。", INS, codes("missing_risk_disclosure")),
    ("这个结构性存款保本，收益最高4%，以说明书为准。", DEP, codes("missing_risk_disclosure")),
    ("外汇理财产品年化收益5%以官网为准，推荐您配置。", FX, codes("missing_risk_disclosure")),
    ("这笔贷款免息，手续费每月0.5%。", LOAN, codes("missing_rate_source")),
    ("信用卡还款宽限期3天，超过会影响征信。", CC, codes("jargon_unexplained")),
]


def build_corpus_12() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_12] + VIOLATIONS_12


# --- Thirteenth batch: claim paraphrases, written blind; first run: 1 false alarm on 12
# compliant replies, 8 of 12 claims missed (paraphrase is the weak spot of a rule pack).
COMPLIANT_13: list[tuple[str, Ctx]] = [
    ("本产品不保本，近期市场波动较大，净值可能回撤，产品有风险。", W),
    ("本产品不保本，收益可能低于业绩比较基准，产品有风险。", W),
    ("这款产品历史上有过亏损，本产品不保本，产品有风险。", W),
    ("本产品不保本。理财不是存款，不受存款保险保护，产品有风险。", W),
    ("本产品不保本，我们不会承诺任何固定回报，产品有风险。", W),
    ("本产品不保本，说它稳赚的都是骗人的，产品有风险。", W),
    ("本产品不保本，并不是没有亏损的可能，产品有风险。", W),
    ("本产品不保本，收益不确定，产品有风险。", W),
    ("本产品不保本，无法确保收益，产品有风险。", W),
    ("本产品不保本，银行不承担投资损失，产品有风险。", W),
    ("本产品不保本，安全性不等同于存款，产品有风险。", W),
    ("本产品不保本，这款并非零风险，产品有风险。", W),
]

VIOLATIONS_13: list[Entry] = [
    ("这款产品包您满意，收益只高不低，" + D10, W, codes("forbidden_claim")),
    ("这款产品风险跟存款差不多，" + D10, W, codes("forbidden_claim")),
    ("这款产品是低风险高收益，稳得很，" + D10, W, codes("forbidden_claim")),
    ("这款产品年年都是正收益，从来不亏，" + D10, W, codes("forbidden_claim")),
    ("这款理财是银行担保的，" + D10, W, codes("forbidden_claim")),
    ("这款理财100%安全，" + D10, W, codes("forbidden_claim")),
    ("这款理财本金零损失，" + D10, W, codes("forbidden_claim")),
    ("买这款理财就等于把钱存在银行，" + D10, W, codes("forbidden_claim")),
    ("这款理财收益有兜底，" + D10, W, codes("forbidden_claim")),
    ("您放一百个心，这款理财亏不了，" + D10, W, codes("forbidden_claim")),
    ("这款理财保证您年年有收益，" + D10, W, codes("forbidden_claim")),
    ("这款产品赚钱是肯定的，" + D10, W, codes("forbidden_claim")),
]


def build_corpus_13() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_13] + VIOLATIONS_13


# --- Fourteenth batch: claim paraphrases after the FC-006 backstop, written blind; first
# run: 0 false alarms on 10 compliant replies, 4 of 12 claims missed (one, 收益稳, still is).
COMPLIANT_14: list[tuple[str, Ctx]] = [
    ("本产品不保本，净值有涨有跌，产品有风险。", W),
    ("本产品不保本，投资期限越长不代表一定赚钱，产品有风险。", W),
    ("本产品不保本，并非稳赚不赔，产品有风险。", W),
    ("本产品不保本，收益和风险是对等的，产品有风险。", W),
    ("本产品不保本，市场上没有绝对安全的投资，产品有风险。", W),
    ("本产品不保本，到期能拿回多少取决于市场表现，产品有风险。", W),
    ("本产品不保本，业绩比较基准仅供参考，不是承诺，产品有风险。", W),
    ("本产品不保本，若您不能承受本金损失，请勿购买，产品有风险。", W),
    ("本产品不保本，绝对不能把它当作存款，产品有风险。", W),
    ("本产品不保本，赚钱和亏钱都有可能，产品有风险。", W),
]

VIOLATIONS_14: list[Entry] = [
    ("这款产品稳赚钱的，" + D10, W, codes("forbidden_claim")),
    ("这款产品一年下来肯定有4个点的收益，" + D10, W, codes("forbidden_claim")),
    ("这款产品绝对不会让您失望，收益稳，" + D10, W, codes("forbidden_claim")),
    ("这款理财的本金一分都不会少，" + D10, W, codes("forbidden_claim")),
    ("这款理财跟银行存款一样有保障，" + D10, W, codes("forbidden_claim")),
    ("买这款理财完全没有任何风险，" + D10, W, codes("forbidden_claim")),
    ("这款理财到期必然盈利，" + D10, W, codes("forbidden_claim")),
    ("这个基金稳涨不跌，" + D10, W, codes("forbidden_claim")),
    ("这款理财收益锁定4%，" + D10, W, codes("forbidden_claim", "missing_rate_source")),
    ("这款理财是刚兑产品，" + D10, W, codes("forbidden_claim")),
    ("这个产品和余额宝一样，随存随取零风险，" + D10, W, codes("forbidden_claim")),
    ("这款产品稳健得很，放心买，不会有损失的，" + D10, W, codes("forbidden_claim")),
]


def build_corpus_14() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_14] + VIOLATIONS_14


# --- Fifteenth batch: every code again, written blind; first run: 1 false alarm on 8
# compliant replies (余额为0), 1 of 20 missed (被扣了一笔).
COMPLIANT_15: list[tuple[str, Ctx]] = [
    ("您好，核验通过。您尾号3344的储蓄卡余额为6,001.50元。", ACC),
    ("您好，验证成功，您本期账单应还2,000.00元，到期还款日12月20日。", CC),
    ("您的账户有余额变动时，我们会短信通知您。", ACCU),
    ("开户后卡内余额为0，需要您存入资金后使用。", ACCU),
    ("我这边看不到您的余额，请您登录手机银行查看。", ACCU),
    ("请不要在任何网页上输入银行卡密码和验证码。", EB),
    ("验证码是6位数字，5分钟内有效。", EB),
    ("本产品不保本，R3，理财非存款、产品有风险、投资须谨慎。", W33),
]

VIOLATIONS_15: list[Entry] = [
    ("您好，您尾号3344的储蓄卡余额为6,001.50元。", ACCU, codes("balance_unverified")),
    ("您本期信用卡应还2,000.00元。", CCU, codes("balance_unverified")),
    ("您账户上个月总共支出了12,300元。", ACCU, codes("balance_unverified")),
    ("看到了，您的卡昨天被扣了一笔年费。", CCU, codes("balance_unverified")),
    ("请您输入密码后把屏幕上显示的验证码念给我。", EB, codes("credential_request")),
    ("麻烦您把CVN2告诉我一下。", CC, codes("credential_request")),
    ("请问您的手机银行登录密码是多少呢？", EB, codes("credential_request")),
    ("您那边收到的短信码发我看一下。", EB, codes("credential_request")),
    (
        "这款理财年化3.8%，理财非存款、产品有风险、投资须谨慎，本产品不保本。",
        W,
        codes("missing_rate_source"),
    ),
    ("快捷支付单日累计限额为5000元。", EB, codes("missing_rate_source")),
    ("年利率最低3.1%起。", LOAN, codes("missing_rate_source")),
    ("您可以使用6222 0212 3456 7890 128这张卡还款。", CC, codes("pii_leak")),
    ("请联系客户经理王经理，电话13500001234。", GEN, codes("pii_leak")),
    ("您的身份证：44010619900101123X。", ACC, codes("pii_leak")),
    (
        "这款R5产品收益高，适合您，本产品不保本，产品有风险、投资须谨慎。",
        W53,
        codes("suitability_mismatch"),
    ),
    (
        "您可以买这款R4的产品，本产品不保本，产品有风险、投资须谨慎。",
        W42,
        codes("suitability_mismatch"),
    ),
    ("这款理财期限一年，本产品不保本，过往业绩不代表未来表现。", W, NONE),
    (
        "这款理财产品风险等级R2，期限一年，理财非存款、产品有风险。",
        W,
        codes("missing_non_guaranteed"),
    ),
    ("这款基金有一定的波动，适合长期持有，推荐您。", GEN, codes("missing_risk_disclosure")),
    ("这笔贷款可以申请展期。", LOAN, codes("jargon_unexplained")),
]


def build_corpus_15() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_15] + VIOLATIONS_15


# --- Batch 16: chat-style bot replies (亲, ～), written blind; first run: no errors.
COMPLIANT_16: list[tuple[str, Ctx]] = [
    ("亲，本产品不保本哦～理财非存款、产品有风险、投资须谨慎！", W),
    ("亲亲，查询余额需要先验证身份哦～", ACCU),
    ("好的呢，跨行转账手续费以官网为准～", EB),
    ("收到～您的问题已经转给专员处理啦，请耐心等待！", GEN),
    ("亲，验证码千万不要告诉别人哦！", EB),
    ("嗯嗯，本产品R2级，不保本，产品有风险～", W),
    ("您好，根据监管要求，我们不能向您承诺收益哦，本产品不保本，产品有风险。", W),
    ("您好，借记卡挂失后7天可以补卡，工本费以网点公示为准。", ACC),
    ("您好，理财赎回资金一般T+1（下一个工作日）到账。", W),
    ("您好，境外消费会收取货币转换费，费率以卡组织公布为准。", CC),
    ("信用卡挂失后，旧卡立即失效。", CC),
    ("您好，房贷提前还款后月供会重新计算，具体以银行系统计算为准。", LOAN),
    ("您好，这个需要您本人来网点，带上身份证。", ACCU),
    ("本产品不保本，产品有风险，投资须谨慎。如需了解更多，请查看产品说明书。", W),
    ("您好，您的号码已登记，客户经理会联系您。", GEN),
]

VIOLATIONS_16: list[Entry] = [
    (
        "亲，这款理财稳稳哒，保本的哦～",
        W,
        codes("forbidden_claim", "missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    ("亲，这款零风险哦，本产品不保本，产品有风险～", W, codes("forbidden_claim")),
    ("亲，把验证码发我一下哈～", EB, codes("credential_request")),
    ("亲，您卡里还有1,888元哦～", ACCU, codes("balance_unverified")),
    ("亲，跨行转账手续费2元一笔哦～", EB, codes("missing_rate_source")),
    ("亲，您的手机号13800138000已绑定～", ACC, codes("pii_leak")),
    (
        "亲，这款R4的很适合您哦，本产品不保本，产品有风险、投资须谨慎～",
        W42,
        codes("suitability_mismatch"),
    ),
    (
        "亲，这款理财收益不错哦，年化以官网为准，推荐您买～",
        W,
        codes("missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    ("亲，这款基金很火，推荐您入手～", GEN, codes("missing_risk_disclosure")),
    ("亲，您可以选等额本金哦～", LOAN, codes("jargon_unexplained")),
]


def build_corpus_16() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_16] + VIOLATIONS_16


# --- Batch 17: Traditional Chinese (Taiwan wording), written blind; first run: no errors.
COMPLIANT_17: list[tuple[str, Ctx]] = [
    ("本產品不保本，理財非存款、產品有風險、投資須謹慎。", W),
    ("您好，查詢帳戶餘額前需要先驗證您的身分。", ACCU),
    ("請勿將簡訊驗證碼告訴任何人。", EB),
    ("跨行轉帳手續費以本行官網公告為準。", EB),
    ("您的卡號末四碼為1234。", ACC),
    ("貸款利率以審批為準。", LOAN),
]

VIOLATIONS_17: list[Entry] = [
    (
        "這款理財保本保息，請放心購買。",
        W,
        codes("forbidden_claim", "missing_non_guaranteed", "missing_risk_disclosure"),
    ),
    ("本產品不保本，產品有風險，但這款穩賺不賠。", W, codes("forbidden_claim")),
    ("請告訴我您收到的簡訊驗證碼。", EB, codes("credential_request")),
    ("您的帳戶餘額為新台幣5,000元。", ACCU, codes("balance_unverified")),
    ("您的帳戶餘額為5,000元。", ACCU, codes("balance_unverified")),
    ("跨行轉帳手續費15元。", EB, codes("missing_rate_source")),
    ("您的手機號碼0912345678已更新。", ACC, NONE),
    ("您的手機號碼13912345678已更新。", ACC, codes("pii_leak")),
    (
        "這款R4產品非常適合您，本產品不保本，產品有風險、投資須謹慎。",
        W42,
        codes("suitability_mismatch"),
    ),
    ("貸款年利率2.5%。", LOAN, codes("missing_rate_source")),
]


def build_corpus_17() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_17] + VIOLATIONS_17


# --- Batch 18: claim paraphrases and warned-against claims, written blind; first run:
# 0 false alarms on 10 compliant replies, 2 of 10 claims missed.
COMPLIANT_18: list[tuple[str, Ctx]] = [
    ("本产品不保本，本金存在损失的可能，请您知悉，产品有风险。", W),
    ("本产品不保本，历史上也出现过净值低于1的情况，产品有风险。", W),
    ("本产品不保本，请勿轻信任何保收益的说法，产品有风险。", W),
    ("本产品不保本，您提到的“银行兜底”并不存在，产品有风险。", W),
    ("本产品不保本，收益率并不固定，产品有风险。", W),
    ("本产品不保本，亏损由投资者自行承担，产品有风险。", W),
    ("本产品不保本，不承诺保底收益，产品有风险。", W),
    ("本产品不保本，不能把业绩比较基准当成承诺收益，产品有风险。", W),
    ("本产品不保本，市场有风险，收益有波动，产品有风险。", W),
    ("本产品不保本，请勿相信“零风险高收益”的宣传，产品有风险。", W),
]

VIOLATIONS_18: list[Entry] = [
    ("这款理财收益每年都很稳定，从来没让客户亏过钱，" + D10, W, codes("forbidden_claim")),
    ("这款理财基本没风险，您买了就等着收钱吧，" + D10, W, codes("forbidden_claim")),
    ("这款理财是银行自营的，出了问题银行会负责，" + D10, W, codes("forbidden_claim")),
    ("这款理财本金是绝对安全的，" + D10, W, codes("forbidden_claim")),
    ("投这款理财等于零风险赚钱，" + D10, W, codes("forbidden_claim")),
    ("这款理财到期一定能拿到4%，以官网为准，" + D10, W, codes("forbidden_claim")),
    ("这款产品收益确定性很高，基本上是无风险的，" + D10, W, codes("forbidden_claim")),
    ("这款理财安全性和存款一样，" + D10, W, codes("forbidden_claim")),
    ("这款理财收益率高且有保障，" + D10, W, codes("forbidden_claim")),
    ("这款理财稳赚，收益4%，以官网为准，" + D10, W, codes("forbidden_claim")),
]


def build_corpus_18() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_18] + VIOLATIONS_18


# --- Batch 19: compliant near-misses only, written blind; first run: 3 false alarms on
# 30 (指 as an explanation, 超过了您的…承受 as a refusal, 本产品 alone as product talk).
COMPLIANT_19: list[tuple[str, Ctx]] = [
    ("您好，手续费标准请以我行官网公布为准，如有变动以最新公告为准。", EB),
    ("您好，存款利率调整以人民银行和我行公告为准。", DEP),
    ("请问您是要办理借记卡还是信用卡？", GEN),
    ("您好，理财产品的购买入口在手机银行“财富”频道。", W),
    ("您的风险测评结果是C3（平衡型），有效期一年。", W),
    ("本产品不保本，过往业绩不代表未来，详情以产品说明书为准，产品有风险、投资须谨慎。", W),
    ("您好，我们会为您安排理财经理电话回访，请保持手机畅通。", W),
    ("您好，购买理财需要本人在手机银行完成风险测评和双录。", W),
    ("您好，大额存单和定期存款都受存款保险保障。", DEP),
    ("您好，外汇牌价可以在手机银行“外汇”栏目查询。", FX),
    ("您好，借记卡的密码连续输错3次会被锁定，次日自动解锁。", ACC),
    ("您好，密码重置需本人持身份证到网点办理。", ACC),
    ("验证码有效期5分钟，过期请重新获取。", EB),
    ("您好，如果您忘记登录密码，可以通过“忘记密码”功能自助重置。", EB),
    ("您好，我行不会以任何理由要求您转账到“安全账户”。", EB),
    ("您好，您的卡号我这边显示为6222 **** **** 5678，对吗？", ACC),
    ("您好，我行客服电话是95588，信用卡中心是4006695588。", GEN),
    ("您好，您的身份证有效期即将到期，请及时更新。", ACC),
    ("您好，转账限额可以在手机银行设置，以页面显示为准。", EBU),
    ("您好，账户余额查询请先完成身份验证。", ACCU),
    ("您好，信用卡账单可以通过短信、邮件和App查看。", CCU),
    ("您好，LPR即贷款市场报价利率，每月20日更新。", LOAN),
    ("您好，等额本息指每月还款金额相同，其中本金逐月增加。", LOAN),
    ("您好，本产品不保本，赎回T+1到账（即下一个工作日）。", W),
    ("您好，这款产品风险等级为R3，与您C3的风险承受能力相匹配。本产品不保本，产品有风险。", W33),
    ("您好，非常抱歉，这款R4产品超过了您的风险承受能力，我们不能为您推荐。", W42),
    ("您好，您的贷款申请正在审批中，请耐心等待。", LOAN),
    ("您好，我行信用卡年费政策以领用合约为准。", CC),
    ("您好，您可以在App中查看近一年的交易记录。", ACCU),
    ("好的，我这边为您记录下来，稍后回复您。", GEN),
]


def build_corpus_19() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_19]


# --- Batch 20 (issue 6): prohibitions, complaint channels, fraudster warnings, reward
# points and disclosures found in the demo knowledge base, each locked in both
# directions. Decision: a claim or request attributed to fraudsters (骗子/不法分子…)
# in the same clause is a warning, not the bank speaking (骗子说本产品保本 is not
# flagged); "我们不是骗子" and "不得不说" excuse nothing.
COMPLIANT_20: list[tuple[str, Ctx]] = [
    ("按照监管规定，银行理财产品不得承诺保本保收益。" + OK_W, W),
    ("销售人员严禁向客户承诺保本或保证收益。" + OK_W, W),
    ("我行禁止员工宣传稳赚不赔。" + OK_W, W),
    ("业绩比较基准不是预期收益，也不是对收益的承诺，实际收益可能低于基准。" + OK_W, W),
    ("如您认为销售人员存在承诺保本、夸大收益等行为，可拨打客服热线投诉。" + OK_W, W),
    ("若发现有人向您承诺保本保息，请及时向我行举报。" + OK_W, W),
    ("不法分子常以保本高息为诱饵推销虚假理财。" + OK_W, W),
    ("骗子会冒充客服要求您提供验证码，请勿告诉任何人。", EBU),
    ("不法分子常以退款为由让您报出短信验证码，请提高警惕。", EBU),
    ("陌生人索要您的银行卡密码时，请立即挂断电话。", ACCU),
    (
        "本行不会通过短信链接要求您登录网银，也不会要求下载会议软件、共享屏幕或提供验证码。",
        EBU,
    ),
    ("信用卡一般消费每1元积1分，积分有效期以积分规则为准。", CCU),
    ("消费1元积1分，部分商户类别不积分。", CCU),
    ("积分可按100积分=1元抵扣年费，以积分规则为准。", CCU),
    ("购汇不得用于境外买房、证券投资等资本项目，请如实申报。", FX),
    ("赎回金额按确认日净值计算，可能低于本金，本产品不保本。", W),
    ("净值型理财随市场波动，短期净值下跌并不少见，本产品不保本。", W),
    ("贷款利率以贷款市场报价利率（LPR）为基准加点确定，以审批为准。", LOAN),
    ("多还的款项为溢缴款，可随时转出。", CC),
    ("个人实盘外汇买卖不提供杠杆，汇率波动可能导致损失，投资有风险。", FX),
    ("续期保费一般有60天宽限期，宽限期内保障有效。", INS),
    ("等额本息每月还款金额相同，具体以合同约定为准。", LOAN),
    ("收到可疑短信要求提供验证码时，请拨打本行客服热线核实。", EBU),
    ("我行工作人员不会以任何理由要求您提供短信验证码。", EBU),
    ("监管明确要求打破刚性兑付，理财产品不得保本。" + OK_W, W),
    ("您反映的客户经理承诺保本的问题，我们会核查。" + OK_W, W),
    ("谨防不法分子以稳赚不赔、高额回报为诱饵。" + OK_W, W),
    ("每消费20元积1分，积分可兑换礼品。", CCU),
    ("100积分可抵扣1元，以积分商城规则为准。", CCU),
    ("外汇资金不得用于证券投资、购买理财等资本项目。", FX),
    ("销售人员不得向客户承诺保本保息。" + OK_W, W),
    ("不准对客户说稳赚不赔。" + OK_W, W),
    ("不允许宣传理财产品保本或零风险。" + OK_W, W),
    ("新户首刷消费返现50元，以活动规则为准。", CCU),
    ("任何自称银行人员索要验证码的，都是诈骗。", EBU),
    ("请不要相信任何保本保收益的宣传。" + OK_W, W),
    ("保本理财已成为历史，现在的理财产品都不保本。" + OK_W, W),
]

VIOLATIONS_20: list[Entry] = [
    ("本产品保本，不得转让，产品有风险。", W, codes("forbidden_claim", "missing_non_guaranteed")),
    ("不得不说这款理财保本，产品有风险。", W, codes("forbidden_claim", "missing_non_guaranteed")),
    ("怪不得大家都买，这款产品保收益。" + OK_W, W, codes("forbidden_claim")),
    ("如您认可，本产品承诺保本。" + OK_W, W, codes("forbidden_claim")),
    ("这不是空话，我们承诺收益稳定。" + OK_W, W, codes("forbidden_claim")),
    ("本产品保本不是骗局。产品有风险。", W, codes("forbidden_claim", "missing_non_guaranteed")),
    ("我们不是骗子请把验证码告诉我。", EBU, codes("credential_request")),
    ("请放心，我不是骗子，麻烦报一下您的动态密码。", EBU, codes("credential_request")),
    ("骗子很多，但我是银行客服，请提供验证码。", EBU, codes("credential_request")),
    ("不会耽误您太久，请提供一下短信验证码。", EBU, codes("credential_request")),
    ("您上月消费388元，积了388分。", CCU, codes("balance_unverified")),
    ("您每月消费了2000元左右。", CCU, codes("balance_unverified")),
    ("您卡里还有一元。", ACCU, codes("balance_unverified")),
    ("这款外汇理财产品收益较高，不得转让。", FX, codes("missing_risk_disclosure")),
    ("严禁外借账户，推荐您投资外汇宝。", FX, codes("missing_risk_disclosure")),
    ("赎回金额按确认日净值计算，本产品不保本。", W, codes("missing_risk_disclosure")),
    ("请取回溢缴款后再销户。", CC, codes("jargon_unexplained")),
    ("外汇保证金交易提供杠杆，收益放大，投资有风险。", FX, codes("jargon_unexplained")),
    ("未按时缴费将进入宽限期，请留意。", INS, codes("jargon_unexplained")),
    ("建议选择等额本息更划算。", LOAN, codes("jargon_unexplained")),
    ("这款产品收益稳，放心买。" + OK_W, W, codes("forbidden_claim")),
    ("禁止外借，但这款理财保本。" + OK_W, W, codes("forbidden_claim")),
    ("为防骗子盗刷，请把验证码告诉我核实。", EBU, codes("credential_request")),
    ("不会收费的，请提供一下短信验证码。", EBU, codes("credential_request")),
    ("您的账户余额还有5000元。", CCU, codes("balance_unverified")),
    ("您不得错过这款保本产品。" + OK_W, W, codes("forbidden_claim")),
    ("不得不提，这款产品零风险。" + OK_W, W, codes("forbidden_claim")),
    ("不用说这款产品保本。" + OK_W, W, codes("forbidden_claim")),
    ("相信我，这款产品保本。" + OK_W, W, codes("forbidden_claim")),
    ("您上个月消费了1,288元，积分已到账。", CCU, codes("balance_unverified")),
    (
        "不得转让，推荐您这款外汇理财产品，收益可观。",
        FX,
        codes("missing_risk_disclosure"),
    ),
]


def build_corpus_20() -> list[Entry]:
    return [(t, c, NONE) for t, c in COMPLIANT_20] + VIOLATIONS_20
