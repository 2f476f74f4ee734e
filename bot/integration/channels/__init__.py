"""Rasa input channels of the project: the IVR webhook and the agent side panel (contract §2)."""
