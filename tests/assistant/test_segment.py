from consultdesk.assistant.segment import char_ngrams, lexical_terms, segment_words


def test_bank_dictionary_keeps_bank_terms_whole() -> None:
    words = segment_words("手机银行转账限额怎么提额")
    assert {"手机银行", "转账限额", "提额"} <= set(words)


def test_chinese_runs_give_unigrams_and_bigrams() -> None:
    assert char_ngrams("网银") == ["网", "银", "网银"]


def test_latin_words_give_boundary_trigrams_and_fourgrams() -> None:
    assert char_ngrams("card") == ["<ca", "car", "ard", "rd>", "<car", "card", "ard>"]


def test_lexical_terms_mark_words_and_grams() -> None:
    terms = lexical_terms("挂失")
    assert "w:挂失" in terms and "c:挂失" in terms


def test_empty_text_has_no_terms() -> None:
    assert lexical_terms("") == []
