"""The agents' adherence in the anti-proxy team's console, on the real servers: agent calls fed as
transcript segments and ended through the panel's endpoints, then `GET /console/api/adherence`
(defaults, filters, bad input, who may read it) and the console's 话术执行 view in headless
Chromium, with screenshots at 1366×768 and 420×900 under tests/artifacts/.
"""

import datetime as dt
import time

import pytest

from tests.e2e.conftest import AGENT_TOKENS, ARTIFACTS, TOKEN, open_page
from tests.e2e.test_case_api import SUPERVISOR, req
from tests.e2e.test_channels import http, new_id
from tests.e2e.test_console_page import sign_in
from tests.e2e.test_transcript_feed import HALF_DIRECT_ROUTE, LEVEL2, MATERIALS, OPENING

pytestmark = pytest.mark.e2e
FIELDS = ("calls", "required", "said", "unsaid_confirmed")


def today():
    return dt.date.fromisoformat(time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600)))


def segment(stack, call_id, agent_id, speaker, text, **extra):
    body = {"call_id": call_id, "agent_id": agent_id, "speaker": speaker, "text": text, "final": True, **extra}
    status, _, answer = http(stack, "POST", "/webhooks/agent/transcript", body, token=AGENT_TOKENS[agent_id])
    assert status == 200, answer
    return answer


def end(stack, call_id, agent_id):
    """End the call as the panel does: a disposition, and a second confirm when lines are owed."""
    token = AGENT_TOKENS[agent_id]
    path = f"/webhooks/agent/calls/{call_id}/end"
    status, _, answer = http(stack, "POST", path, {"disposition": "resolved"}, token=token)
    owed = status == 409
    if owed:
        assert answer["error"]["code"] == "unsaid_items"
        status, _, answer = http(stack, "POST", path, {"disposition": "resolved", "confirm_unsaid": True}, token=token)
    assert status == 200 and answer["ended"] is True, answer
    return owed


def report(stack, query="", token=SUPERVISOR):
    status, body = req(stack, "GET", "/console/api/adherence" + query, token=token)
    assert status == 200, body
    return body


def row(body, agent_id, day=None):
    rows = [r for r in (body["days"] if day else body["agents"]) if r["agent_id"] == agent_id and r.get("day") == day]
    assert len(rows) <= 1
    return rows[0] if rows else {k: 0 for k in FIELDS}


@pytest.fixture(scope="module")
def calls(stack):
    """Three agent calls ended today: agent1 says everything once and half a line once, agent2 says nothing.
    Returns the report before them and what each agent's calls added (from the calls' own summaries)."""
    before = report(stack, f"?since={today()}")
    added = {"agent1": dict.fromkeys(FIELDS, 0), "agent2": dict.fromkeys(FIELDS, 0)}

    def finish(call_id, agent_id):
        owed = end(stack, call_id, agent_id)
        adherence = stack.summary(call_id)[1]["adherence"]
        entry = added[agent_id]
        entry["calls"] += 1
        entry["required"] += len(adherence["required"])
        entry["said"] += len(adherence["said"])
        entry["unsaid_confirmed"] += 1 if owed else 0
        return adherence, owed

    full = new_id("adh")
    segment(stack, full, "agent1", "agent", OPENING, caller_number="13900000011")
    segment(stack, full, "agent1", "caller", "你好，我想问一下怎么还款")
    adherence, owed = finish(full, "agent1")
    assert adherence["said"] == ["recording_notice"] and adherence["score"] == 1.0 and not owed

    half = new_id("adh")
    segment(stack, half, "agent1", "agent", OPENING, caller_number="13900000012")
    segment(stack, half, "agent1", "caller", "我们是债务优化中心的，要求停息挂账")
    segment(stack, half, "agent1", "caller", "借款人叫张伟")
    for text in (MATERIALS, LEVEL2, HALF_DIRECT_ROUTE):
        segment(stack, half, "agent1", "agent", text)
    adherence, owed = finish(half, "agent1")
    assert "direct_route" in adherence["required"] and "direct_route" not in adherence["said"] and owed

    silent = new_id("adh")
    segment(stack, silent, "agent2", "caller", "喂，你好，我想问一下还款", caller_number="13900000013")
    adherence, owed = finish(silent, "agent2")
    assert adherence["said"] == [] and adherence["score"] == 0.0 and owed
    return before, added


