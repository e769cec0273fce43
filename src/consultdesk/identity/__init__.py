"""Identity verification on a consultation (ACC-6, ACC-7, RSK-4) and core-bank facts for agents."""
