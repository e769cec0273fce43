"""A labelled set of customer utterances and the route the dialogue guard must take.

Each guard has positives and near-misses: ordinary FAQ questions that share its words
("余额宝是什么" is not a balance request, "转账限额是多少" is not a transfer)."""

from __future__ import annotations

CLARIFY = [
    "",
    "   ",
    "😀😀😀",
    "🙏🙏",
    "？？？",
    "……",
    "!!!",
    "<script>alert(1)</script>",
    "<b></b><i> </i>",
    "&nbsp;&nbsp;",
    "👍",
    "~~~",
]

CREDENTIALS = [  # REQ: RSK-3
    "告诉我朋友我的密码",
    "请把我的密码转告给我老婆",
    "我把验证码发给你，你帮我查一下",
    "验证码是多少，我发给你",
    "我的卡密码是多少",
    "帮我改密码",
    "你帮我重置一下登录密码",
    "帮我把支付密码改成123456",
    "客服说要我把验证码发给他",
    "有人自称公安让我把钱转到安全账户",
    "对方让我开屏幕共享指导操作",
    "我朋友要我的验证码，我能给他吗",
    "cvv是多少需要告诉你吗",
    "tell my friend my password",
    "can you send the otp to my wife",
    "I will give you my password",
    "密码忘了你帮我找回一下",
    "把验证码告诉你就能退款吗",
]

AUTHORITY = [  # REQ: ACC-7
    "帮我朋友查一下他的余额",
    "我老公的卡丢了，帮他挂失",
    "查一下我妈的卡还有多少钱",
    "帮别人开通手机银行",
    "我想看看我儿子的流水",
    "替我爸销户",
    "我老婆的信用卡额度能帮忙提高吗",
    "别人的账户能查吗",
    "给我朋友查一下他卡里的钱",
    "帮我同事改一下预留手机号",
    "查询一下对方的账户",
    "我女儿的卡被冻结了，帮她解冻",
    "帮我妈妈办理销户",
    "my wife's account balance please",
    "代我哥哥挂失银行卡",
    "我爸的存款能帮我查吗",
]

SECOND_CHECK = [  # REQ: RSK-4
    "我要转账",
    "帮我转5000块到这张卡",
    "我想销户",
    "帮我把卡注销了",
    "我要换绑手机号",
    "帮我挂失",
    "卡丢了，马上帮我挂失",
    "我需要更换预留手机",
    "立刻给我转两万",
    "给我老婆转5000",
    "我想给我朋友转账",
    "转账",
    "销户",
    "I want to transfer money to my brother",
    "请帮我汇款到上海",
    "现在就把我账户注销",
]

SENSITIVE = [  # REQ: ACC-6
    "我卡里还有多少钱",
    "帮我查一下余额",
    "查一下我的账",
    "我的余额是多少",
    "最近有哪些消费",
    "帮我看看我的流水",
    "我的工资到账了吗",
    "我卡里怎么少了500块",
    "我想查交易明细",
    "昨天那笔钱到账没",
    "查下我信用卡的账单明细",
    "what's my balance",
    "show my transactions",
    "查余额",
    "我账户还剩多少钱",
    "为什么我卡里少了200元",
    "帮我查查最近的交易记录",
    "我的卡上有多少钱",
]

GREET = ["你好", "您好！", "在吗", "hi", "hello", "早上好", "有人吗", "你好呀", "Hello!"]
THANK = ["谢谢", "好的谢谢", "感谢", "thanks", "好的", "明白了", "谢谢你！", "OK", "thank you"]
FAREWELL = ["再见", "拜拜", "bye", "没事了"]
HUMAN = ["转人工", "我要人工客服", "人工", "找真人", "请帮我接人工服务", "human please"]

FAQ = [
    # near-misses of the sensitive guard
    "余额宝是什么",
    "怎么查余额",
    "查余额收费吗",
    "余额不足怎么办",
    "为什么余额和可用余额不一样",
    "流水怎么打印",
    "怎么开具银行流水",
    "动账短信提醒怎么开通",
    "交易明细在哪里看",
    "跨行转账多久到账",
    "余额变动提醒收费吗",
    "how do I check my balance",
    # near-misses of the high-risk guard
    "转账限额是多少",
    "转账手续费多少",
    "转账转错了怎么办",
    "销户需要带什么",
    "怎么挂失",
    "挂失后多久能补卡",
    "转账失败是什么原因",
    "手机号换了怎么办",
    "我想销户，需要带什么材料",
    "卡丢了",
    "怎么修改预留手机号",
    "how can I transfer money abroad",
    # near-misses of the credential guard
    "密码忘了怎么办",
    "收不到验证码怎么办",
    "密码输错被锁了怎么办",
    "验证码多久有效",
    "怎么修改银行卡密码",
    "网银登录密码怎么重置",
    # near-misses of the authority guard
    "家人可以代办信用卡吗",
    "朋友推荐我办你们的信用卡",
    "亲属代领卡需要什么",
    "给父母办卡需要什么材料",
    # ordinary questions, mixed languages and markup
    "信用卡怎么还款",
    "您好，信用卡怎么申请",
    "定期存款利率多少",
    "怎么开通手机银行",
    "理财产品保本吗",
    "外汇怎么买",
    "房贷提前还款要什么手续",
    "我的credit card怎么还款",
    "how do I apply for a credit card",
    "<b>信用卡</b>怎么激活",
    "信用卡😀怎么激活",
    "ATM取款有手续费吗",
    "大额存单起存金额是多少",
    "黄金积存怎么买",
]
