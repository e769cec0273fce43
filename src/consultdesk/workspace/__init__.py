"""The agent's workspace (工作台): the page an agent keeps open all shift — presence that
routing obeys (PREP-5), the consultations in hand, the shift's own figures (handled,
first response, satisfaction), bulletins to acknowledge at shift start (PREP-2) and the
script library (话术库, SOL-1), searchable by business line."""
