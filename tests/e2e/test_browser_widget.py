"""The caller's web-chat widget page (GET /widget) over socket.io, in real headless Chromium.

The page talks to the socket.io channel as the standard Rasa web-chat widget does, with the
socket.io client vendored from the npm registry (scripts/vendor_web.sh). Screenshots at a
phone's width and a desktop's go to tests/artifacts/ for a person to look at.
"""

import pytest
import yaml

from tests.conftest import ROOT
from tests.e2e.conftest import ARTIFACTS

pytestmark = pytest.mark.e2e
VENDORED = ROOT / "bot" / "web" / "vendor" / "socket.io.min.js"
PHONE_ONLY = yaml.safe_load((ROOT / "bot" / "catalogue" / "chat.yml").read_text(encoding="utf-8"))["phone_only"]
BOT_COUNT = "document.querySelectorAll('#messages li.bot:not(.typing)').length"


@pytest.fixture
def viewport():  # the page fixture's (tests/e2e/conftest.py): a phone's width
    return {"width": 420, "height": 900}


def say(page, text, bots_before):
    """Type a message; the bot's messages of this turn (socket.io sends them one by one: wait until
    none has come for a second)."""
    page.fill("#text", text)
    page.press("#text", "Enter")
    page.wait_for_function(f"{BOT_COUNT} > {bots_before} && !document.querySelector('#messages li.typing')")
    count = page.evaluate(BOT_COUNT)
    while True:
        page.wait_for_timeout(1000)
        if page.evaluate(BOT_COUNT) == count:
            break
        count = page.evaluate(BOT_COUNT)
    bubbles = page.eval_on_selector_all("#messages li.bot .bubble", "items => items.map(i => i.innerText)")
    return "\n".join(bubbles[bots_before:])


def test_the_widget_chats_over_socketio_through_a_handoff(stack, page):
    assert VENDORED.is_file(), "the socket.io client is not vendored: run bash scripts/vendor_web.sh"
    sockets = []
    page.on("websocket", lambda ws: sockets.append(ws.url))
    page.goto(f"http://127.0.0.1:{stack.port}/widget")
    assert page.title() == "在线客服"
    page.wait_for_selector("#widget[data-transport='socketio']")
    page.wait_for_selector("#quick-replies button:has-text('借款人本人')")
    assert any("/socket.io/" in url and "transport=websocket" in url for url in sockets), sockets
    assert page.is_hidden("#transport-note")
    assert "对话内容会被记录" in page.inner_text("#messages")

    page.click("#quick-replies button:has-text('借款人本人')")
    page.wait_for_function(f"{BOT_COUNT} >= 3")
    assert "姓名" in page.inner_text("#messages li.bot:last-child")
    asked = say(page, "我叫张伟", page.evaluate(BOT_COUNT))
    assert "身份证号码的最后四位" in asked
    handoff = say(page, "转人工", page.evaluate(BOT_COUNT))
    assert "4 个工作小时内" in handoff and "预留的手机号" in handoff and "本次在线对话到此结束" in handoff
    assert page.locator("#quick-replies button").count() == 0
    page.screenshot(path=str(ARTIFACTS / "widget-handoff-420.png"))
    page.set_viewport_size({"width": 1366, "height": 768})
    page.screenshot(path=str(ARTIFACTS / "widget-handoff-1366.png"))

    # a reload keeps the conversation and its session; what the caller adds is kept, nothing is asked
    session_id = page.evaluate("localStorage.getItem('widget.session')")
    page.reload()
    page.wait_for_selector("#widget[data-transport='socketio']")
    assert "4 个工作小时内" in page.inner_text("#messages")
    added = say(page, "我想补充一下，催收员每天打我单位电话", page.evaluate(BOT_COUNT))
    assert "补充的内容已经记下" in added and "请问" not in added
    assert "投诉已登记" in added  # a complaint is still registered the turn it is heard
    assert page.evaluate("localStorage.getItem('widget.session')") == session_id

    page.set_viewport_size({"width": 420, "height": 900})
    page.screenshot(path=str(ARTIFACTS / "widget-after-handoff-420.png"))
    shown = page.inner_text("#messages")
    assert [w for w in PHONE_ONLY if w in shown] == [] and "正在转接" not in shown
    status, summary = stack.summary(session_id)
    assert status == 200 and summary["handoff"] is True and summary["next_step"] == "human_review"


def test_without_the_vendored_client_the_widget_says_so_and_uses_rest(stack, page):
    page.route("**/web/vendor/socket.io.min.js", lambda route: route.fulfill(status=404, body="not found"))
    page.goto(f"http://127.0.0.1:{stack.port}/widget")
    page.wait_for_selector("#widget[data-transport='rest']")
    assert "未安装" in page.inner_text("#transport-note") and page.is_visible("#transport-note")
    page.wait_for_selector("#quick-replies button:has-text('借款人本人')")
    page.click("#quick-replies button:has-text('借款人本人')")
    page.wait_for_function(f"{BOT_COUNT} >= 3")
    assert "姓名" in page.inner_text("#messages li.bot:last-child")
    page.screenshot(path=str(ARTIFACTS / "widget-rest-fallback-420.png"))
    sender = page.evaluate("localStorage.getItem('widget.session')")
    status, summary = stack.summary(sender)
    assert status == 200 and summary["caller_role"] == "borrower"


def test_the_pages_own_content_security_policy_lets_the_widget_connect(stack, browser):
    # the other tests bypass the CSP (Playwright's wait_for_function needs eval); here the page's own
    # policy applies, and the WebSocket to /socket.io/ and the vendored script must still be allowed
    context = browser.new_context(locale="zh-CN", viewport={"width": 420, "height": 900})
    try:
        page = context.new_page()
        blocked = []
        page.on("console", lambda msg: "Content Security Policy" in msg.text and blocked.append(msg.text))
        page.goto(f"http://127.0.0.1:{stack.port}/widget")
        page.wait_for_selector("#widget[data-transport='socketio']", timeout=60_000)
        page.wait_for_selector("#quick-replies button:has-text('借款人本人')", timeout=60_000)
        assert blocked == []
    finally:
        context.close()
