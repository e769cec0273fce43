"""Live demo activity: the desk with something moving (issue 16).

``live.seed_live`` gives ``make demo`` a desk at work — consultations waiting on every
channel (one about to pass the 10-minute rule), chats in agents' hands, returning
customers with earlier consultations. ``runner.simulate`` (``consultdesk demo simulate``)
keeps customers arriving at a set rate: bot questions the knowledge base answers,
hand-overs to an agent, complaints. Everything goes through the real services (the bot,
the reply gate, routing, SLA clocks), so every page shows the product doing its job."""
