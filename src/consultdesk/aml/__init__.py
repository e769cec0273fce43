"""Anti-money-laundering screening (RSK-5): large-value and structuring alerts, the AML queue.

Entry points: ``screening.screen_transactions(txs, thresholds=)``,
``screening.asks_to_evade_reporting(text)``; ``service.raise_alerts``, ``dismiss_alert``,
``report_alert``, ``open_alerts``, ``raise_evasion_inquiry``, ``purge_expired_alerts``
(10-year retention); ``cli.register(root)`` adds ``consultdesk aml screen FILE.jsonl``.
"""
