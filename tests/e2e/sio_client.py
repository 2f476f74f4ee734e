"""A caller on the socket.io channel, the way the standard Rasa web-chat widget talks to it.

python-socketio's AsyncClient (the `socketio` package Rasa itself depends on), over HTTP
long-polling: the installed aiohttp is older than the client's WebSocket code needs (the
browser tests cover the WebSocket transport). Each message is sent with an acknowledgement,
so `say` returns once the server has handled the turn and emitted all of its bot_uttered.
"""

from __future__ import annotations

import asyncio
from typing import Any, Dict, List, Optional


class WidgetCaller:
    """One widget session: session_request → session_confirm, then user_uttered / bot_uttered."""

    def __init__(self, port: int, session_id: Optional[str] = None):
        self.port, self.session_id = port, session_id
        self.received: List[Dict[str, Any]] = []
        self.client = None

    async def __aenter__(self) -> WidgetCaller:
        import socketio

        self.client = socketio.AsyncClient(reconnection=False)
        confirmed: asyncio.Future = asyncio.get_running_loop().create_future()
        self.client.on("bot_uttered", lambda data: self.received.append(data))
        self.client.on("session_confirm", lambda sid: confirmed.done() or confirmed.set_result(sid))
        await asyncio.wait_for(
            self.client.connect(f"http://127.0.0.1:{self.port}", transports=["polling"], socketio_path="/socket.io"),
            20,
        )
        await self.client.emit("session_request", {"session_id": self.session_id})
        self.session_id = await asyncio.wait_for(confirmed, 20)
        return self

    async def __aexit__(self, *exc) -> None:
        try:  # a polling client's goodbye can wait on a request the server already closed
            await asyncio.wait_for(self.client.disconnect(), 10)
        except asyncio.TimeoutError:
            pass

    async def say(self, text: str, metadata: Any = None, key: str = "metadata") -> List[Dict[str, Any]]:
        """Send one message; the bot_uttered messages of this turn."""
        before = len(self.received)
        body = {"message": text, "session_id": self.session_id}
        if metadata is not None:
            body[key] = metadata
        await self.client.call("user_uttered", body, timeout=60)
        await asyncio.sleep(0.05)  # anything emitted with the acknowledgement
        return self.received[before:]


def texts(messages: List[Dict[str, Any]]) -> str:
    return "\n".join(m.get("text") or "" for m in messages)


def run(coro, timeout: float = 180):
    """Run one widget conversation; a hang anywhere fails the test instead of stalling the suite."""
    return asyncio.run(asyncio.wait_for(coro, timeout))
