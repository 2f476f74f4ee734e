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


def test_supervisor_tokens_from_the_environment_the_file_or_generated(data_dir, monkeypatch):
    from bot.settings import supervisor_tokens

    monkeypatch.setenv("BOT_SUPERVISOR_TOKENS", "王主管:sup-token-1,li:sup-token-2")
    assert supervisor_tokens(load_settings()) == ({"sup-token-1": "王主管", "sup-token-2": "li"}, False)
    monkeypatch.delenv("BOT_SUPERVISOR_TOKENS")
    tokens, generated = supervisor_tokens(load_settings())
    assert generated and list(tokens.values()) == ["supervisor1"]
    assert supervisor_tokens(load_settings()) == (tokens, False)
    assert oct((data_dir / "supervisor_tokens").stat().st_mode & 0o777) == "0o600"
    (data_dir / "supervisor_tokens").write_text("zhao:short\n", encoding="utf-8")
    with pytest.raises(AgentTokensError, match="主管姓名:令牌"):
        supervisor_tokens(load_settings())
