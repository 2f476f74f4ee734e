"""Settings read from the environment, with the defaults a newcomer needs."""
from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Dict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
        return os.environ.get("BOT_TRACKER_URL") or f"sqlite:///{self.tracker_db_path}"

    @property
    def token_file(self) -> Path:
        return self.data_dir / "api_token"

    @property
    def agent_tokens_file(self) -> Path:
        return self.data_dir / "agent_tokens"


def load_settings() -> Settings:
    """Settings from BOT_DATA_DIR, BOT_DB_URL, PORT and ACTION_PORT."""
    data_dir = Path(os.environ.get("BOT_DATA_DIR") or PROJECT_ROOT / "var").resolve()
    db_url = os.environ.get("BOT_DB_URL") or f"sqlite:///{data_dir / 'bot.db'}"
    return Settings(
        data_dir=data_dir,
        db_url=db_url,
        port=int(os.environ.get("PORT", "5005")),
        action_port=int(os.environ.get("ACTION_PORT", "5055")),
    )


def api_token(settings: Settings) -> tuple[str, bool]:
    """The summary API token and whether it was generated just now.

    BOT_API_TOKEN wins; otherwise a development token is generated once and
    kept in BOT_DATA_DIR so that restarts keep it.
    """
    token = os.environ.get("BOT_API_TOKEN")
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


def parse_agent_tokens(text: str, where: str) -> Dict[str, str]:
    """Token → agent id from "agent1:tok1,agent2:tok2" (commas or new lines; # starts a comment)."""
    tokens: Dict[str, str] = {}
    for item in text.replace("\n", ",").split(","):
        item = item.split("#", 1)[0].strip()
        if not item:
            continue
        agent, _, token = item.partition(":")
        agent, token = agent.strip(), token.strip()
        if not agent or len(token) < 8:
            raise AgentTokensError(f"{where}：“{item[:20]}”格式应为 坐席编号:令牌（令牌至少 8 个字符）。")
        tokens[token] = agent
    return tokens


def agent_tokens(settings: Settings) -> tuple[Dict[str, str], bool]:
    """The agent panel's tokens (token → agent id) and whether one was generated just now.

    BOT_AGENT_TOKENS ("agent1:tok1,agent2:tok2") wins; otherwise BOT_DATA_DIR/agent_tokens
    (one "agent_id:token" per line); otherwise a development agent `agent1` is generated once.
    """
    configured = os.environ.get("BOT_AGENT_TOKENS")
    if configured:
        return parse_agent_tokens(configured, "BOT_AGENT_TOKENS"), False
    path = settings.agent_tokens_file
    if path.exists():
        return parse_agent_tokens(path.read_text(encoding="utf-8"), str(path)), False
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path.write_text("# 坐席编号:令牌，每行一个（开发用，生产环境请设置 BOT_AGENT_TOKENS）\n"
                    f"agent1:{token}\n", encoding="utf-8")
    path.chmod(0o600)
    return {token: "agent1"}, True
