"""Build ``corpus.jsonl`` from the hand-written families in ``families.py`` (QC-6).

Run: .venv/bin/python tests/compliance/data/build_corpus.py

Every paraphrase gives its tagged style, a Traditional-character variant (OpenCC) and
one of a spaced or chat variant; product talk also gets disclosure tails and
account facts / recommendations the contexts that decide them. Families are split
train/test by family (every third family of each group, in a hash order, is test), so
no paraphrase of a test family is ever trained on. The existing hand-labelled corpus
(tests/compliance/corpus.py, written beside the rules) is folded into train.
Output lines: {"id", "text", "context", "expect", "family", "style", "split"}.
"""

from __future__ import annotations

import json
import sys
import zlib
from collections import Counter
from pathlib import Path
from typing import Any

import opencc

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from consultdesk.validation.checks import resident_id_check_char  # noqa: E402
from tests.compliance.corpus import full_corpus  # noqa: E402
from tests.compliance.data.families import FAMILIES  # noqa: E402
from tests.compliance.data.families_extra import EXTRA_FAMILIES  # noqa: E402
from tests.compliance.data.families_holdout import HOLDOUT_FAMILIES  # noqa: E402
from tests.compliance.data.families_more import MORE_FAMILIES  # noqa: E402

OUT = Path(__file__).with_name("corpus.jsonl")
RD, NG = "missing_risk_disclosure", "missing_non_guaranteed"


def _ctx(topic: str, **kw: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "topic": topic,
        "product_risk": None,
        "customer_risk": None,
        "guaranteed": None,
        "verified": True,
    }
    base.update(kw)
    return base


CONTEXTS: dict[str, dict[str, Any]] = {
    "W": _ctx("wealth", product_risk="R2", customer_risk="C3", guaranteed=False),
    "W42": _ctx("wealth", product_risk="R4", customer_risk="C2", guaranteed=False),
    "W53": _ctx("wealth", product_risk="R5", customer_risk="C3", guaranteed=False),
    "INS": _ctx("insurance", product_risk="R2", customer_risk="C3"),
    "FX": _ctx("forex"),
    "GEN": _ctx("general"),
    "ACC": _ctx("account", verified=False),
    "CC": _ctx("credit_card", verified=False),
    "EB": _ctx("ebanking", verified=False),
    "EBU": _ctx("ebanking", verified=False),
    "ACCU": _ctx("account", verified=False),
    "CCU": _ctx("credit_card", verified=False),
    "LOAN": _ctx("loan", verified=False),
    "DEP": _ctx("deposit", guaranteed=True),
}
# Fixed-label families that describe an investment product (with its disclosures).
PRODUCT_FIXED = frozenset(
    {
        "ok-su-match",
        "ok-fc-history",
        "ok-fc-explain-benchmark",
        "ok-fc-question",
        "rs-wealth-rate",
        "rs-wealth-fee",
        "jg-wealth",
    }
)
# Where a recommendation is suitable: the same words to a customer who may buy it.
SUITABLE = {"W42": "W", "W53": "W"}

GENERIC_RISK = (
    "投资有风险，入市需谨慎。",
    "产品有风险，请理性投资。",
    "市场有波动，请您谨慎决策。",
    "风险提示：过往业绩不代表未来表现。",
)
FULL_WEALTH = (
    "本产品不保本，理财非存款、产品有风险、投资须谨慎。",
    "该产品为非保本浮动收益型，可能亏损本金，请谨慎决策。",
    "需要提醒您：本产品不保证本金和收益，风险等级R2，投资须谨慎。",
    "温馨提示，理财产品非保本，净值可能下跌，投资有风险。",
)
FULL_OTHER = (
    "产品有风险，投资须谨慎，可能出现本金损失。",
    "该产品不保证本金，收益有不确定性，请谨慎投资。",
    "风险提示：市场波动可能导致亏损，投资须谨慎。",
)
CHAT_HEADS = ("亲，", "您好呀，", "嗯嗯，", "好的~", "在的，")
CHAT_TAILS = ("哈", "~", "😊", "呢", "哦")
SPACE_WORDS = (
    "保本", "保息", "稳赚", "风险", "密码", "验证码", "余额", "存款", "安全", "收益",
    "剩", "到期", "三位", "数字", "推荐", "适合", "手续费", "利率",
)  # fmt: skip

_T2S = opencc.OpenCC("s2t")


def _h(*parts: object) -> int:
    return zlib.crc32("|".join(str(p) for p in parts).encode())


