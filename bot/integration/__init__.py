"""The Rasa integration: server, action server, tracker store, speed-ups, fault tolerance,
channels and HTTP routes.

Thin adapters between Rasa/Sanic and the layers below: they parse a request,
call `bot.core`, `bot.presentation` or `bot.services`, and answer. This is the
only package (with `actions/` and the NLU component) that imports Rasa or Sanic.
It may import every layer below it; nothing below imports it.
"""
