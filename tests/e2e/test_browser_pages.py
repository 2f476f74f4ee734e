"""The agent panel and the caller chat in real headless Chromium (Debian's, driven by Playwright).

Screenshots are saved under tests/artifacts/ for a person to look at.
"""

import json
import re

import pytest

from tests.e2e.conftest import AGENT_TOKENS, ARTIFACTS

pytestmark = pytest.mark.e2e


def panel_say(page, text):
    """Type what the caller said and wait for the panel to show the answer."""
    before = page.locator("#transcript li").count()
    page.fill("#caller-text", text)
    page.press("#caller-text", "Enter")
    page.wait_for_function(
        f"document.querySelectorAll('#transcript li.caller').length > 0 && "
        f"document.querySelectorAll('#transcript li').length > {before + 1}"
    )


def statuses(page):
    return page.eval_on_selector_all("#checklist li", "items => items.map(i => i.dataset.status)")


def test_the_panel_signs_in_and_holds_a_proxy_call(stack, page):
    base = f"http://127.0.0.1:{stack.port}"
    page.goto(base + "/panel")
    assert page.title() == "话术向导 · 坐席侧边栏"
    page.fill("#token", "wrong-token")
    page.click("#sign-in-form button")
    page.wait_for_selector("#alert:not([hidden])")
    assert "令牌无效" in page.inner_text("#alert")

    page.fill("#token", AGENT_TOKENS["agent1"])
    page.click("#sign-in-form button")
    page.wait_for_selector("#start-view:not([hidden])")
    assert page.inner_text("#agent-id") == "agent1"
    page.fill("#caller-number", "13900000009")
    page.click("#start-form button")
    page.wait_for_selector("#lines li .words")
    assert "本通话将被录音" in page.inner_text("#lines")
    assert statuses(page)[0] == "done"
    assert page.get_attribute("#risk-card", "data-level") == "none"

    panel_say(page, "我们是债务优化中心的，要求停息挂账")
    page.wait_for_selector("#risk-card[data-level='level2']")
    assert page.inner_text("#risk-badge") == "二级异常维权"
    assert "停息挂账" in page.inner_text("#risk-signals")
    assert page.eval_on_selector("#risk-badge", "b => getComputedStyle(b).backgroundColor") == "rgb(221, 107, 32)"
    page.screenshot(path=str(ARTIFACTS / "panel-risk-flag.png"))

    # the agent clicks a half quick reply and completes it, then types the rest
    page.click("#quick-replies button:has-text('借款人叫')")
    assert page.input_value("#caller-text") == "借款人叫"
    page.type("#caller-text", "张伟")
    page.press("#caller-text", "Enter")  # naming the borrower is all a third party is asked
    page.wait_for_selector("#summary-card:not([hidden])")
    assert statuses(page) == ["done"] * 6
    assert "授权委托书原件" in page.inner_text("#lines")
    assert "转反催收专项组" in page.inner_text("#summary")  # a level2 call: the team's case (contract §7)
    page.screenshot(path=str(ARTIFACTS / "panel-call-complete.png"), full_page=True)

    page.click("#quick-replies button:has-text('没有了')")
    # the goodbye closes the call by itself: the panel asks only for the disposition and the note
    page.wait_for_selector("#acw:not([hidden])")
    assert "再见" in page.inner_text("#lines") and page.is_hidden("#turn-card")
    assert page.input_value("#disposition") == "escalated"  # automatic: the next step is the anti-proxy team
    assert "自动结束" in page.inner_text("#ended-by")
    page.screenshot(path=str(ARTIFACTS / "panel-call-ended.png"), full_page=True)

    call_id = page.evaluate("Panel.state.callId")
    status, body = stack.summary(call_id)
    assert status == 200 and body["channel"] == "agent" and body["proxy_risk"]["level"] == "level2"

    # a reload keeps the agent signed in and the ended call in its after-call work
    page.reload()
    page.wait_for_selector("#acw:not([hidden])")
    page.fill("#note", "代理机构来电，已要求授权委托书原件，待回拨借款人核实。")
    page.click("#wrap-submit")
    page.wait_for_selector("#start-view:not([hidden])")
    page.wait_for_selector(f"#calls li[data-call-id='{call_id}']")
    assert "已转专项组" in page.inner_text(f"#calls li[data-call-id='{call_id}']")  # the disposition
    page.set_viewport_size({"width": 480, "height": 900})  # docked beside the agent desktop
    page.screenshot(path=str(ARTIFACTS / "panel-narrow.png"), full_page=True)


def test_the_chat_keeps_the_conversation_across_a_reload(stack, page):
    base = f"http://127.0.0.1:{stack.port}"
    page.set_viewport_size({"width": 420, "height": 860})
    page.goto(base + "/chat")
    assert page.title() == "在线客服"
    page.wait_for_selector("#quick-replies button:has-text('借款人本人')")
    assert "对话内容会被记录" in page.inner_text("#messages")  # chat words, not phone words
    bot_count = "document.querySelectorAll('#messages li.bot:not(.typing)').length"
    page.click("#quick-replies button:has-text('借款人本人')")
    page.wait_for_function(f"{bot_count} >= 3")
    page.fill("#text", "我叫张伟")
    page.press("#text", "Enter")
    page.wait_for_function(f"{bot_count} >= 4")
    sender = page.evaluate("localStorage.getItem('chat.sender')")

    page.reload()
    page.wait_for_selector("#messages li.user")
    assert "我叫张伟" in page.inner_text("#messages")
    assert page.evaluate("localStorage.getItem('chat.sender')") == sender
    page.fill("#text", "后四位3721")
    page.press("#text", "Enter")
    # the chat page vouches for no phone number: knowledge is not enough, the code to the registered phone is
    page.wait_for_function("document.querySelector('#messages').innerText.includes('验证码')")
    assert "138****0001" in page.inner_text("#messages")
    outbox = stack.settings.data_dir / "sms_outbox.jsonl"
    sms = json.loads(outbox.read_text(encoding="utf-8").splitlines()[-1])
    assert sms["to"] == "13800000001"
    page.fill("#text", "验证码" + re.search(r"\d{6}", sms["text"]).group())
    page.press("#text", "Enter")
    page.wait_for_selector("#quick-replies button:has-text('协商还款')")
    assert "身份核实通过" in page.inner_text("#messages")
    page.screenshot(path=str(ARTIFACTS / "chat-after-reload.png"))

    page.click("#quick-replies button:has-text('协商还款')")
    page.wait_for_selector("#quick-replies button:has-text('失业')")
    page.click("#quick-replies button:has-text('失业')")
    page.wait_for_function("document.querySelector('#messages').innerText.includes('失业证明')")
    status, body = stack.summary(sender)
    assert status == 200 and body["identity_verified"] is True and body["purpose"] == "repayment_plan"
    page.screenshot(path=str(ARTIFACTS / "chat-whole-call.png"), full_page=True)
