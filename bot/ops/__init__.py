"""Operations: the command line, the launcher and supervisor, training, logging.

What an operator runs (`python -m bot run | train | import | case | share | …`).
May import every other package; nothing in `bot.core`, `bot.presentation` or
`bot.services` imports it (`bot.ops.logs` log set-up is the one helper the
integration layer uses too; the mask itself is `bot.core.masking`).
"""
