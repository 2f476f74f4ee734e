"""The agent panel's call lifecycle in real Chromium, docked 420 px wide: resume after a reload,
新来电 asks first, ending needs a disposition, after-call work, shortcuts; and every state's layout
at 420x900 and 1366x768 (screenshots under tests/artifacts/ for a person to look at)."""

import re

import pytest

from tests.e2e.conftest import AGENT_TOKENS, ARTIFACTS, open_page
from tests.e2e.test_channels import A1, end_call, http

pytestmark = pytest.mark.e2e
DOCKED = {"width": 420, "height": 900}


@pytest.fixture
def docked(browser):
    context, page = open_page(browser, **DOCKED, accept_dialogs=False)
    yield page
    context.close()
    assert page.errors == [] and page.dialogs == []  # no native confirm/alert anywhere


def sign_in(page, stack, agent="agent1"):
    page.goto(f"http://127.0.0.1:{stack.port}/panel")
    page.fill("#token", AGENT_TOKENS[agent])
    page.click("#sign-in-form button")


def start(page, number):
    page.wait_for_selector("#start-view:not([hidden])")
    page.fill("#caller-number", number)
    page.click("#start-form button")
    page.wait_for_selector("#call-view:not([hidden]) #lines li .words")
    return page.evaluate("Panel.state.callId")


def say(page, text):
    before = page.locator("#transcript li").count()
    page.fill("#caller-text", text)
    page.press("#caller-text", "Enter")
    page.wait_for_function(f"document.querySelectorAll('#transcript li').length > {before + 1}")


def timer_ticks(page, selector):
    first = page.inner_text(selector)
    assert re.fullmatch(r"\d\d:\d\d", first), first
    page.wait_for_function(f"document.querySelector('{selector}').textContent !== '{first}'", timeout=5000)


def server_call(stack, call_id):
    status, _, body = http(stack, "GET", f"/webhooks/agent/calls/{call_id}", token=A1)
    assert status == 200
    return body


def layout(page):
    """What a person sees without scrolling: the header's height, overflow, the say card and the dock."""
    return page.evaluate(
        """() => {
        const box = (sel) => { const e = document.querySelector(sel); if (!e || e.offsetParent === null) return null;
                               const r = e.getBoundingClientRect(); return {top: r.top, bottom: r.bottom}; };
        const dock = box('#turn-card') || box('#wrap-form');
        return {header: document.querySelector('.topbar').getBoundingClientRect().height,
                overflow: document.documentElement.scrollWidth - window.innerWidth,
                say: box('.say h2'), firstLine: box('#lines li'), dock: dock, height: window.innerHeight};
    }"""
    )


def assert_at_hand(page):
    """The header on one line, nothing wider than the screen, 请对客户说 and the input both in view."""
    page.evaluate("window.scrollTo(0, 0)")
    seen = layout(page)
    assert seen["header"] <= 56, seen
    assert seen["overflow"] <= 0, seen
    assert seen["say"] and seen["say"]["top"] >= 0, seen
    assert seen["firstLine"] and seen["dock"], seen
    assert seen["firstLine"]["top"] < seen["dock"]["top"], seen  # the first line is not under the dock
    assert 0 <= seen["dock"]["top"] and seen["dock"]["bottom"] <= seen["height"] + 1, seen


def confirm_owed_lines(page):
    """Ending a typed call: nothing was heard from the agent, so the must-say lines are named and
    the agent confirms once more ("仍要结束")."""
    page.wait_for_selector("#wrap-error:not([hidden]), #acw:not([hidden])")
    if page.is_visible("#wrap-error") and "必说话术" in page.inner_text("#wrap-error"):
        assert page.inner_text("#wrap-submit") == "仍要结束"
        page.click("#wrap-submit")


