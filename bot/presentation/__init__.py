"""Presentation: what each channel shows or says of a call, built from the core's state.

The agent panel's state, the IVR's spoken reply and the checked shapes of the
channel payloads (with their Chinese error texts). Modules here may import
`bot.core`, the standard library and PyYAML (the catalogues in bot/catalogue);
not Rasa, Sanic, SQLAlchemy or `bot.services`. The integration layer moves their
results over HTTP.
"""
