"""The anti-proxy team's console in real headless Chromium: a level1 call arrives while the page
is open and the alert appears without a reload; the supervisor opens the case, assigns it,
moves it on, notes, watch-lists the number and downloads the packet.

Screenshots at 1366×768 and 420×900 are saved under tests/artifacts/ for a person to look at.
"""

import pytest

from tests.e2e.conftest import ARTIFACTS, Call, open_page
from tests.e2e.test_case_api import POLICE, SUPERVISOR

pytestmark = pytest.mark.e2e


def sign_in(page, base):
    page.goto(base + "/console")
    assert page.title() == "话术向导 · 反催收专项组工作台"
    page.fill("#token", SUPERVISOR)
    page.click("#sign-in-form button")
    page.wait_for_selector("#live-state[data-state='on']")
    assert page.inner_text("#user-name") == "王主管"


def test_a_level1_call_alerts_the_open_console_and_the_case_is_handled(stack, browser, tmp_path):
    base = f"http://127.0.0.1:{stack.port}"
    context, page = open_page(browser, 1366, 768, accept_downloads=True)
    page.goto(base + "/console")
    page.fill("#token", "wrong-token")
    page.click("#sign-in-form button")
    page.wait_for_selector("#alert:not([hidden])")
    assert "令牌无效" in page.inner_text("#alert")
    sign_in(page, base)
    page.evaluate("window.__notReloaded = true")

    # a caller impersonating the police, over REST, while the console is open
    call = Call(stack, "13512340031")
    call.say(POLICE)
    page.wait_for_selector("#alert-banner:not([hidden])", timeout=15_000)
    assert page.evaluate("window.__notReloaded") is True
    banner = page.inner_text("#alert-banner")
    assert "一级异常维权来电" in banner and call.id in banner and "冒充公检法或监管" in banner
    assert page.evaluate("window.__consoleBeeps") >= 1
    page.wait_for_selector(f"#live-rows tr[data-call-id='{call.id}'] .badge.level1")
    page.screenshot(path=str(ARTIFACTS / "console-alert-1366.png"))

    # the call's transcript, live: the caller's next words appear without a reload
    page.click(f"#live-rows tr[data-call-id='{call.id}']")
    page.wait_for_selector("#call-card:not([hidden])")
    assert "我是公安局的" in page.inner_text("#call-transcript")
    call.say("借款人叫王芳")
    page.wait_for_function("document.querySelector('#call-transcript').innerText.includes('借款人叫王芳')")
    assert "冒充公检法或监管" in page.inner_text("#call-signals")
    call.say("后四位0521")
    page.wait_for_function("document.querySelector('#call-facts').innerText.includes('王芳')")
    page.screenshot(path=str(ARTIFACTS / "console-live-1366.png"), full_page=True)

    # open the case from the banner
    page.click("#alert-open")
    page.wait_for_selector("#case-calls .call-block")
    case_id = page.inner_text("#case-id")
    assert case_id == call.summary()["case_id"]
    assert page.inner_text("#case-status") == "待处理"
    assert "王芳" in page.inner_text("#case-summary")
    assert "我是公安局的" in page.inner_text("#case-calls")
    page.fill("#assignee", "李调查员")
    page.click("#assign-form button")
    page.wait_for_function("document.querySelector('#case-assignee').innerText === '李调查员'")
    page.select_option("#new-status", "investigating")
    page.click("#status-form button")
    page.wait_for_function("document.querySelector('#case-status').innerText === '调查中'")
    page.fill("#note", "已回拨借款人预留手机，本人表示未委托任何机构。")
    page.click("#note-form button")
    page.wait_for_function("document.querySelector('#case-notes').innerText.includes('未委托任何机构')")
    page.click("#case-numbers button:has-text('加入观察名单')")
    page.wait_for_function("document.querySelector('#case-numbers').innerText.includes('已在观察名单')")
    with page.expect_download() as download:
        page.click("#case-pdf")
    pdf = tmp_path / "packet.pdf"
    download.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF") and download.value.suggested_filename == f"{case_id}.pdf"
    page.screenshot(path=str(ARTIFACTS / "console-case-1366.png"), full_page=True)
    history = page.inner_text("#case-history")
    assert "指派给 李调查员" in history and "待处理 → 调查中" in history

    # the queue filters
    page.click("#tabs a[data-view='cases']")
    page.select_option("#f-status", "investigating")
    page.wait_for_selector(f"#case-rows a:has-text('{case_id}')")
    page.select_option("#f-status", "open")
    page.wait_for_function(f"!document.querySelector('#case-rows').innerText.includes('{case_id}')")
    page.select_option("#f-status", "")
    page.select_option("#f-level", "level1")
    page.wait_for_selector(f"#case-rows a:has-text('{case_id}')")
    page.screenshot(path=str(ARTIFACTS / "console-cases-1366.png"), full_page=True)

    # dashboard and industry sharing
    page.click("#tabs a[data-view='dashboard']")
    page.wait_for_selector("#c-calls svg")
    assert "冒充公检法或监管" in page.inner_text("#c-signals")
    page.screenshot(path=str(ARTIFACTS / "console-dashboard-1366.png"), full_page=True)
    page.click("#tabs a[data-view='sharing']")
    partner = tmp_path / "partner.csv"
    partner.write_text("phone_hmac_sha256\n" + "cd" * 32 + "\n", encoding="utf-8")
    page.fill("#import-source", "丙小贷公司")
    page.set_input_files("#import-file", str(partner))
    page.click("#import-form button")
    page.wait_for_selector("#import-result:not([hidden])")
    assert "导入完成" in page.inner_text("#import-result")
    assert "丙小贷公司" in page.inner_text("#import-rows")
    page.screenshot(path=str(ARTIFACTS / "console-sharing-1366.png"), full_page=True)
    context.close()
    assert page.errors == []

    # the same console on a phone-sized screen
    context, page = open_page(browser, 420, 900, accept_downloads=True)
    sign_in(page, base)
    page.screenshot(path=str(ARTIFACTS / "console-live-420.png"), full_page=True)
    page.goto(base + f"/console#case/{case_id}")
    page.wait_for_selector("#case-calls .call-block")
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    page.screenshot(path=str(ARTIFACTS / "console-case-420.png"), full_page=True)
    page.goto(base + "/console#dashboard")
    page.wait_for_selector("#c-calls svg")
    assert page.evaluate("document.documentElement.scrollWidth") <= 420
    page.screenshot(path=str(ARTIFACTS / "console-dashboard-420.png"), full_page=True)
    context.close()
    assert page.errors == []