def test_the_report_defaults_to_the_last_seven_days_and_counts_the_ended_calls(stack, calls):
    before, added = calls
    body = report(stack)
    day = today()
    assert body["since"] == (day - dt.timedelta(days=6)).isoformat() and body["until"] == day.isoformat()
    assert body["agent"] is None and body["time_zone"] == "北京时间（UTC+8）"
    for agent_id in ("agent1", "agent2"):
        was, now = row(before, agent_id), row(body, agent_id)
        assert {k: now[k] - was[k] for k in FIELDS} == added[agent_id], agent_id
        assert now["score"] == round(now["said"] / now["required"], 2)
        today_row = row(body, agent_id, day.isoformat())
        assert {k: today_row[k] for k in FIELDS} == {k: now[k] for k in FIELDS}  # every call of this stack is today
    assert row(body, "agent2")["unsaid_confirmed"] >= 1
    assert [r["agent_id"] for r in body["agents"]] == sorted(r["agent_id"] for r in body["agents"])
    assert report(stack, token=TOKEN) == body  # the operator token reads it too


def test_the_agent_and_date_filters(stack, calls):
    day = today()
    only = report(stack, "?agent=agent2")
    assert only["agent"] == "agent2"
    assert [r["agent_id"] for r in only["agents"]] == ["agent2"]
    assert {(r["agent_id"], r["day"]) for r in only["days"]} == {("agent2", day.isoformat())}
    assert report(stack, "?agent=nobody")["agents"] == []

    one_day = report(stack, f"?since={day}&until={day}&agent=agent1")
    assert one_day["since"] == one_day["until"] == day.isoformat() and row(one_day, "agent1")["calls"] >= 2
    earlier = report(stack, f"?until={day - dt.timedelta(days=1)}")
    assert earlier["since"] == (day - dt.timedelta(days=7)).isoformat() and earlier["agents"] == []
    later = report(stack, f"?since={day + dt.timedelta(days=1)}")  # no until: that day itself
    assert later["until"] == later["since"] and later["agents"] == [] and later["days"] == []


