"""Bearer tokens: one constant-time check, used by the summary, operator and IVR routes and the agent channel."""

from types import SimpleNamespace

import pytest

from bot.integration.http.auth import token_ok, token_owner


def request(header=None):
    return SimpleNamespace(headers={"Authorization": header} if header is not None else {})


AGENTS = {"token-of-agent-one": "agent1", "token-of-agent-two": "agent2"}


def test_the_owner_of_a_known_token():
    assert token_owner(request("Bearer token-of-agent-two"), AGENTS) == "agent2"
    assert token_owner(request("Bearer  token-of-agent-one "), AGENTS) == "agent1"


@pytest.mark.parametrize(
    "header",
    [
        None,
        "",
        "Bearer",
        "Bearer ",
        "token-of-agent-one",
        "Basic token-of-agent-one",
        "Bearer token-of-agent",
        "Bearer x",
    ],
)
def test_no_owner_without_an_exact_bearer_token(header):
    assert token_owner(request(header), AGENTS) is None
    assert not token_ok(request(header), AGENTS)


def test_token_ok_accepts_any_listed_token_and_nothing_when_none_is_listed():
    assert token_ok(request("Bearer op-token-123"), ["other-token", "op-token-123"])
    assert not token_ok(request("Bearer op-token-123"), [])
    assert not token_ok(request("Bearer "), [""])


def test_the_agent_channel_asks_the_same_check():
    from bot.integration.channels.agent import AgentInput

    channel = AgentInput(AGENTS)
    assert channel.agent_for(request("Bearer token-of-agent-one")) == "agent1"
    assert channel.agent_for(request("Bearer token-of-agent-one-and-more")) is None


def test_one_project_database_per_process(data_dir):
    from bot.services.storage import project_database

    project_database.cache_clear()
    try:
        first = project_database()
        assert project_database() is first
        assert str(first.engine.url).endswith("var/bot.db")
    finally:
        project_database.cache_clear()
