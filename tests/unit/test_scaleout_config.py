"""The scale-out stack's generated configuration: nginx balances every Rasa server with failover,
docker-compose gets the same template, and the per-call analytics fold events as reports need."""

import datetime as dt

from bot.core.analytics import tally
from bot.ops import scaleout
from bot.settings import load_settings
from tests.conftest import ROOT


def test_nginx_balances_every_rasa_server_and_skips_a_dead_one(tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORT", "7000")
    monkeypatch.setenv("BOT_RASA_SERVERS", "3")
    settings = load_settings()
    lay = scaleout.layout(settings)
    assert lay.rasa_ports == [7001, 7002, 7003]
    text = scaleout.write_nginx_config(settings, lay).read_text()
    assert "listen 7000;" in text
    for port in lay.rasa_ports:
        assert f"server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;" in text
    assert "proxy_next_upstream error timeout" in text
    assert "{{" not in text


def test_docker_compose_mounts_the_same_template_rendered():
    assert (ROOT / "deploy" / "nginx.conf").read_text() == scaleout.nginx_config(**scaleout.COMPOSE_NGINX)
    compose = (ROOT / "docker-compose.yml").read_text()
    for service in ("postgres:", "redis:", "rabbitmq:", "analytics:", "actions:", "rasa1:", "rasa2:", "nginx:"):
        assert f"\n  {service}" in compose
    assert "./deploy/nginx.conf:/etc/nginx/nginx.conf" in compose


def test_the_supervised_processes_are_the_composed_ones(tmp_path, monkeypatch):
    monkeypatch.setenv("BOT_DATA_DIR", str(tmp_path))
    settings = load_settings()
    lay = scaleout.layout(settings)
    keys = [c.key for c in scaleout.children(settings, lay, tmp_path / "nginx.conf")]
    assert keys == ["actions", "rasa1", "rasa2", "analytics", "nginx"]


def test_events_fold_into_one_tally_per_call():
    ts = dt.datetime(2026, 12, 1, 10, 0).timestamp()
    events = [
        {"sender_id": "c1", "event": "action", "name": "action_session_start", "timestamp": ts},
        {"sender_id": "c1", "event": "user", "text": "喂", "timestamp": ts},
        {"sender_id": "c1", "event": "slot", "name": "proxy_risk_level", "value": "watch", "timestamp": ts},
        {
            "sender_id": "c1",
            "event": "slot",
            "name": "proxy_signals",
            "value": [{"code": "gray_phrase"}],
            "timestamp": ts,
        },
        {"sender_id": "c1", "event": "user", "text": "停息挂账", "timestamp": ts + 5},
        {"sender_id": "c1", "event": "slot", "name": "proxy_risk_level", "value": "level2", "timestamp": ts + 5},
        {"sender_id": "c1", "event": "slot", "name": "proxy_signals", "value": [{"code": "unauthorized_third_party"}]},
        {"sender_id": "c2", "event": "user", "text": "你好", "timestamp": ts},
        {"event": "user", "text": "no sender"},
    ]
    calls = {}
    assert tally(events, calls) == {"c1", "c2"}
    c1 = calls["c1"]
    assert (c1.day, c1.turns, c1.level) == (dt.date(2026, 12, 1), 2, "level2")
    assert c1.signals == {"gray_phrase", "unauthorized_third_party"}
    assert (calls["c2"].turns, calls["c2"].level, calls["c2"].signals) == (1, "none", set())
