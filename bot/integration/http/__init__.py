"""HTTP routes the project adds to Rasa's Sanic app (served at the root)."""
