"""The anti-proxy team's API (contract §7) and the console's routes, on the real servers.

Calls are held over the REST channel; the case is opened by the action server and read
through the Rasa server, so every test here crosses the two processes.
"""

import json
import shutil
import subprocess
import threading
import urllib.error
import urllib.request

import pytest

from tests.e2e.conftest import AGENT_TOKENS, SUPERVISOR_TOKENS, TOKEN

pytestmark = pytest.mark.e2e
SUPERVISOR = SUPERVISOR_TOKENS["王主管"]
AGENT = AGENT_TOKENS["agent1"]
POLICE = "我是公安局的，你们涉嫌违法催收，马上给他全额减免，不然就去你们公司闹"


def req(stack, method, path, token=SUPERVISOR, body=None):
    return stack._request(method, path, body=body, token=token, raw=True)


def fetch_bytes(stack, path, token=SUPERVISOR):
    request = urllib.request.Request(f"http://127.0.0.1:{stack.port}{path}")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=60) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def police_call(call, number):
    c = call(number)
    c.say(POLICE)
    c.say("借款人叫王芳")
    c.say("后四位0521")
    return c


@pytest.fixture(scope="module")
def level1(stack):
    from tests.e2e.conftest import Call

    c = police_call(lambda n: Call(stack, n), "13512340021")
    return c, c.summary()["case_id"]


def audit_events(stack, call_id):
    status, body = req(stack, "GET", f"/calls/{call_id}/audit", token=TOKEN)
    assert status == 200
    return body["audit"]


def test_a_level1_call_opens_a_case_the_summary_names(stack, level1):
    c, case_id = level1
    assert case_id.startswith("K") and len(case_id) == 13 and case_id[1:].isdigit()
    status, body = req(stack, "GET", "/cases?status=open&level=level1")
    assert status == 200
    listed = {k["case_id"]: k for k in body["cases"]}
    assert case_id in listed
    case = listed[case_id]
    assert set(case) == {"case_id", "call_id", "level", "signals", "status", "assignee", "opened_at", "updated_at"}
    assert case["call_id"] == c.id and case["level"] == "level1" and case["status"] == "open"
    assert "impersonating_official" in {s["code"] for s in case["signals"]}
    assert case["opened_at"].endswith("+08:00")


def test_the_live_calls_list_shows_the_call(stack, level1):
    c, case_id = level1
    status, body = req(stack, "GET", "/calls?active=true")
    assert status == 200
    mine = [x for x in body["calls"] if x["call_id"] == c.id]
    assert mine and mine[0]["level"] == "level1" and mine[0]["caller_role"] == "third_party"
    assert mine[0]["channel"] == "rest" and mine[0]["case_id"] == case_id and mine[0]["started_at"]
    assert set(mine[0]) >= {"call_id", "channel", "caller_role", "level", "agent_id", "started_at"}
    status, err = req(stack, "GET", "/calls")
    assert status == 400 and "active=true" in err["error"]["message"]


def test_a_calm_call_has_no_case(call):
    c = call("13800000001")
    c.say("我是本人")
    assert c.summary()["case_id"] is None


def test_a_later_call_from_the_same_number_joins_the_open_case(call, stack, level1):
    first = police_call(call, "13512340022")
    case_id = first.summary()["case_id"]
    second = call("13512340022")
    second.say("我们是债务优化中心的，要求停息挂账")
    assert second.summary()["case_id"] == case_id
    status, case = req(stack, "GET", f"/cases/{case_id}")
    assert status == 200 and [k["call_id"] for k in case["calls"]] == [first.id, second.id]


def test_the_case_page_data_holds_personal_data_and_every_view_is_audited(stack, level1):
    c, case_id = level1
    status, case = req(stack, "GET", f"/cases/{case_id}")
    assert status == 200
    assert case["customer"]["name"] == "王芳" and case["numbers"][0]["number"] == "13512340021"
    assert case["numbers"][0]["history"][0]["call_id"] == c.id
    caller_lines = [t for t in case["calls"][0]["transcript"] if t["speaker"] == "caller"]
    assert caller_lines[0]["text"] == POLICE and caller_lines[0]["at"]
    assert case["notes"] == [] and case["status_history"][0]["to"] == "open"
    assert any(s["code"] == "extortion" and s["evidence"] for s in case["signals_raised"])
    views = [r for r in audit_events(stack, c.id) if r["event"] == "case_viewed"]
    assert views and views[-1]["detail"]["by"] == "王主管" and views[-1]["detail"]["case_id"] == case_id


