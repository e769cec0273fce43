import numpy as np

from consultdesk.assistant.lexical import Bm25Index, TfidfSpace


def test_document_sharing_the_rare_term_ranks_first() -> None:
    index = Bm25Index.build([["a", "common"], ["b", "common"], ["rare", "common"]])
    assert int(np.argmax(index.scores(["rare", "common"]))) == 2


def test_normalised_scores_stay_between_zero_and_one() -> None:
    index = Bm25Index.build([["x", "y"], ["y", "z", "z"], ["q"]])
    scores = index.normalized_scores(["x", "y", "z", "unknown"])
    assert scores.min() >= 0.0 and scores.max() <= 1.0


def test_unknown_query_scores_zero_everywhere() -> None:
    index = Bm25Index.build([["x"], ["y"]])
    assert not index.scores(["nothing"]).any()


def test_tfidf_rows_are_unit_length() -> None:
    space = TfidfSpace.fit([["a", "b"], ["a", "c"], ["b", "c"]], min_df=1)
    rows = space.transform([["a", "b", "b"]]).toarray()
    assert abs(float(np.linalg.norm(rows[0])) - 1.0) < 1e-9
