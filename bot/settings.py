"""Every environment variable the project reads, with its default and meaning, in one place.

Code asks `env("NAME")` (or `env_float`, `env_int`, `env_flag`) instead of reading
os.environ itself; a name not listed in VARIABLES is a programming error.
docs/operations.md carries `markdown_table()` between its settings markers
(tests/unit/test_settings.py keeps the two equal; `python -m bot settings` prints it).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Optional, Tuple

PROJECT_ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Variable:
    """One environment variable: its name, default ("" = unset) and what it means."""

    name: str
    default: str
    meaning: str
    read_by: str = "bot"  # "bot" = our Python; "rasa" = interpolated by Rasa into an endpoints file


VARIABLES: Tuple[Variable, ...] = (
    Variable("BOT_DATA_DIR", "var/", "Where all state lives: databases, tokens, case files, SMS outbox."),
    Variable(
        "BOT_DB_URL",
        "sqlite:///BOT_DATA_DIR/bot.db",
        "The project database (customers, watchlist, cases, audit); a PostgreSQL URL for scale-out.",
    ),
    Variable(
        "BOT_TRACKER_URL",
        "sqlite:///BOT_DATA_DIR/rasa_tracker.db",
        "The tracker store as a SQLAlchemy URL, for the commands that read conversations (case export, export-story).",
    ),
    Variable(
        "BOT_TRACKER_DB",
        "BOT_DATA_DIR/rasa_tracker.db",
        "The SQLite tracker file endpoints.yml points at (set by the launcher).",
        "rasa",
    ),
    Variable(
        "BOT_ENDPOINTS",
        "endpoints.yml",
        "The endpoints file Rasa starts with (deploy/endpoints.scaleout.yml for PostgreSQL + Redis).",
    ),
    Variable("PORT", "5005", "The port of the Rasa server: channels, pages and APIs."),
    Variable("ACTION_PORT", "5055", "The port of the action server."),
    Variable("ACTION_HOST", "127.0.0.1", "The host the Rasa server reaches the action server on.", "rasa"),
    Variable("LOG_LEVEL", "INFO", "Log level of both servers and the commands (DEBUG logs every message, masked)."),
    Variable(
        "BOT_API_TOKEN",
        "",
        "Operator token for the summary, case and audit APIs; unset: generated once into BOT_DATA_DIR/api_token.",
    ),
    Variable(
        "BOT_AGENT_TOKENS",
        "",
        "Agent panel tokens, \"agent1:token1,agent2:token2\"; unset: BOT_DATA_DIR/agent_tokens, else one generated for agent1.",
    ),
    Variable(
        "BOT_SUPERVISOR_TOKENS",
        "",
        "Anti-proxy team console tokens, \"name1:token1,name2:token2\"; unset: BOT_DATA_DIR/supervisor_tokens, else one generated for supervisor1.",
    ),
    Variable(
        "BOT_IVR_TOKEN", "", "Bearer token the telephony platform must send to the IVR webhook; unset: none required."
    ),
    Variable(
        "BOT_IVR_MIN_CONFIDENCE",
        "",
        "ASR confidence below which the IVR asks again instead of guessing; unset: credentials.yml (0.6).",
    ),
    Variable(
        "BOT_SHARING_KEY",
        "",
        "Key of the hashed phone numbers exchanged with other lenders; unset: shared lists are not matched.",
    ),
    Variable(
        "BOT_SMS_WEBHOOK",
        "",
        "The lender's SMS gateway: verification codes are POSTed there as {\"to\", \"text\"}; unset: appended to BOT_DATA_DIR/sms_outbox.jsonl (development).",
    ),
    Variable(
        "BOT_WEB_SIGNING_KEY",
        "",
        "Key of the HMAC the lender's web backend signs metadata.caller_number with; unset: web numbers are trusted (development only).",
    ),
    Variable(
        "BOT_CALLBACK_HOURS",
        "4",
        "Working hours within which staff phone a web-chat caller back after a handoff; the chat says this number.",
    ),
    Variable(
        "BOT_RETENTION_DAYS",
        "",
        "Days calls are kept before `python -m bot retention` anonymises them; unset: kept until deleted by hand.",
    ),
    Variable(
        "BOT_ACTION_TIMEOUT",
        "5",
        "Seconds the Rasa server waits for the action server before apologising and handing off.",
    ),
    Variable(
        "BOT_DB_BUSY_TIMEOUT", "3", "Seconds SQLite waits for a locked database before failing the whole transaction."
    ),
    Variable("BOT_MAX_BODY_BYTES", "16384", "Largest request body any POST accepts (413 above it)."),
    Variable(
        "BOT_RASA_SPEEDUPS",
        "1",
        "1: the measured Rasa speed-ups (bot/integration/speedups.py, the tracker store's fast path); "
        "0: stock Rasa code throughout. Off by itself when the installed Rasa is not the tested release.",
    ),
    Variable("BOT_PG_HOST", "", "PostgreSQL host of the scale-out tracker store.", "rasa"),
    Variable("BOT_PG_PORT", "", "PostgreSQL port of the scale-out tracker store.", "rasa"),
    Variable("BOT_PG_USER", "", "PostgreSQL user of the scale-out tracker store.", "rasa"),
    Variable("BOT_PG_PASSWORD", "", "PostgreSQL password of the scale-out tracker store.", "rasa"),
    Variable("BOT_PG_TRACKER_DB", "", "PostgreSQL database of the scale-out tracker store.", "rasa"),
    Variable("BOT_REDIS_HOST", "", "Redis host of the scale-out lock store.", "rasa"),
    Variable("BOT_REDIS_PORT", "", "Redis port of the scale-out lock store.", "rasa"),
    Variable(
        "BOT_RASA_SERVERS",
        "2",
        "`make run-scaleout`: how many Rasa servers nginx balances (on ports PORT+1 … PORT+N; nginx on PORT).",
    ),
    Variable(
        "BOT_SCALEOUT_PORTS",
        "5432,6379,5672",
        "`make run-scaleout`: the local PostgreSQL, Redis and RabbitMQ ports it starts (all on 127.0.0.1).",
    ),
    Variable(
        "BOT_EVENTS_DB",
        "BOT_DATA_DIR/events.db",
        "`make run`: the SQLite file Rasa's SQL event broker writes every conversation event to (set by the launcher).",
        "rasa",
    ),
    Variable("BOT_RABBITMQ_HOST", "", "RabbitMQ host of the scale-out event broker (Pika).", "rasa"),
    Variable("BOT_RABBITMQ_PORT", "", "RabbitMQ port of the scale-out event broker.", "rasa"),
    Variable("BOT_RABBITMQ_USER", "", "RabbitMQ user of the scale-out event broker.", "rasa"),
    Variable("BOT_RABBITMQ_PASSWORD", "", "RabbitMQ password of the scale-out event broker.", "rasa"),
    Variable(
        "TICKET_LOCK_LIFETIME",
        "",
        "Seconds a Rasa server holds a call's turn lock at most (Rasa's default 60); the scale-out launcher "
        "sets 15, so a server killed mid-turn delays that call's next turn by at most that.",
        "rasa",
    ),
)
_BY_NAME: Dict[str, Variable] = {v.name: v for v in VARIABLES}
# Variables whose values are secrets: scrubbed from every log line.
SECRET_VARIABLES: Tuple[str, ...] = (
    "BOT_API_TOKEN",
    "BOT_AGENT_TOKENS",
    "BOT_SUPERVISOR_TOKENS",
    "BOT_IVR_TOKEN",
    "BOT_SHARING_KEY",
    "BOT_WEB_SIGNING_KEY",
    "BOT_PG_PASSWORD",
    "BOT_RABBITMQ_PASSWORD",
)


def env(name: str) -> Optional[str]:
    """The variable's value, or None when it is unset or empty (the default is the caller's to apply)."""
    if name not in _BY_NAME:
        raise KeyError(f"{name} is not a setting of this project; add it to bot/settings.py VARIABLES")
    return os.environ.get(name) or None


def env_float(name: str, fallback: float, minimum: Optional[float] = None) -> float:
    """A number setting; a value that is not a number falls back to the default."""
    try:
        value = float(env(name) or fallback)
    except ValueError:
        value = fallback
    return max(minimum, value) if minimum is not None else value


def env_int(name: str, fallback: int, minimum: Optional[int] = None) -> int:
    return int(env_float(name, fallback, minimum))


def env_flag(name: str, fallback: bool) -> bool:
    """An on/off setting: 0/false/no/off are off, anything else set is on."""
    value = env(name)
    if value is None:
        return fallback
    return value.strip().lower() not in ("0", "false", "no", "off")


def callback_hours() -> int:
    """BOT_CALLBACK_HOURS: the working hours the web chat promises a call back within after a handoff."""
    return env_int("BOT_CALLBACK_HOURS", 4, minimum=1)


def markdown_table() -> str:
    """The settings as the table docs/operations.md carries."""
    rows = ["| variable | default | read by | meaning |", "|---|---|---|---|"]
    for v in VARIABLES:
        rows.append(
            f"| `{v.name}` | {f'`{v.default}`' if v.default else '(unset)'} | "
            f"{'Rasa (endpoints file)' if v.read_by == 'rasa' else 'bot'} | {v.meaning} |"
        )
    return "\n".join(rows)


@dataclass(frozen=True)
class Settings:
    """Where state lives and how the servers are reached."""

    data_dir: Path
    db_url: str
    port: int
    action_port: int

    @property
    def tracker_db_path(self) -> Path:
        return self.data_dir / "rasa_tracker.db"

    @property
    def tracker_url(self) -> str:
        """Rasa's tracker store as a SQLAlchemy URL (BOT_TRACKER_URL for PostgreSQL)."""
        return env("BOT_TRACKER_URL") or f"sqlite:///{self.tracker_db_path}"

    @property
    def events_db_path(self) -> Path:
        """The SQL event broker's SQLite file (`make run`)."""
        return self.data_dir / "events.db"

    @property
    def token_file(self) -> Path:
        return self.data_dir / "api_token"

    @property
    def agent_tokens_file(self) -> Path:
        return self.data_dir / "agent_tokens"

    @property
    def supervisor_tokens_file(self) -> Path:
        return self.data_dir / "supervisor_tokens"