def test_status_transitions_assignee_and_notes(stack, call):
    c = police_call(call, "13512340023")
    case_id = c.summary()["case_id"]
    path = f"/cases/{case_id}"
    status, err = req(stack, "PATCH", path, body={"status": "reported"})
    assert (
        status == 400 and err["error"]["code"] == "invalid_transition" and "不能改为“已报案”" in err["error"]["message"]
    )
    status, err = req(stack, "PATCH", path, body={"status": "solved"})
    assert status == 400 and err["error"]["code"] == "invalid_status" and "无效的状态" in err["error"]["message"]
    for bad in ({}, {"colour": "red"}, {"note": ""}, {"assignee": 3}):
        assert req(stack, "PATCH", path, body=bad)[0] == 400
    status, case = req(stack, "PATCH", path, body={"status": "investigating", "assignee": "李调查员"})
    assert status == 200 and case["status"] == "investigating" and case["assignee"] == "李调查员"
    status, case = req(stack, "PATCH", path, body={"note": "借款人本人确认未委托任何机构。"})
    assert case["notes"][0]["text"] == "借款人本人确认未委托任何机构。" and case["notes"][0]["by"] == "王主管"
    for step in ("reported", "closed", "open"):
        status, case = req(stack, "PATCH", path, token=TOKEN if step == "open" else SUPERVISOR, body={"status": step})
        assert status == 200 and case["status"] == step
    assert [h["to"] for h in case["status_history"]] == ["open", "investigating", "reported", "closed", "open"]
    assert case["status_history"][-1]["by"] == "operator"
    rows = audit_events(stack, c.id)
    changes = [(r["event"], r["detail"].get("to"), r["detail"]["by"]) for r in rows if r["event"].startswith("case_")]
    assert ("case_assigned", "李调查员", "王主管") in changes and ("case_status", "open", "operator") in changes
    assert [e for e, _, _ in changes].count("case_status") == 4


def test_the_packet_pdf_is_printable_chinese(stack, level1):
    c, case_id = level1
    status, headers, pdf = fetch_bytes(stack, f"/cases/{case_id}/packet.pdf")
    assert status == 200 and headers["Content-Type"] == "application/pdf" and pdf.startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
        assert "报案材料" in text and case_id in text and "王芳" in text and "公安局" in text
    assert any(r["event"] == "packet_exported" and r["detail"]["by"] == "王主管" for r in audit_events(stack, c.id))


def test_unknown_case_is_404(stack):
    for method, path in (("GET", "/cases/K209901010001"), ("PATCH", "/cases/K209901010001")):
        status, body = req(stack, method, path, body={"note": "x"} if method == "PATCH" else None)
        assert status == 404 and body["error"]["code"] == "case_not_found" and "找不到案件" in body["error"]["message"]
    assert fetch_bytes(stack, "/cases/K209901010001/packet.pdf")[0] == 404


PROTECTED = [
    ("GET", "/cases"),
    ("GET", "/cases/{case}"),
    ("PATCH", "/cases/{case}"),
    ("GET", "/cases/{case}/packet.pdf"),
    ("GET", "/calls?active=true"),
    ("GET", "/console/api/me"),
    ("GET", "/console/api/calls/{call}"),
    ("GET", "/console/api/dashboard"),
    ("POST", "/console/api/watchlist"),
    ("GET", "/console/api/sharing"),
    ("POST", "/console/api/sharing/import"),
    ("GET", "/console/api/sharing/export"),
    ("GET", "/console/stream"),
]


@pytest.mark.parametrize("method, path", PROTECTED)
def test_agents_get_403_and_no_token_401(stack, level1, method, path):
    c, case_id = level1
    path = path.format(case=case_id, call=c.id)
    body = {"note": "x"} if method != "GET" else None
    status, err = req(stack, method, path, token=AGENT, body=body)
    assert status == 403 and err["error"]["code"] == "forbidden" and "坐席令牌" in err["error"]["message"]
    assert req(stack, method, path, token=None, body=body)[0] == 401
    assert req(stack, method, path, token="wrong-token", body=body)[0] == 401


def test_supervisors_read_personal_data_only_through_the_console(stack, level1):
    c, _ = level1
    for path in (f"/calls/{c.id}/summary", f"/calls/{c.id}/case", f"/calls/{c.id}/audit"):
        status, err = req(stack, "GET", path)
        assert status == 403 and "工作台" in err["error"]["message"], path


def test_the_console_call_view_is_audited(stack, level1):
    c, case_id = level1
    status, detail = req(stack, "GET", f"/console/api/calls/{c.id}")
    assert status == 200 and detail["level"] == "level1" and detail["case_id"] == case_id
    assert detail["transcript"][0]["at"] and all(not t["text"].startswith("/") for t in detail["transcript"])
    assert {"impersonating_official", "extortion"} <= {s["code"] for s in detail["signals"]}
    assert any(r["event"] == "call_viewed" and r["detail"]["by"] == "王主管" for r in audit_events(stack, c.id))
    assert req(stack, "GET", "/console/api/calls/no-such-call")[0] == 404


def test_me_and_dashboard(stack, level1):
    status, me = req(stack, "GET", "/console/api/me")
    assert status == 200 and me["name"] == "王主管" and me["role"] == "supervisor"
    assert me["transitions"]["open"] == ["investigating", "closed"]
    status, dash = req(stack, "GET", "/console/api/dashboard?period=week")
    assert status == 200 and dash["calls_by_level"]["by_level"]["level1"] >= 1
    assert dash["charts"]["calls_by_level"].startswith("<svg")
    assert req(stack, "GET", "/console/api/dashboard?period=year")[0] == 400


