"""jieba's dictionary in a trie (`word_dictionary`): it must segment exactly as jieba
itself does with the same dictionary and bank words, and its cache file must be
built once, reused, rebuilt when damaged, and optional when the folder is read-only."""

from __future__ import annotations

import logging
from importlib import resources
from pathlib import Path

import jieba
import pytest

from consultdesk.assistant import word_dictionary
from consultdesk.assistant.normalize import normalize_text
from consultdesk.assistant.segment import _tokenizer
from consultdesk.assistant.word_dictionary import TrieTokenizer
from consultdesk.knowledge.demo import load_demo_entries

EDGE_CASES = [
    "",
    "信用卡怎么提额",
    "手机银行转账限额怎么提额",
    "我想办个大额存单顺便问下结构性存款保本吗",
    "I lost my card 卡丢了 please help",
    "网银U盾密码忘了😭😭",
    "转账5万元手续费多少？￥50,000.00",
    "<script>alert('提额')</script>",
    "南京市长江大桥",
    "工信处女干事每月经过下属科室都要亲口交代24口交换机等技术性器件的安装工作",
    "信" * 3000,
    "提额网银理财" * 500,
]


@pytest.fixture(scope="module")
def reference() -> jieba.Tokenizer:
    """Plain jieba with the same bank words, as `segment._tokenizer` adds them."""
    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    words = resources.files("consultdesk.assistant").joinpath("resources/bank_userdict.txt")
    for line in words.read_text(encoding="utf-8").splitlines():
        parts = line.split()
        if parts:
            tokenizer.add_word(parts[0], int(parts[1]) if len(parts) > 1 else None)
    return tokenizer


def _demo_texts() -> list[str]:
    texts = []
    for spec in load_demo_entries():
        content = spec.content
        texts += [content.standard_question, *content.paraphrases, content.answer, *content.steps]
    return texts


def test_trie_segments_exactly_as_jieba_on_the_demo_bank(reference: jieba.Tokenizer) -> None:
    ours = _tokenizer()
    assert ours.total == reference.total  # jieba counts a word listed twice twice
    texts = _demo_texts()
    assert len(texts) > 2000
    for text in texts + [normalize_text(text) for text in texts] + EDGE_CASES:
        for hmm in (True, False):
            assert ours.lcut(text, HMM=hmm) == reference.lcut(text, HMM=hmm), text[:40]


def test_added_and_deleted_words_behave_as_in_jieba(
    reference: jieba.Tokenizer, tmp_path: Path
) -> None:
    plain = jieba.Tokenizer()
    plain.initialize()
    ours = TrieTokenizer(cache_dir=tmp_path)
    for tokenizer in (plain, ours):
        tokenizer.add_word("示例银行卡通", 50)  # new word
        tokenizer.add_word("长江大桥", 1)  # existing word, frequency lowered
        tokenizer.del_word("市长")  # existing word removed
        tokenizer.add_word("柜面预约")  # new word, frequency suggested
    assert ours.FREQ["长江大桥"] == 1 and ours.FREQ["市长"] == 0
    assert ours.FREQ.get("示例银行卡") == 0  # a prefix of a word, as in jieba
    assert ours.FREQ.get("示例银行卡通车") is None and "示例银行卡通车" not in ours.FREQ
    for text in ["南京市长江大桥", "示例银行卡通知", "我要柜面预约", *EDGE_CASES[:9]]:
        assert ours.lcut(text) == plain.lcut(text), text
    assert ours.suggest_freq("银行卡通") == plain.suggest_freq("银行卡通")


def test_cache_file_is_built_once_and_then_reused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = TrieTokenizer(cache_dir=tmp_path)
    first.initialize()
    [cache] = list(tmp_path.glob("consultdesk-jieba-*.trie"))

    def no_rebuild(source: bytes) -> bytes:
        raise AssertionError("the cached trie should have been read")

    monkeypatch.setattr(word_dictionary, "_build", no_rebuild)
    second = TrieTokenizer(cache_dir=tmp_path)
    assert second.lcut("信用卡怎么提额") == first.lcut("信用卡怎么提额")
    assert second.total == first.total > 0
    assert cache.stat().st_size > 1_000_000


def test_damaged_cache_file_is_rebuilt(tmp_path: Path) -> None:
    TrieTokenizer(cache_dir=tmp_path).initialize()
    [cache] = list(tmp_path.glob("consultdesk-jieba-*.trie"))
    size = cache.stat().st_size
    cache.write_bytes(cache.read_bytes()[: size // 2])
    tokenizer = TrieTokenizer(cache_dir=tmp_path)
    assert tokenizer.lcut("南京市长江大桥") == ["南京市", "长江大桥"]
    assert cache.stat().st_size == size


def test_a_flipped_byte_in_the_cache_file_is_caught_and_rebuilt(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    TrieTokenizer(cache_dir=tmp_path).initialize()
    [cache] = list(tmp_path.glob("consultdesk-jieba-*.trie"))
    good = cache.read_bytes()
    damaged = bytearray(good)
    damaged[len(good) // 2] ^= 0xFF  # same length, one byte changed
    cache.write_bytes(bytes(damaged))
    builds = []
    real_build = word_dictionary._build
    monkeypatch.setattr(word_dictionary, "_build", lambda s: builds.append(1) or real_build(s))
    assert TrieTokenizer(cache_dir=tmp_path).lcut("南京市长江大桥") == ["南京市", "长江大桥"]
    assert builds == [1] and cache.read_bytes() == good


def test_a_cache_file_others_can_write_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The temporary folder is shared: a file another user could have planted or changed
    # is ignored and replaced (or, when it cannot be replaced, the trie stays in memory).
    TrieTokenizer(cache_dir=tmp_path).initialize()
    [cache] = list(tmp_path.glob("consultdesk-jieba-*.trie"))
    cache.chmod(0o666)
    builds = []
    real_build = word_dictionary._build
    monkeypatch.setattr(word_dictionary, "_build", lambda s: builds.append(1) or real_build(s))
    TrieTokenizer(cache_dir=tmp_path).initialize()
    assert builds == [1] and not cache.stat().st_mode & 0o022


def test_unwritable_cache_path_keeps_the_trie_in_memory(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    tokenizer = TrieTokenizer(cache_dir=blocker / "cache")
    assert tokenizer.lcut("南京市长江大桥") == ["南京市", "长江大桥"]


def test_other_dictionaries_are_refused() -> None:
    with pytest.raises(ValueError, match="default dictionary"):
        TrieTokenizer().initialize("/tmp/other_dict.txt")


def test_a_graph_from_elsewhere_is_scored_with_the_dictionary(reference: jieba.Tokenizer) -> None:
    # calc() on a plain DAG (not built by our get_DAG) falls back to jieba's own scoring.
    ours = _tokenizer()
    sentence = "南京市长江大桥"
    plain_graph = dict(ours.get_DAG(sentence))
    ours_route: dict[int, object] = {}
    reference_route: dict[int, object] = {}
    ours.calc(sentence, plain_graph, ours_route)
    reference.calc(sentence, reference.get_DAG(sentence), reference_route)
    assert ours_route == reference_route
