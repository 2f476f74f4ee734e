"""Rasa custom actions: thin adapters between the dialogue and the `bot` core."""