def _luhn_complete(prefix: str) -> str:
    digits = [int(d) for d in prefix + "0"]
    total = 0
    for i, d in enumerate(reversed(digits)):
        value = d * 2 if i % 2 == 1 else d
        total += value - 9 if value > 9 else value
    return prefix + str((10 - total % 10) % 10)


def _resident_id(seed: int) -> str:
    region = 110101 + seed % 5 * 100
    first17 = f"{region}{1960 + seed % 40}{1 + seed % 12:02d}{1 + seed % 28:02d}{seed % 900 + 100}"
    return first17 + resident_id_check_char(first17)


def _fill(text: str, seed: int) -> str:
    card = _luhn_complete(f"6222{seed % 10**11:011d}")
    return text.format(
        card=card,
        id=_resident_id(seed),
        mobile=f"13{seed % 10}{seed % 10**8:08d}",
        tail=f"{seed % 10000:04d}",
    )


def _spaced(text: str, seed: int) -> str:
    for word in sorted(SPACE_WORDS, key=lambda w: _h(w, seed)):
        if word in text and len(word) > 1:
            return text.replace(word, " ".join(word), 1)
    runs = [
        i for i in range(len(text) - 2) if all("\u4e00" <= ch <= "\u9fff" for ch in text[i : i + 3])
    ]
    if not runs:
        return text
    i = runs[seed % len(runs)]
    return text[:i] + " ".join(text[i : i + 3]) + text[i + 3 :]


