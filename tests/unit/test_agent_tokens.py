"""Agent tokens: from the operator (environment or file), or one development token generated once."""

import pytest

from bot.settings import AgentTokensError, agent_tokens, load_settings, parse_agent_tokens


def test_tokens_from_the_environment(data_dir, monkeypatch):
    monkeypatch.setenv("BOT_AGENT_TOKENS", "agent1:token-one-1, agent2:token-two-2")
    assert agent_tokens(load_settings()) == ({"token-one-1": "agent1", "token-two-2": "agent2"}, False)
    assert not (data_dir / "agent_tokens").exists()


def test_tokens_from_the_file(data_dir, monkeypatch):
    monkeypatch.delenv("BOT_AGENT_TOKENS", raising=False)
    (data_dir / "agent_tokens").write_text("# 坐席\nzhang:abcdefgh-1\n\nli:abcdefgh-2  # 夜班\n", encoding="utf-8")
    assert agent_tokens(load_settings()) == ({"abcdefgh-1": "zhang", "abcdefgh-2": "li"}, False)


def test_a_development_token_is_generated_once(data_dir, monkeypatch):
    monkeypatch.delenv("BOT_AGENT_TOKENS", raising=False)
    tokens, generated = agent_tokens(load_settings())
    assert generated and list(tokens.values()) == ["agent1"] and len(next(iter(tokens))) >= 24
    assert agent_tokens(load_settings()) == (tokens, False)
    assert oct((data_dir / "agent_tokens").stat().st_mode & 0o777) == "0o600"


@pytest.mark.parametrize("text", ["agent1", "agent1:short", ":abcdefghij"])
def test_malformed_tokens_are_refused_in_chinese(text):
    with pytest.raises(AgentTokensError, match="坐席编号:令牌"):
        parse_agent_tokens(text, "BOT_AGENT_TOKENS")
