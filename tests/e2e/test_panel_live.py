"""The open panel follows a call fed only as transcript segments (contract §6), in real Chromium.

Nobody types: the test posts the call platform's segments over HTTP while the panel is open and
checks what the agent sees — the lines, the risk, the greyed interim words, the must-say lines
(only what the agent said in full ticked) — then that ending the call flags the line owed and the
summary's adherence. Screenshots at 420×900 and 1366×768 go to tests/artifacts/.
"""

import pytest

from tests.e2e.conftest import AGENT_TOKENS, ARTIFACTS
from tests.e2e.test_transcript_feed import HALF_DIRECT_ROUTE, LEVEL2, MATERIALS, OPENING, segment

pytestmark = pytest.mark.e2e


def must_say(page):
    return page.eval_on_selector_all(
        "#must-say li", "items => Object.fromEntries(items.map(i => [i.dataset.key, i.dataset.state]))"
    )


def wait_state(page, key, state):
    page.wait_for_function(
        f"document.querySelector(\"#must-say li[data-key='{key}']\")?.dataset.state === '{state}'", timeout=15_000
    )


def shoot(page, name):
    for width, height in ((420, 900), (1366, 768)):
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(150)
        page.evaluate("document.querySelector('#must-say-card').scrollIntoView({block: 'center'})")
        page.screenshot(path=str(ARTIFACTS / f"panel-live-{name}-{width}.png"), full_page=width == 420)


def test_the_panel_follows_a_call_fed_as_transcript(stack, page):
    base = f"http://127.0.0.1:{stack.port}"
    page.goto(base + "/panel")
    page.fill("#token", AGENT_TOKENS["agent1"])
    page.click("#sign-in-form button")
    page.wait_for_selector("#start-view:not([hidden])")
    page.fill("#caller-number", "13900000009")
    page.click("#start-form button")  # the agent opens the call; from here on nothing is typed
    page.wait_for_selector("#must-say li")
    page.wait_for_selector("#live-state[data-state='on']")
    call_id = page.inner_text("#call-id")
    assert must_say(page)["recording_notice"] == "suggested"

    segment(stack, call_id, "agent", OPENING)
    wait_state(page, "recording_notice", "said")
    page.wait_for_function("document.querySelector('#transcript').innerText.includes('坐席：')")

    segment(stack, call_id, "caller", "我们是债务优化", final=False)
    page.wait_for_selector("#interim:not([hidden])")
    assert "我们是债务优化" in page.inner_text("#interim")
    colour = page.eval_on_selector("#interim", "e => getComputedStyle(e).color")
    assert colour == "rgb(154, 165, 177)"  # greyed
    assert "我们是债务优化" not in page.inner_text("#transcript")  # not final: changes nothing
    shoot(page, "interim")

    segment(stack, call_id, "caller", "我们是债务优化中心的，要求停息挂账")
    page.wait_for_selector("#risk-card[data-level='level2']")
    page.wait_for_selector("#interim", state="hidden")
    assert "停息挂账" in page.inner_text("#transcript")

    segment(stack, call_id, "caller", "借款人叫张伟")
    page.wait_for_function("document.querySelector('#lines').innerText.includes('授权委托书原件')")
    wait_state(page, "direct_route", "suggested")
    assert must_say(page)["materials"] == "suggested" and must_say(page)["level2_line"] == "suggested"
    shoot(page, "wrap-up")

    for text in (MATERIALS, LEVEL2, HALF_DIRECT_ROUTE):
        segment(stack, call_id, "agent", text)
    wait_state(page, "level2_line", "said")
    page.wait_for_function("document.querySelector('#transcript').innerText.includes('协商是免费的')")
    assert must_say(page) == {
        "recording_notice": "said",
        "materials": "said",
        "direct_route": "suggested",  # half said: still owed
        "complaint_reference": "not_needed",
        "level2_line": "said",
        "level1_line": "not_needed",
    }
    said = page.eval_on_selector("#must-say li[data-state='said'] .mark", "e => getComputedStyle(e).backgroundColor")
    owed = page.eval_on_selector(
        "#must-say li[data-state='suggested'] .mark", "e => getComputedStyle(e).backgroundColor"
    )
    gone = page.eval_on_selector("#must-say li[data-state='not_needed']", "e => getComputedStyle(e).opacity")
    assert said == "rgb(47, 133, 90)" and owed != said and float(gone) < 1
    assert page.input_value("#caller-text") == ""  # the agent typed nothing
    shoot(page, "said")

    # ending the call: the owed line is named (in the page, no dialog) and flagged; the agent confirms
    page.click("#end-call")
    page.wait_for_selector("#wrap-form:not([hidden])")
    page.select_option("#disposition", "callback")
    page.click("#wrap-submit")
    page.wait_for_selector("#wrap-error:not([hidden])")
    assert "直接协商免费提示" in page.inner_text("#wrap-error")
    assert page.locator("#must-say li.owed[data-key='direct_route']").count() == 1
    assert page.inner_text("#wrap-submit") == "仍要结束"
    shoot(page, "owed")
    page.click("#wrap-submit")
    page.wait_for_selector("#acw:not([hidden])")
    page.wait_for_selector("#live-state[data-state='off']")
    shoot(page, "ended")

    status, summary = stack.summary(call_id)
    assert status == 200 and summary["adherence"] == {
        "required": ["recording_notice", "materials", "direct_route", "level2_line"],
        "said": ["recording_notice", "materials", "level2_line"],
        "score": 0.75,
    }