def load_settings() -> Settings:
    """Settings from BOT_DATA_DIR, BOT_DB_URL, PORT and ACTION_PORT."""
    data_dir = Path(env("BOT_DATA_DIR") or PROJECT_ROOT / "var").resolve()
    db_url = env("BOT_DB_URL") or f"sqlite:///{data_dir / 'bot.db'}"
    return Settings(
        data_dir=data_dir,
        db_url=db_url,
        port=env_int("PORT", 5005),
        action_port=env_int("ACTION_PORT", 5055),
    )


def api_token(settings: Settings) -> tuple[str, bool]:
    """The summary API token and whether it was generated just now.

    BOT_API_TOKEN wins; otherwise a development token is generated once and
    kept in BOT_DATA_DIR so that restarts keep it.
    """
    token = env("BOT_API_TOKEN")
    if token:
        return token, False
    path = settings.token_file
    if path.exists():
        return path.read_text(encoding="utf-8").strip(), False
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path.write_text(token + "\n", encoding="utf-8")
    path.chmod(0o600)
    return token, True


class AgentTokensError(ValueError):
    """The operator's agent tokens cannot be read (the message says where and why, in Chinese)."""


def parse_agent_tokens(text: str, where: str, label: str = "坐席编号") -> Dict[str, str]:
    """Token → agent id from "agent1:tok1,agent2:tok2" (commas or new lines; # starts a comment)."""
    tokens: Dict[str, str] = {}
    for item in text.replace("\n", ",").split(","):
        item = item.split("#", 1)[0].strip()
        if not item:
            continue
        agent, _, token = item.partition(":")
        agent, token = agent.strip(), token.strip()
        if not agent or len(token) < 8:
            raise AgentTokensError(f"{where}：“{item[:20]}”格式应为 {label}:令牌（令牌至少 8 个字符）。")
        tokens[token] = agent
    return tokens


