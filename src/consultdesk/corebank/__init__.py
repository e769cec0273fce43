"""The core-banking port (ACP-3, PREP-3, PREP-4): customer, account and product facts
from the bank's systems, behind the `CoreBank` Protocol in `port.py`.

`sandbox.py` is a deterministic in-memory bank for demos and tests; `http_server.py`
serves any CoreBank over HTTP (the part a bank's integration team replaces by its
gateway); `http_client.py` is the adapter the desk uses in production."""
