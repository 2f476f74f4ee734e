"""Holding one persona's call against the running bot, over REST or IVR (contract §2), and many at once.

A call: (IVR: `start` with caller_number and voiceprint), the opening lines one after
another, then after every bot turn the caller answers the bot's last question with its
next line of that kind (keys instead where the persona's `ivr.dtmf` names the kind). A turn
that asks nothing ends the call when the bot said goodbye, hung up or transferred (IVR
`transfer`/`hangup`, or the summary's `handoff`), or when the summary has a next step;
otherwise the caller says its `other` line. At most MAX_TURNS caller turns. (IVR: `hangup`.)
Then the summary (contract §3) is read with the operator token.

Only 127.0.0.1 is addressed. Calls about the same account never overlap (so a code read
back is the one sent in this call), and calls from the same number run in persona order
(so "one number, several borrowers" sees the same history on every run).
"""

from __future__ import annotations

import asyncio
import json
import time
import uuid
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple
from urllib.parse import urlparse

import aiohttp

from bench.sim.caller import Answer, Caller, opening_facts, outbox_lines, rest_metadata
from bench.sim.classify import misunderstood, question_of, says_goodbye
from bench.sim.personas import Customer, Persona
from bench.sim.score import CallResult, Ledger, Turn, score_call

MAX_TURNS = 24
LOW_CONFIDENCE = 0.4
NORMAL_CONFIDENCE = 0.92
REQUEST_TIMEOUT = 30.0
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


class CallFailed(Exception):
    """A request the bot did not answer properly (the call counts as crashed)."""


class Bot:
    """The running bot's HTTP surface the caller and the scorer use."""

    def __init__(self, session: aiohttp.ClientSession, base_url: str, token: str, signing_key: str) -> None:
        if urlparse(base_url).hostname not in LOOPBACK:
            raise ValueError(f"the simulator only talks to loopback, not {base_url}")
        self.session, self.base, self.token, self.signing_key = session, base_url.rstrip("/"), token, signing_key

    async def _post(self, path: str, body: dict) -> Tuple[int, object]:
        async with self.session.post(self.base + path, json=body) as resp:
            text = await resp.text()
            try:
                return resp.status, json.loads(text) if text else None
            except ValueError:
                return resp.status, text

    async def rest(self, sender: str, message: str, metadata: Mapping[str, object]) -> Tuple[int, List[str]]:
        status, body = await self._post(
            "/webhooks/rest/webhook", {"sender": sender, "message": message, "metadata": dict(metadata)}
        )
        if status != 200 or not isinstance(body, list):
            raise CallFailed(f"REST {status}: {str(body)[:200]}")
        return status, [m["text"] for m in body if isinstance(m, dict) and m.get("text")]

    async def ivr(self, payload: dict) -> Dict[str, object]:
        status, body = await self._post("/webhooks/ivr/webhook", payload)
        if status != 200 or not isinstance(body, dict):
            raise CallFailed(f"IVR {payload.get('event')} {status}: {str(body)[:200]}")
        return body

    async def summary(self, call_id: str) -> Optional[Dict[str, object]]:
        headers = {"Authorization": f"Bearer {self.token}"}
        async with self.session.get(f"{self.base}/calls/{call_id}/summary", headers=headers) as resp:
            if resp.status != 200:
                return None
            return await resp.json()


def _prompts(reply: Mapping[str, object]) -> List[str]:
    return [p.get("text", "") for p in reply.get("prompts") or [] if isinstance(p, dict) and p.get("text")]