def _named_tokens(
    settings: Settings, variable: str, path: Path, default_name: str, comment: str, label: str
) -> tuple[Dict[str, str], bool]:
    """Token → name from the variable, else the file, else one generated for `default_name`."""
    configured = env(variable)
    if configured:
        return parse_agent_tokens(configured, variable, label), False
    if path.exists():
        return parse_agent_tokens(path.read_text(encoding="utf-8"), str(path), label), False
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path.write_text(f"# {comment}\n{default_name}:{token}\n", encoding="utf-8")
    path.chmod(0o600)
    return {token: default_name}, True


def supervisor_tokens(settings: Settings) -> tuple[Dict[str, str], bool]:
    """The anti-proxy team console's tokens (token → supervisor name) and whether one was generated.

    BOT_SUPERVISOR_TOKENS ("wang:tok1,li:tok2") wins; otherwise BOT_DATA_DIR/supervisor_tokens
    (one "name:token" per line); otherwise a development supervisor `supervisor1` is generated once.
    """
    return _named_tokens(
        settings,
        "BOT_SUPERVISOR_TOKENS",
        settings.supervisor_tokens_file,
        "supervisor1",
        "主管姓名:令牌，每行一个（开发用，生产环境请设置 BOT_SUPERVISOR_TOKENS）",
        "主管姓名",
    )


def agent_tokens(settings: Settings) -> tuple[Dict[str, str], bool]:
    """The agent panel's tokens (token → agent id) and whether one was generated just now.

    BOT_AGENT_TOKENS ("agent1:tok1,agent2:tok2") wins; otherwise BOT_DATA_DIR/agent_tokens
    (one "agent_id:token" per line); otherwise a development agent `agent1` is generated once.
    """
    configured = env("BOT_AGENT_TOKENS")
    if configured:
        return parse_agent_tokens(configured, "BOT_AGENT_TOKENS"), False
    path = settings.agent_tokens_file
    if path.exists():
        return parse_agent_tokens(path.read_text(encoding="utf-8"), str(path)), False
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path.write_text(
        f"# 坐席编号:令牌，每行一个（开发用，生产环境请设置 BOT_AGENT_TOKENS）\nagent1:{token}\n", encoding="utf-8"
    )
    path.chmod(0o600)
    return {token: "agent1"}, True
