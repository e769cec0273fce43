"""Derive the assistant's built-in constants from the demo knowledge base only
(resources/demo_kb.yaml), never from BQ or BANKING77:

- calibration.DEFAULT_* : the leave-one-question-out combination of dense and
  lexical evidence (what Matcher.build fits on any KB with paraphrases);
- pairs.BUILTIN_WEIGHTS / BUILTIN_BIAS: a logistic pair model on demo-KB pairs,
  positives = two questions of the same entry, negatives = questions of different
  entries (half of them the nearest wrong question by cosine, i.e. hard negatives).

Run: .venv/bin/python bench/derive_assistant_defaults.py ; paste the printed numbers.
"""

from __future__ import annotations

import itertools
import random

import numpy as np

from consultdesk.assistant.encoder import default_encoder
from consultdesk.assistant.entries import demo_knowledge_items
from consultdesk.assistant.matcher import Matcher
from consultdesk.assistant.normalize import normalize_text
from consultdesk.assistant.pairs import FEATURE_NAMES, fit_builtin_weights, pair_features


def main() -> None:
    encoder = default_encoder()
    items = demo_knowledge_items()
    matcher = Matcher.build(items, encoder=encoder, fit_classifier=False)
    c = matcher.combination
    print(
        f"combination: dense={c.dense_weight:.3f} lexical={c.lexical_weight:.3f} bias={c.bias:.3f}"
    )

    rng = random.Random(0)
    questions = [(item.entry_id, q) for item in items for q in item.questions]
    positives = [(a, b) for item in items for a, b in itertools.combinations(item.questions, 2)]
    vectors = encoder.encode([normalize_text(q) for _, q in questions], role="query")
    similarity = vectors @ vectors.T
    hard: list[tuple[str, str]] = []
    for i, (entry, text) in enumerate(questions):
        order = np.argsort(-similarity[i])
        for j in order:
            if questions[j][0] != entry:
                hard.append((text, questions[j][1]))
                break
    random_negatives: list[tuple[str, str]] = []
    while len(random_negatives) < len(positives) - len(hard):
        (e1, q1), (e2, q2) = rng.sample(questions, 2)
        if e1 != e2:
            random_negatives.append((q1, q2))
    pairs = positives + hard + random_negatives
    labels = np.array([1] * len(positives) + [0] * (len(hard) + len(random_negatives)))
    features = pair_features(pairs, encoder=encoder)
    model = fit_builtin_weights(features, labels)
    print(
        f"pairs: {len(positives)} positive, {len(hard)} hard"
        f" + {len(random_negatives)} random negative"
    )
    print("BUILTIN_WEIGHTS =", model.weights, FEATURE_NAMES)
    print("BUILTIN_BIAS =", round(model.bias, 3))
    accuracy = ((model.probabilities(features) >= 0.5) == labels).mean()
    print(f"training accuracy on demo pairs: {accuracy:.3f}")


if __name__ == "__main__":
    main()