def _chat(text: str, seed: int) -> str:
    body = text.rstrip("。")
    return CHAT_HEADS[seed % len(CHAT_HEADS)] + body + CHAT_TAILS[(seed // 7) % len(CHAT_TAILS)]


def _variants(text: str, style: str, seed: int) -> list[tuple[str, str]]:
    out = [(text, style)]
    if style not in ("traditional",):
        out.append((_T2S.convert(text), "traditional"))
    if seed % 2 == 0:
        out.append((_spaced(text, seed), "spaced"))
    elif style != "chat":
        out.append((_chat(text, seed), "chat"))
    return out


def _split_of_families(ids: list[str]) -> dict[str, str]:
    # Stable per family (adding families never moves another one): a third are test.
    return {fid: "test" if _h("split", fid) % 3 == 0 else "train" for fid in ids}


def _knowledge_base() -> list[dict[str, Any]]:
    """The demo knowledge base's answers (written for consultdesk, meant to be compliant)
    as training replies in the topic the reply gate gives their business line; the
    jargon the pack warns about in a few of them is kept as labelled."""
    from consultdesk.compliance.model import ReplyContext
    from consultdesk.compliance.rulepack import check_reply
    from consultdesk.consultations.reply_gate import TOPIC_OF_LINE
    from consultdesk.knowledge.demo import load_demo_entries

    rows = []
    for entry in load_demo_entries():
        topic = TOPIC_OF_LINE[entry.business_line.value]
        ctx = {**CONTEXTS["GEN"], "topic": topic}
        answer = entry.content.answer
        context = ReplyContext.from_mapping(ctx)
        codes = check_reply(text=answer, context=context, learned=False).codes
        rows.append(
            {
                "id": f"kb#{entry.entry_id}",
                "text": answer,
                "context": ctx,
                "expect": sorted(codes & {"jargon_unexplained"}),
                "family": f"kb-{entry.entry_id}",
                "style": "knowledge-base",
                "split": "train",
                "product_talk": None if topic in ("wealth", "insurance", "forex") else False,
            }
        )
    return rows


def build() -> list[dict[str, Any]]:
    families = FAMILIES + MORE_FAMILIES + EXTRA_FAMILIES + HOLDOUT_FAMILIES
    ids = [f[0] for f in families]
    dupes = [fid for fid, n in Counter(ids).items() if n > 1]
    if dupes:
        raise SystemExit(f"duplicate family ids: {dupes}")
    split = _split_of_families(ids)
    split.update({f[0]: "holdout" for f in HOLDOUT_FAMILIES})
    rows: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()

    product_talk = False

    def add(
        text: str, ctx_name: str, ctx: dict[str, Any], expect: set[str], fid: str, style: str
    ) -> None:
        key = (text, json.dumps(ctx, sort_keys=True))
        if key in seen:
            return
        seen.add(key)
        rows.append(
            {
                "id": f"{fid}#{len([r for r in rows if r['family'] == fid]) + 1}",
                "text": text,
                "context": ctx,
                "expect": sorted(expect),
                "family": fid,
                "style": style,
                "split": split[fid],
                "product_talk": product_talk,
            }
        )

    for fid, codes, ctx_name, kind, paraphrases in families:
        for n, written in enumerate(paraphrases):
            seed = _h(fid, n)
            style = "plain"
            raw = written
            if len(raw) > 2 and raw[1] == ":" and raw[0] in "iepnc":
                style = {
                    "i": "indirect",
                    "e": "mixed-english",
                    "p": "pinyin",
                    "n": "numerals",
                    "c": "chat",
                }[raw[0]]
                raw = raw[2:]
            if fid.endswith("-trad"):
                style = "traditional"
            if fid.startswith("ok-"):
                style = "near-miss" if style == "plain" else style
            text = _fill(raw, seed)
            product_talk = kind in ("product", "suit") or fid in PRODUCT_FIXED
            ctx = CONTEXTS[ctx_name]
            wealth = ctx["topic"] == "wealth" and ctx["guaranteed"] is not True
            for variant, vstyle in _variants(text, style, seed):
                vseed = _h(variant)
                if kind == "fixed":
                    add(variant, ctx_name, ctx, set(codes), fid, vstyle)
                elif kind == "product":
                    sep = (
                        ""
                        if variant.endswith(("。", "！", "？", "~", "哈", "呢", "哦", "😊"))
                        else "。"
                    )
                    base = set(codes)
                    add(
                        variant,
                        ctx_name,
                        ctx,
                        base | {RD} | ({NG} if wealth else set()),
                        fid,
                        vstyle,
                    )
                    generic = GENERIC_RISK[vseed % len(GENERIC_RISK)]
                    add(
                        variant + sep + generic,
                        ctx_name,
                        ctx,
                        base | ({NG} if wealth else set()),
                        fid,
                        vstyle,
                    )
                    # A claim with the full disclosure added would contradict itself.
                    if not codes:
                        fulls = FULL_WEALTH if wealth else FULL_OTHER
                        # the disclosure after the words, and before them
                        add(variant + sep + fulls[vseed % 3], ctx_name, ctx, base, fid, vstyle)
                        add(fulls[(vseed + 1) % 3] + variant, ctx_name, ctx, base, fid, vstyle)
                elif kind == "verify":
                    unverified = {**ctx, "verified": False}
                    verified = {**ctx, "verified": True}
                    add(variant, ctx_name, unverified, set(codes), fid, vstyle)
                    add(variant, ctx_name, verified, set(), fid, "context")
                elif kind == "suit":
                    sep = (
                        ""
                        if variant.endswith(("。", "！", "？", "~", "哈", "呢", "哦", "😊"))
                        else "。"
                    )
                    full = FULL_WEALTH[vseed % len(FULL_WEALTH)]
                    add(variant + sep + full, ctx_name, ctx, {"suitability_mismatch"}, fid, vstyle)
                    # the same words to a customer who may buy it
                    suitable = CONTEXTS[SUITABLE[ctx_name]]
                    add(variant + sep + full, ctx_name, suitable, set(), fid, "context")
                else:
                    raise SystemExit(f"{fid}: unknown kind {kind}")
    for i, (text, ctx, expected) in enumerate(full_corpus()):
        rows.append(
            {
                "id": f"legacy#{i + 1}",
                "text": text,
                "context": ctx,
                "expect": sorted(expected),
                "family": f"legacy-{i + 1}",
                "style": "legacy",
                "split": "train",
                # known only where a disclosure is labelled missing
                "product_talk": True if expected & {RD, NG} else None,
            }
        )
    rows.extend(_knowledge_base())
    return rows


def main() -> None:
    rows = build()
    with OUT.open("w", encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
    by_split = Counter(r["split"] for r in rows)
    print(f"{len(rows)} replies -> {OUT.relative_to(ROOT)}; {dict(by_split)}")
    new = [r for r in rows if r["style"] not in ("legacy", "knowledge-base")]
    print("new replies by style:", dict(Counter(r["style"] for r in new)))
    print(
        "families:",
        len({r["family"] for r in new}),
        "test families:",
        len({r["family"] for r in new if r["split"] == "test"}),
    )
    codes = Counter(c for r in new for c in r["expect"])
    test_codes = Counter(c for r in new if r["split"] == "test" for c in r["expect"])
    print("positives by code (all / test):", {c: (codes[c], test_codes[c]) for c in sorted(codes)})
    print(
        "compliant (all / test):",
        sum(not r["expect"] for r in new),
        sum(not r["expect"] for r in new if r["split"] == "test"),
    )


if __name__ == "__main__":
    main()
