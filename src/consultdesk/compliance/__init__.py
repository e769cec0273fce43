"""Reply compliance (QC-6, RSK-1/3/7, SOL-2/5, STD-2), suitability (SOL-5), recorded
violations (RSK-6), QA scoring (QC-2) and compliance drills (RSK-8).

Entry points:

* ``rulepack.check_reply(text=, context=)`` → ``CheckResult`` (violations, fixed_text);
  rules live in ``rules/reply_rules.yaml`` (``rulepack.load_rule_pack`` for another pack),
  the text is normalised first (``normalize.py``) and the learned layer (``learned.py``,
  weights in ``data/reply_model.npz``, fitted by ``training.py``) keeps, vetoes and adds
  flags by the decision documented there; ``evaluation.evaluate`` measures it;
* ``suitability.decide_suitability(...)``; ``qa.score_transcript(...)``;
  ``drills.start_drill(script_id=...)`` with scripts in ``drill_scripts/*.yaml``;
* ``service``: ``record_blocked_reply``, ``override_violation``, ``open_qa_cases``,
  ``record_suitability_decision``, ``record_drill_result`` (tables in ``tables.py``);
* ``cli.register(root)`` adds ``consultdesk compliance check FILE.jsonl [--json]`` and
  ``consultdesk eval compliance FILE.jsonl [--json] [--split test,holdout] [--rules-only]``.
"""