@pytest.mark.parametrize(
    "query, code, words",
    [
        ("?since=2026-13-01", "invalid_date", "YYYY-MM-DD"),
        ("?until=yesterday", "invalid_date", "until=yesterday"),
        ("?since=2026-12-08&until=2026-12-01", "date_order", "晚于截止日期"),
        ("?since=2020-01-01&until=2026-12-01", "range_too_long", "最长 366 天"),
        ("?agent=%E5%BC%A0%E4%B8%89%20x", "bad_field", "agent"),
    ],
)
def test_bad_input_is_a_400_in_chinese(stack, query, code, words):
    status, body = req(stack, "GET", "/console/api/adherence" + query)
    assert status == 400 and body["error"]["code"] == code, body
    assert words in body["error"]["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]["message"])


def test_agents_get_403_and_no_token_401(stack):
    status, body = req(stack, "GET", "/console/api/adherence", token=AGENT_TOKENS["agent1"])
    assert status == 403 and body["error"]["code"] == "forbidden" and "坐席令牌" in body["error"]["message"]
    assert req(stack, "GET", "/console/api/adherence", token=None)[0] == 401
    assert req(stack, "GET", "/console/api/adherence", token="wrong-token")[0] == 401


def cells(page, selector):
    return page.eval_on_selector_all(
        selector + " tr", "rows => rows.map(r => Array.from(r.cells).map(c => c.innerText.trim()))"
    )


def test_the_console_view(stack, calls, browser):
    base = f"http://127.0.0.1:{stack.port}"
    body = report(stack)
    agent1, agent2 = row(body, "agent1"), row(body, "agent2")
    day = today().isoformat()

    context, page = open_page(browser, 1366, 768)
    sign_in(page, base)
    page.click("#tabs a[data-view='adherence']")
    page.wait_for_selector("#a-agent-rows tr[data-agent='agent2']")
    assert page.get_attribute("#tabs a[data-view='adherence']", "class") == "active"
    assert page.input_value("#a-since") == body["since"] and page.input_value("#a-until") == day
    assert "全部坐席" in page.inner_text("#a-range") and "北京时间" in page.inner_text("#a-range")
    rows = {r[0]: r for r in cells(page, "#a-agent-rows")}
    assert rows["agent1"] == [
        "agent1",
        str(agent1["calls"]),
        str(agent1["required"]),
        str(agent1["said"]),
        f"{round(agent1['score'] * 100)}%",
        str(agent1["unsaid_confirmed"]),
    ]
    assert rows["agent2"][4] == f"{round(agent2['score'] * 100)}%"
    assert page.get_attribute("#a-agent-rows tr[data-agent='agent2'] .score", "class") == "score low"
    days = cells(page, "#a-day-rows")
    assert ["agent2", day, str(agent2["calls"])] == days[[r[0] for r in days].index("agent2")][:3]
    assert "未说完即结束" in page.inner_text("#a-agents thead")
    page.screenshot(path=str(ARTIFACTS / "console-adherence-1366.png"), full_page=True)

    # one agent: by clicking its row, then by typing its id
    page.click("#a-agent-rows tr[data-agent='agent2']")
    page.wait_for_function("document.querySelector('#a-range').innerText.includes('坐席 agent2')")
    assert [r[0] for r in cells(page, "#a-agent-rows")] == ["agent2"]
    assert {r[0] for r in cells(page, "#a-day-rows")} == {"agent2"}
    page.fill("#a-agent", "agent1")
    page.click("#adh-form button[type='submit']")
    page.wait_for_function("document.querySelector('#a-range').innerText.includes('坐席 agent1')")
    assert [r[0] for r in cells(page, "#a-agent-rows")] == ["agent1"]

    # dates the wrong way round: the server's Chinese message, the table as it was
    page.fill("#a-since", (today() + dt.timedelta(days=1)).isoformat())
    page.click("#adh-form button[type='submit']")
    page.wait_for_selector("#alert:not([hidden])")
    assert "晚于截止日期" in page.inner_text("#alert")
    page.click("#a-reset")
    page.wait_for_function("document.querySelector('#a-range').innerText.includes('全部坐席')")
    assert page.is_hidden("#alert") and page.input_value("#a-agent") == ""
    assert {"agent1", "agent2"} <= {r[0] for r in cells(page, "#a-agent-rows")}

    # a day with no calls says so
    page.fill("#a-since", "2020-01-01")
    page.fill("#a-until", "2020-01-02")
    page.click("#adh-form button[type='submit']")
    page.wait_for_function("document.querySelector('#a-agent-rows').innerText.includes('没有已结束的坐席通话')")
    context.close()
    assert page.errors == []

    context, page = open_page(browser, 420, 900)
    sign_in(page, base)
    page.goto(base + "/console#adherence")
    page.wait_for_selector("#a-agent-rows tr[data-agent='agent1']")
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    labels = page.eval_on_selector_all(
        "#a-agent-rows tr[data-agent='agent1'] td", "tds => tds.map(td => getComputedStyle(td, '::before').content)"
    )
    assert labels[1] == '"通话数："' and labels[4] == '"得分："'  # each row a small card, its cells labelled
    assert page.is_hidden("#a-agents thead")
    page.screenshot(path=str(ARTIFACTS / "console-adherence-420.png"), full_page=True)
    context.close()
    assert page.errors == []
