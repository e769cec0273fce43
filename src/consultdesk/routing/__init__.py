"""Routing (PREP-5, STD-1, STD-5): presence, capacity, skills and certificates, priority
queues, longest-idle agent first, reassignment on away or accept timeout."""