def test_marking_a_number_for_the_watchlist(stack, call):
    c = police_call(call, "13512340024")
    case_id = c.summary()["case_id"]
    status, entry = req(stack, "POST", "/console/api/watchlist", body={"case_id": case_id, "number": "13512340024"})
    assert status == 200 and entry["added"]
    status, case = req(stack, "GET", f"/cases/{case_id}")
    assert case["numbers"][0]["watchlisted"] and case["numbers"][0]["watchlist_source"] == "专项组：王主管"
    assert any(r["event"] == "watchlist_added" and r["detail"]["by"] == "王主管" for r in audit_events(stack, c.id))
    assert req(stack, "POST", "/console/api/watchlist", body={"case_id": case_id, "number": "abc"})[0] == 400
    # the next call from that number is flagged by the watchlist
    later = call("13512340024")
    later.say("你好")
    assert "watchlist_phone" in {s["code"] for s in later.summary()["proxy_risk"]["signals"]}


def test_industry_sharing_import_and_export(stack):
    good = "phone_hmac_sha256\n" + "ab" * 32 + "\n"
    status, body = req(stack, "POST", "/console/api/sharing/import", body={"source": "甲消费金融", "content": good})
    assert status == 200 and "导入完成" in body["message"]
    status, state = req(stack, "GET", "/console/api/sharing")
    assert state["imports"][0]["source"] == "甲消费金融" and state["imports"][0]["by"] == "王主管"
    status, err = req(stack, "POST", "/console/api/sharing/import", body={"source": "乙", "content": "x\n123\n"})
    assert status == 400 and "表头" in err["error"]["message"]
    status, err = req(stack, "GET", "/console/api/sharing/export")  # the session stack has no sharing key
    assert status == 400 and "BOT_SHARING_KEY" in err["error"]["message"]


def test_the_stream_pushes_a_level1_alert_decided_in_the_action_server(stack, call):
    request = urllib.request.Request(f"http://127.0.0.1:{stack.port}/console/stream")
    request.add_header("Authorization", f"Bearer {SUPERVISOR}")
    events = []
    with urllib.request.urlopen(request, timeout=30) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert stream.readline().decode().startswith("event: hello")
        c = call("13512340025")
        threading.Thread(target=c.say, args=(POLICE,), daemon=True).start()
        for _ in range(200):
            line = stream.readline().decode()
            if line.startswith("event: "):
                name = line.split(" ", 1)[1].strip()
                data = json.loads(stream.readline().decode().split(" ", 1)[1])
                events.append((name, data))
                if name == "alert" and data["call_id"] == c.id:
                    break
    alert = [d for n, d in events if n == "alert"][-1]
    assert alert["call_id"] == c.id and alert["level"] == "level1" and alert["case_id"]
    assert "冒充公检法或监管" in alert["signals"]


def test_case_export_pdf_from_the_command_line(stack, level1):
    import sys

    from tests.conftest import ROOT

    c, case_id = level1
    out = stack.settings.data_dir / "export-pdf"
    result = subprocess.run(
        [sys.executable, "-m", "bot", "case", "export", c.id, "--pdf", "--out", str(out)],
        cwd=ROOT,
        env=stack.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "报案材料（PDF）" in result.stdout
    pdf = out / f"{case_id}.pdf"
    assert pdf.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
        assert case_id in text and "审计记录" in text


def test_changes_must_be_json_so_no_other_site_can_send_them(stack, level1):
    _, case_id = level1
    request = urllib.request.Request(
        f"http://127.0.0.1:{stack.port}/cases/{case_id}",
        method="PATCH",
        data=b'{"note": "x"}',
        headers={"Authorization": f"Bearer {SUPERVISOR}", "Content-Type": "text/plain"},
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)
    assert refused.value.code == 415


def test_a_reconnecting_stream_gets_what_happened_in_between(stack, call):
    c = call("13512340026")
    request = urllib.request.Request(f"http://127.0.0.1:{stack.port}/console/stream")
    request.add_header("Authorization", f"Bearer {SUPERVISOR}")
    with urllib.request.urlopen(request, timeout=30) as stream:
        hello = json.loads([stream.readline() for _ in range(2)][1].decode().split(" ", 1)[1])
    c.say(POLICE)  # while no stream is open
    request = urllib.request.Request(f"http://127.0.0.1:{stack.port}/console/stream?since={hello['last_id']}")
    request.add_header("Authorization", f"Bearer {SUPERVISOR}")
    with urllib.request.urlopen(request, timeout=30) as stream:
        for _ in range(100):
            line = stream.readline().decode()
            if line.startswith("event: alert"):
                alert = json.loads(stream.readline().decode().split(" ", 1)[1])
                if alert["call_id"] == c.id:
                    break
        else:
            pytest.fail("the alert raised between two streams never arrived")
