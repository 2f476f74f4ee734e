"""Trainer tools: validate the script data, export calls as tests, draw the flow, report coverage.

Each module has one job; only `rasa_checks` imports Rasa.
"""