class CallSession:
    """One persona's call in progress: the channel plumbing around Caller and Ledger."""

    def __init__(self, persona: Persona, bot: Bot, customers: Mapping[str, Customer], outbox: Path, tag: str):
        self.persona, self.bot, self.customers = persona, bot, customers
        self.call_id = f"sim-{tag}-{persona.id}"
        self.caller = Caller(persona, customers, outbox, outbox_lines(outbox))
        self.customer = customers.get(persona.truth_customer) if persona.truth_customer else None
        self.ledger = Ledger()
        self.transcript: List[Turn] = []
        self.n = 0
        self.ended_by: Optional[str] = None

    # ---- sending -----------------------------------------------------------------
    async def start(self) -> None:
        if self.persona.channel != "ivr":
            return
        payload = {"call_id": self.call_id, "event": "start"}
        if self.persona.caller_number:
            payload["caller_number"] = self.persona.caller_number
        if self.persona.voiceprint:
            payload["voiceprint"] = list(self.persona.voiceprint)
        reply = await self.bot.ivr(payload)
        self._bot_turn(Turn(0, None, "start", _prompts(reply), ivr=_ivr_state(reply)), count=False)
        self._ivr_end(reply)

    async def say(self, text: str, said_as: str, dtmf: bool = False, answer: Optional[Answer] = None) -> Turn:
        self.n += 1
        heard = dtmf or self.persona.channel == "rest" or self.n not in self.persona.low_confidence_turns
        if answer is not None:
            self.ledger.answered(answer.kind, answer.informative, heard)
        confidence = None
        if self.persona.channel == "rest":
            metadata = rest_metadata(self.persona, self.call_id, self.bot.signing_key)
            _, texts = await self.bot.rest(self.call_id, text, metadata)
            turn = Turn(self.n, text, said_as, texts)
        else:
            payload: Dict[str, object] = {"call_id": self.call_id}
            if self.persona.caller_number:
                payload["caller_number"] = self.persona.caller_number
            if dtmf:
                payload.update(event="dtmf", dtmf=text)
            else:
                confidence = NORMAL_CONFIDENCE if heard else LOW_CONFIDENCE
                payload.update(event="utterance", text=text, asr_confidence=confidence)
            reply = await self.bot.ivr(payload)
            turn = Turn(self.n, text, said_as, _prompts(reply), dtmf=dtmf, confidence=confidence, ivr=_ivr_state(reply))
            self._ivr_end(reply)
        if said_as == "opening" and heard:
            self.ledger.heard_opening(opening_facts(self.persona, self.customer, [text]))
        self._bot_turn(turn)
        return turn

    async def answer(self, answer: Answer) -> Turn:
        return await self.say(answer.text, answer.kind, dtmf=answer.dtmf, answer=answer)

    def _bot_turn(self, turn: Turn, count: bool = True) -> None:
        question = question_of(turn.bot, self.persona.truth_role)
        turn.misunderstood = misunderstood(turn.bot)
        if question is not None:
            turn.question = question.text
            turn.kind = self.caller.choose(question)
            if count:
                turn.reask = self.ledger.asked_question(turn.n, question, turn.kind)
        self.transcript.append(turn)

    def _ivr_end(self, reply: Mapping[str, object]) -> None:
        if reply.get("hangup"):
            self.ended_by = "bot_hangup"
        elif reply.get("transfer"):
            self.ended_by = "transfer"

    # ---- the call ------------------------------------------------------------------
    async def hold(self) -> None:
        await self.start()
        for line in self.persona.opening:
            if self.ended_by or self.n >= MAX_TURNS:
                return
            await self.say(line, "opening")
        while not self.ended_by:
            if self.n >= MAX_TURNS:
                self.ended_by = "max_turns"
                return
            last = self.transcript[-1]
            question = question_of(last.bot, self.persona.truth_role)
            if question is not None:
                await self.answer(self.caller.answer(question))
                continue
            if says_goodbye(last.bot):
                self.ended_by = "goodbye"
                return
            summary = await self.bot.summary(self.call_id)
            if summary and summary.get("handoff"):
                self.ended_by = "handoff"
                return
            if summary and summary.get("next_step"):
                self.ended_by = "next_step"
                return
            await self.answer(self.caller.other())

    async def hang_up(self) -> None:
        if self.persona.channel == "ivr" and self.ended_by != "bot_hangup":
            try:
                await self.bot.ivr({"call_id": self.call_id, "event": "hangup"})
            except CallFailed:
                pass  # the call may already be closed; the summary says what it ended as


def _ivr_state(reply: Mapping[str, object]) -> Dict[str, object]:
    return {k: reply.get(k) for k in ("expect", "dtmf_max_digits", "transfer", "hangup")}


async def play(persona: Persona, bot: Bot, customers: Mapping[str, Customer], outbox: Path, tag: str) -> CallResult:
    """Hold one persona's call and score it; a crash or timeout is a result, not an exception."""
    session = CallSession(persona, bot, customers, outbox, tag)
    started = time.monotonic()
    error: Optional[str] = None
    try:
        await session.hold()
    except (CallFailed, aiohttp.ClientError, asyncio.TimeoutError) as err:
        error = f"caller turn {session.n}: {type(err).__name__}: {err}"
        session.ended_by = "error"
    try:
        await session.hang_up()
        summary = await bot.summary(session.call_id)
    except (aiohttp.ClientError, asyncio.TimeoutError) as err:
        summary = None
        error = error or f"summary: {type(err).__name__}: {err}"
    return score_call(
        persona,
        customers,
        session.call_id,
        session.transcript,
        session.ledger,
        summary,
        session.ended_by or "unknown",
        error,
        time.monotonic() - started,
    )


def run_tag() -> str:
    return time.strftime("%H%M%S") + uuid.uuid4().hex[:4]


async def play_all(
    personas: Sequence[Persona],
    base_url: str,
    token: str,
    signing_key: str,
    customers: Mapping[str, Customer],
    outbox: Path,
    jobs: int = 4,
    progress: Optional[Callable[[CallResult], None]] = None,
) -> List[CallResult]:
    """Every persona's call, `jobs` at a time; results in persona order."""
    tag = run_tag()
    slots = asyncio.Semaphore(max(1, jobs))
    accounts: Dict[Optional[str], asyncio.Lock] = {}
    results: Dict[str, CallResult] = {}
    groups: Dict[object, List[Persona]] = {}
    for persona in personas:
        groups.setdefault(persona.caller_number or ("alone", persona.id), []).append(persona)
    timeout = aiohttp.ClientTimeout(total=REQUEST_TIMEOUT)
    connector = aiohttp.TCPConnector(limit=max(4, jobs * 2))
    async with aiohttp.ClientSession(timeout=timeout, connector=connector) as http:
        bot = Bot(http, base_url, token, signing_key)

        async def one_number(group: List[Persona]) -> None:
            for persona in group:  # the same number calls in persona order
                lock = accounts.setdefault(persona.truth_customer or persona.id, asyncio.Lock())
                async with lock, slots:
                    result = await play(persona, bot, customers, outbox, tag)
                results[persona.id] = result
                if progress:
                    progress(result)

        await asyncio.gather(*(one_number(g) for g in groups.values()))
    return [results[p.id] for p in personas]