def test_the_lifecycle_of_a_call_at_420_px(stack, docked):
    page = docked
    sign_in(page, stack)
    call_id = start(page, "13800000001")
    assert_at_hand(page)
    assert page.inner_text("#head-risk") == "无"
    timer_ticks(page, "#call-timer")
    assert "Alt+H" in page.get_attribute("#handoff", "title")

    # Alt+1 answers with the first quick reply (借款人本人); its tooltip says so
    first = page.locator("#quick-replies button").first
    assert "Alt+1" in first.get_attribute("title") and "借款人本人" in first.inner_text()
    before = page.locator("#transcript li").count()
    page.keyboard.press("Alt+1")
    page.wait_for_function(f"document.querySelectorAll('#transcript li').length > {before + 1}")
    assert "我是借款人本人" in page.text_content("#transcript")
    say(page, "我叫张伟")
    assert page.get_attribute("#customer-card", "data-shown") == "no"
    say(page, "身份证后四位3721")
    page.wait_for_selector("#customer-card[data-shown='yes']")
    assert "L20240001" in page.inner_text("#customer-rows") and "8,650.00 元" in page.inner_text("#customer-rows")

    # a reload (or a crashed browser signing in again) resumes the open call
    page.reload()
    page.wait_for_selector("#call-view:not([hidden])")
    assert page.evaluate("Panel.state.callId") == call_id
    assert "我叫张伟" in page.text_content("#transcript") and page.is_visible("#turn-card")
    page.evaluate("sessionStorage.clear()")  # a new browser: the token is gone, the call is not
    page.reload()
    page.fill("#token", AGENT_TOKENS["agent1"])
    page.click("#sign-in-form button")
    page.wait_for_selector("#call-view:not([hidden])")
    assert page.evaluate("Panel.state.callId") == call_id

    # 新来电 with the call open asks first, in the page; 取消 keeps the call
    page.click("#new-call")
    page.wait_for_selector("#confirm-new:not([hidden])")
    assert "尚未结束" in page.inner_text("#confirm-new") and call_id in page.inner_text("#confirm-new")
    page.screenshot(path=str(ARTIFACTS / "lifecycle-420-confirm-new.png"))
    page.click("#confirm-cancel")
    assert page.is_hidden("#confirm-new") and page.is_visible("#turn-card")
    assert server_call(stack, call_id)["ended"] is False

    # ending needs a disposition: refused in the page, and the call stays open
    page.click("#new-call")
    page.click("#confirm-end")
    page.wait_for_selector("#wrap-form:not([hidden])")
    assert page.input_value("#disposition") == ""
    page.click("#wrap-submit")
    page.wait_for_selector("#wrap-error:not([hidden])")
    assert "请先选择通话结果" in page.inner_text("#wrap-error")
    assert server_call(stack, call_id)["ended"] is False
    assert_at_hand(page)
    page.select_option("#disposition", "resolved")
    page.fill("#note", "已核实本人，已告知账单。")
    page.click("#wrap-submit")
    confirm_owed_lines(page)

    # after-call work: its timer runs until 完成; the call's timer has stopped
    page.wait_for_selector("#acw:not([hidden])")
    ended = server_call(stack, call_id)
    assert ended["ended"] and ended["note"] == {"disposition": "resolved", "note": "已核实本人，已告知账单。"}
    timer_ticks(page, "#acw-timer")
    assert page.is_disabled("#handoff") and page.is_hidden("#turn-card")
    stopped = page.inner_text("#call-timer")
    page.wait_for_timeout(1200)
    assert page.inner_text("#call-timer") == stopped
    assert_at_hand(page)
    page.screenshot(path=str(ARTIFACTS / "lifecycle-420-acw.png"))
    page.reload()  # after-call work survives a reload too
    page.wait_for_selector("#acw:not([hidden])")
    assert page.input_value("#disposition") == "resolved"
    page.click("#wrap-submit")  # 完成
    page.wait_for_selector("#start-view:not([hidden])")
    row = f"#calls li[data-call-id='{call_id}']"
    page.wait_for_selector(row)
    assert "已办结" in page.inner_text(row) and page.get_attribute(row, "class") == "ended"
    assert page.evaluate("localStorage.getItem('panel.current.agent1')") is None


