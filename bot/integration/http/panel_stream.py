"""GET /webhooks/agent/calls/<call_id>/stream: the open panel's server push (Server-Sent Events).

The same way as the console's stream (bot/integration/http/console_stream.py, whose `sse()`,
`tracker_mark()`, timings and stop flag this reuses): every poll it reads cheap marks of the
call from the shared stores — the tracker's last event, the newest transcript segment, the
hand ticks, the call record — so a turn handled by another Rasa server or a segment stored by
another process shows too, and pushes

- `hello`   {"call_id"} once, when the stream opens;
- `panel`   the panel answer (the very JSON `POST /webhooks/agent/webhook` and
            `POST /webhooks/agent/transcript` answer), first at once, then whenever the call changed;
- `interim` {"call_id", "speaker", "text", "at"}: the newest not-yet-final recognition of a
            speaker (shown greyed; it changes nothing);
- `bye`     {"reason": "max_age" | "revoked" | "stopping"} before the server ends the stream.

A comment line every 15 s keeps proxies from closing an idle stream; a stream ends after five
minutes (the page reconnects and gets the whole panel again; the token is checked again then)
or when the server stops. The page reads it with fetch() so the Authorization header goes along.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, Awaitable, Callable, Dict, List

from sanic.request import Request

from bot.integration.http.console_stream import MAX_SECONDS, PING_SECONDS, STATE, sse, tracker_mark

logger = logging.getLogger(__name__)

POLL_SECONDS = 0.5  # a spoken line should reach the panel well within a second

__all__ = ["serve", "tracker_mark", "POLL_SECONDS"]


async def serve(
    request: Request,
    call_id: str,
    render: Callable[[], Awaitable[Dict[str, Any]]],
    marks: Callable[[], Awaitable[tuple]],
    interim: Callable[[], List[Dict[str, Any]]],
    still_allowed: Callable[[], bool],
) -> None:
    """Hold the stream open (see the module docstring). `marks()` gives (panel mark, interim mark)."""
    response = await request.respond(
        content_type="text/event-stream; charset=utf-8",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
    started = last_ping = time.monotonic()
    reason = "max_age"
    try:
        panel_mark, interim_mark = await marks()
        await response.send(sse("hello", {"call_id": call_id}))
        await response.send(sse("panel", await render()))
        sent_interim: Dict[str, str] = {}
        while time.monotonic() - started < MAX_SECONDS:
            if STATE["stopping"]:
                reason = "stopping"
                break
            await asyncio.sleep(POLL_SECONDS)
            if request.transport.is_closing():
                return
            if not still_allowed():
                reason = "revoked"
                break
            now_panel, now_interim = await marks()
            if now_panel != panel_mark:
                panel_mark, interim_mark = now_panel, now_interim
                answer = await render()
                sent_interim = {i["speaker"]: i["text"] for i in answer.get("interim") or []}
                await response.send(sse("panel", answer))
            elif now_interim != interim_mark:
                interim_mark = now_interim
                for item in interim():
                    if sent_interim.get(item["speaker"]) != item["text"]:
                        sent_interim[item["speaker"]] = item["text"]
                        await response.send(sse("interim", {"call_id": call_id, **item}))
            if time.monotonic() - last_ping > PING_SECONDS:
                last_ping = time.monotonic()
                await response.send(": ping\n\n")
        await response.send(sse("bye", {"reason": reason}))
        await response.eof()
    except Exception as err:  # noqa: BLE001 - the browser went away; nothing to clean up
        logger.debug("panel stream for %s closed: %s", call_id, err)