def test_alt_h_hands_over_and_a_kept_call_is_listed_open_and_resumed(stack, docked):
    page = docked
    sign_in(page, stack)
    call_id = start(page, "13900000051")
    page.keyboard.press("Alt+H")
    page.wait_for_function("document.querySelector('#transcript').textContent.includes('转人工')")
    assert "转接" in page.inner_text("#lines")
    page.keyboard.press("Alt+N")
    page.wait_for_selector("#confirm-new:not([hidden])")
    page.click("#confirm-keep")
    page.wait_for_selector("#start-view:not([hidden])")
    page.wait_for_selector("#open-banner:not([hidden])")
    row = f"#calls li[data-call-id='{call_id}']"
    page.wait_for_selector(row)
    assert "进行中" in page.inner_text(row) and server_call(stack, call_id)["ended"] is False
    page.click(f"{row} button")
    page.wait_for_selector("#call-view:not([hidden])")
    assert page.evaluate("Panel.state.callId") == call_id and page.is_visible("#turn-card")


@pytest.mark.parametrize("width, height", [(420, 900), (1366, 768)])
def test_every_state_keeps_what_to_say_and_the_input_at_hand(stack, browser, width, height):
    context, page = open_page(browser, width, height, accept_dialogs=False)
    tag = f"{width}x{height}"

    def shot(name):
        page.wait_for_timeout(200)
        page.screenshot(path=str(ARTIFACTS / f"panel-{tag}-{name}.png"))

    try:
        sign_in(page, stack)
        page.wait_for_selector("#start-view:not([hidden]) #calls li")
        assert layout(page)["overflow"] <= 0
        shot("1-no-call")
        start(page, "13800000003")
        assert_at_hand(page)
        shot("2-first-turn")
        for text in (
            "我是借款人本人",
            "我叫李娜",
            "身份证后四位108X",
            "我想协商还款",
            "我失业了",
            "我还想问问别的",
            "好的",
        ):
            say(page, text)
        assert page.locator("#transcript li").count() >= 14
        assert_at_hand(page)
        shot("3-mid-call-long")
        page.click("#new-call")
        page.wait_for_selector("#confirm-new:not([hidden])")
        shot("4-confirm-new")
        page.click("#confirm-end")
        page.click("#wrap-submit")
        page.wait_for_selector("#wrap-error:not([hidden])")
        assert_at_hand(page)
        shot("5-end-needs-disposition")
        page.select_option("#disposition", "materials_pending")
        page.click("#wrap-submit")
        confirm_owed_lines(page)
        page.wait_for_selector("#acw:not([hidden])")
        assert_at_hand(page)
        shot("6-after-call-work")
        page.click("#acw-new")
        start(page, "13900000061")
        say(page, "我们是债务优化中心的，要求停息挂账")
        page.wait_for_selector("#risk-card[data-level='level2']")
        assert page.inner_text("#head-risk") == "二级异常维权"
        assert_at_hand(page)
        shot("7-level2")
        page.click("#new-call")
        page.click("#confirm-keep")
        start(page, "13512340061")
        say(page, "我是公安局的，你们涉嫌违法催收，马上给他全额减免，不然就去你们公司闹")
        page.wait_for_selector("#risk-card[data-level='level1']")
        assert_at_hand(page)
        shot("8-level1")
        # the call ended elsewhere (the call platform, another tab): the live stream shows it ended
        call_id = page.evaluate("Panel.state.callId")
        assert end_call(stack, call_id, "escalated")[0] == 200
        page.wait_for_selector("#acw:not([hidden])")
        assert page.inner_text("#ended-by").strip()
        assert_at_hand(page)
        shot("9-ended-elsewhere")
    finally:
        context.close()
    assert page.errors == []


def test_a_line_typed_into_a_call_ended_elsewhere_says_so_and_shows_the_ended_call(stack, docked):
    # the live stream is cut (a proxy that drops it): the panel learns of the end from the refusal
    docked.route("**/stream", lambda route: route.abort())
    sign_in(docked, stack)
    call_id = start(docked, "13512340062")
    say(docked, "我想问一下还款的事")
    assert end_call(stack, call_id, "other")[0] == 200
    assert docked.is_hidden("#acw")  # nothing told the panel yet
    docked.fill("#caller-text", "喂？")
    docked.press("#caller-text", "Enter")
    docked.wait_for_selector("#alert:not([hidden])")
    assert "已结束" in docked.inner_text("#alert")
    docked.wait_for_selector("#acw:not([hidden])")
    assert docked.input_value("#caller-text") == "喂？" or docked.is_hidden("#caller-text")
