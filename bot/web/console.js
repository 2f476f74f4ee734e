/* Anti-proxy team console: signs in with a supervisor token, listens to /console/stream (sse.js),
   shows live calls, the case queue, a case, the dashboard, the agents' adherence and industry sharing. */
(function () {
  "use strict";

  var LEVELS = { none: "无", watch: "预警", level2: "二级异常维权", level1: "一级异常维权" };
  var ROLES = { borrower: "借款人本人", family: "亲属/朋友", authorized_agent: "授权代理人", third_party: "第三方机构", unknown: "未确认" };
  var CHANNELS = { rest: "网页/接口", ivr: "电话语音", agent: "人工坐席" };
  var STATUS = { open: "待处理", investigating: "调查中", reported: "已报案", closed: "已结案" };
  var SPEAKERS = { caller: "来电人", bot: "客服" };
  var state = {
    token: null, me: null, view: null, caseId: null, callId: null, stream: null, watch: null,
    alert: null, audio: null, lastAlerts: {}, lastId: 0
  };

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  function cell(row, text, label, cls) {
    var td = el("td", cls || "", text);
    if (label) { td.dataset.label = label; }
    row.appendChild(td);
    return td;
  }

  function badge(level) { return el("span", "badge " + level, LEVELS[level] || level); }
  function statusTag(status) { return el("span", "status " + status, STATUS[status] || status); }

  function time(iso) { return iso ? iso.replace("T", " ").slice(0, 16) : ""; }
  function clock(text) { return text ? text.slice(11, 19) : ""; }

  function showAlert(message) {
    $("alert").textContent = message || "";
    $("alert").hidden = !message;
  }

  function headers(extra) {
    var h = extra || {};
    if (state.token) { h.Authorization = "Bearer " + state.token; }
    return h;
  }

  async function api(method, path, body, raw) {
    var response;
    try {
      response = await fetch(path, {
        method: method,
        headers: headers(body === undefined ? {} : { "Content-Type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body)
      });
    } catch (err) {
      throw new Error("无法连接服务器，请检查网络后重试。");
    }
    if (response.status === 401) {
      signOut();
      throw new Error("登录已失效或令牌无效，请重新登录。");
    }
    if (!response.ok) {
      var data = null;
      try { data = await response.json(); } catch (err) { data = null; }
      throw new Error((data && data.error && data.error.message) || ("请求失败（" + response.status + "）"));
    }
    return raw ? response : response.json();
  }

  // ---- sign-in ------------------------------------------------------------
  async function signIn(token) {
    state.token = token || null;
    state.me = await api("GET", "/console/api/me");
    if (token) { sessionStorage.setItem("console.token", token); }
    $("user-name").textContent = state.me.name;
    $("role-label").textContent = state.me.role_label;
    $("who").hidden = false;
    $("tabs").hidden = false;
    $("view-sign-in").hidden = true;
    startStream();
    route();
  }

  function signOut() {
    stopStream();
    state.token = state.me = null;
    state.lastId = 0;
    sessionStorage.removeItem("console.token");
    $("token").value = "";
    $("who").hidden = true;
    $("tabs").hidden = true;
    document.querySelectorAll(".view").forEach(function (v) { v.hidden = true; });
    $("view-sign-in").hidden = false;
  }

  // ---- routing: #live, #call/ID, #cases, #case/ID, #dashboard, #adherence, #sharing ----
  function route() {
    if (!state.me) { return; }
    var hash = decodeURIComponent(location.hash.replace(/^#/, "")) || "live";
    var parts = hash.split("/");
    var view = parts[0];
    var arg = parts.slice(1).join("/");
    if (view === "call") { view = "live"; }
    if (["live", "cases", "case", "dashboard", "adherence", "sharing"].indexOf(view) < 0) { view = "live"; }
    state.view = view;
    document.querySelectorAll(".view").forEach(function (v) { v.hidden = v.id !== "view-" + view; });
    document.querySelectorAll("#tabs a").forEach(function (a) {
      a.classList.toggle("active", a.dataset.view === view || (view === "case" && a.dataset.view === "cases"));
    });
    showAlert("");
    var task;
    if (view === "live") {
      state.callId = parts[0] === "call" ? arg : null;
      task = Promise.all([loadLive(), state.callId ? loadCall(state.callId) : Promise.resolve(hideCall())]);
    } else {
      state.callId = null;
    }
    if (view === "cases") { task = loadCases(); }
    if (view === "case") { state.caseId = arg; task = loadCase(arg); }
    if (view === "dashboard") { task = loadDashboard(); }
    if (view === "adherence") { task = loadAdherence(); }
    if (view === "sharing") { task = loadSharing(); }
    watch(state.callId);
    Promise.resolve(task).catch(function (err) { showAlert(err.message); });
    if (view !== "live") { loadLive().catch(function () {}); }
    loadOpenCount().catch(function () {});
  }

  // ---- server push ------------------------------------------------------------
  function watch(callId) {
    if ((callId || null) === state.watch) { return; }
    state.watch = callId || null;
    if (state.me) { startStream(); }
  }

  function stopStream() {
    if (state.stream) { state.stream.abort(); state.stream = null; }
    setLive("off", "实时推送：未连接");
  }

  function setLive(which, text) {
    $("live-state").dataset.state = which;
    $("live-state").textContent = text;
  }

  function startStream() {
    if (state.stream) { state.stream.abort(); }
    var controller = new AbortController();
    state.stream = controller;
    var query = [];
    if (state.watch) { query.push("watch=" + encodeURIComponent(state.watch)); }
    if (state.lastId) { query.push("since=" + state.lastId); }
    var url = "/console/stream" + (query.length ? "?" + query.join("&") : "");
    (async function () {
      try {
        var response = await fetch(url, { headers: headers(), signal: controller.signal });
        if (response.status === 401) { signOut(); return; }
        if (!response.ok || !response.body) { throw new Error("stream " + response.status); }
        setLive("on", "实时推送：已连接");
        await window.SSE.read(response, handleEvent);
      } catch (err) {
        if (controller.signal.aborted) { return; }
      }
      if (state.stream !== controller || !state.me) { return; }
      setLive("retry", "实时推送：重新连接中…");
      setTimeout(function () { if (state.stream === controller && state.me) { startStream(); } }, 1000);
    })();
  }

  function handleEvent(name, payload) {
    if (payload.last_id) { state.lastId = Math.max(state.lastId || 0, payload.last_id); }
    if (name === "alert") { raiseAlert(payload); }
    if (name === "changed") { refresh(payload.kinds || []); }
    if (name === "call" && payload.call_id === state.callId) {
      loadCall(state.callId).catch(function (err) { showAlert(err.message); });
    }
  }

  function refresh(kinds) {
    if (kinds.indexOf("calls") >= 0) { loadLive().catch(function () {}); }
    if (kinds.indexOf("cases") >= 0) {
      loadOpenCount().catch(function () {});
      if (state.view === "cases") { loadCases().catch(function () {}); }
    }
  }

  // ---- level 1 alert: banner and a short beep -------------------------------------
  function raiseAlert(alert) {
    if (state.lastAlerts[alert.call_id]) { return; }
    state.lastAlerts[alert.call_id] = true;
    state.alert = alert;
    $("alert-text").textContent =
      "通话 " + alert.call_id + "（" + (alert.caller_role_label || ROLES[alert.caller_role] || "未确认") + "）" +
      (alert.signals && alert.signals.length ? "：" + alert.signals.join("、") : "") +
      (alert.case_id ? "，案件 " + alert.case_id : "") + "，" + time(alert.at).slice(11) + "。";
    $("alert-banner").hidden = false;
    document.title = "【一级告警】话术向导 · 反催收专项组工作台";
    beep();
    loadLive().catch(function () {});
  }

  function beep() {
    try {
      var Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) { return; }
      state.audio = state.audio || new Ctx();
      var ctx = state.audio;
      if (ctx.state === "suspended") { ctx.resume(); }
      [0, 0.35].forEach(function (offset) {
        var osc = ctx.createOscillator();
        var gain = ctx.createGain();
        osc.type = "square";
        osc.frequency.value = 880;
        gain.gain.setValueAtTime(0.0001, ctx.currentTime + offset);
        gain.gain.exponentialRampToValueAtTime(0.2, ctx.currentTime + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, ctx.currentTime + offset + 0.25);
        osc.connect(gain);
        gain.connect(ctx.destination);
        osc.start(ctx.currentTime + offset);
        osc.stop(ctx.currentTime + offset + 0.3);
      });
      window.__consoleBeeps = (window.__consoleBeeps || 0) + 1;
    } catch (err) { /* no sound device: the banner is enough */ }
  }

  function dismissAlert() {
    $("alert-banner").hidden = true;
    document.title = "话术向导 · 反催收专项组工作台";
  }

  // ---- live calls ---------------------------------------------------------------
  async function loadLive() {
    var data = await api("GET", "/calls?active=true");
    var rows = $("live-rows");
    rows.textContent = "";
    var hot = 0;
    data.calls.forEach(function (c) {
      if (c.level === "level1") { hot += 1; }
      var tr = el("tr", "clickable " + c.level + (c.call_id === state.callId ? " selected" : ""));
      tr.dataset.callId = c.call_id;
      cell(tr, time(c.started_at).slice(11), "开始");
      var idCell = cell(tr, "", "通话");
      idCell.appendChild(el("code", "", c.call_id));
      cell(tr, CHANNELS[c.channel] || c.channel, "渠道");
      cell(tr, ROLES[c.caller_role] || c.caller_role, "身份");
      cell(tr, "", "等级").appendChild(badge(c.level));
      cell(tr, c.agent_id || "—", "坐席");
      var caseCell = cell(tr, "", "案件");
      if (c.case_id) {
        var link = el("a", "link", c.case_id);
        link.href = "#case/" + encodeURIComponent(c.case_id);
        link.addEventListener("click", function (e) { e.stopPropagation(); });
        caseCell.appendChild(link);
      } else {
        caseCell.textContent = "—";
      }
      tr.addEventListener("click", function () { location.hash = "#call/" + encodeURIComponent(c.call_id); });
      rows.appendChild(tr);
    });
    $("live-empty").hidden = data.calls.length > 0;
    $("live-count").textContent = data.calls.length;
    $("live-count").classList.toggle("hot", hot > 0);
  }

  function hideCall() { $("call-card").hidden = true; }

  async function loadCall(callId) {
    var c = await api("GET", "/console/api/calls/" + encodeURIComponent(callId));
    if (callId !== state.callId) { return; }
    $("call-card").hidden = false;
    $("call-id").textContent = c.call_id;
    var facts = $("call-facts");
    facts.textContent = "";
    facts.appendChild(badge(c.level));
    [
      "身份：" + c.caller_role_label + (c.identity_verified ? "（已核实）" : ""),
      "目的：" + c.purpose_label,
      "渠道：" + (CHANNELS[c.channel] || c.channel),
      "坐席：" + (c.agent_id || "—"),
      "号码：" + (c.caller_number || "未知"),
      "借款人：" + (c.customer ? c.customer.name + "（" + c.customer.customer_id + "）" : "未匹配"),
      c.ended ? "已挂断" : "通话中"
    ].forEach(function (t) { facts.appendChild(el("span", "", t)); });
    if (c.case_id) {
      var link = el("a", "link", "案件 " + c.case_id);
      link.href = "#case/" + encodeURIComponent(c.case_id);
      facts.appendChild(link);
    }
    c.shared.forEach(function (m) {
      facts.appendChild(el("span", "tag", "合作机构名单：" + m.source + "（" + time(m.imported_at).slice(0, 10) + " 导入）"));
    });
    var list = $("call-signals");
    list.textContent = "";
    c.signals.forEach(function (s) {
      var li = el("li");
      li.appendChild(el("span", "", s.label + "："));
      li.appendChild(el("span", "evidence", s.evidence));
      list.appendChild(li);
    });
    if (!c.signals.length) { list.appendChild(el("li", "empty", "暂无")); }
    renderTranscript($("call-transcript"), c.transcript);
    document.querySelectorAll("#live-rows tr").forEach(function (tr) {
      tr.classList.toggle("selected", tr.dataset.callId === callId);
    });
  }

  function renderTranscript(list, lines) {
    list.textContent = "";
    lines.forEach(function (t) {
      var li = el("li", t.speaker);
      li.appendChild(el("span", "at", clock(t.at)));
      li.appendChild(el("span", "who", SPEAKERS[t.speaker] || t.speaker));
      li.appendChild(el("span", "text", t.text));
      list.appendChild(li);
    });
    if (!lines.length) { list.appendChild(el("li", "empty", "（尚无文字记录）")); }
    list.scrollTop = list.scrollHeight;
  }

  // ---- the case queue -------------------------------------------------------------
  function caseQuery() {
    var q = [];
    var add = function (k, v) { if (v) { q.push(k + "=" + encodeURIComponent(v)); } };
    add("level", $("f-level").value);
    add("status", $("f-status").value);
    add("assignee", $("f-assignee").value.trim());
    var age = $("f-age").value.split("-");
    if (age.length === 2) {
      if (age[0] !== "0") { add("min_age_days", age[0]); }
      add("max_age_days", age[1]);
    }
    return q.length ? "?" + q.join("&") : "";
  }

  async function loadCases() {
    var data = await api("GET", "/cases" + caseQuery());
    var rows = $("case-rows");
    rows.textContent = "";
    data.cases.forEach(function (c) {
      var tr = el("tr", "clickable " + c.level);
      var idCell = cell(tr, "", "编号");
      var link = el("a", "link", c.case_id);
      link.href = "#case/" + encodeURIComponent(c.case_id);
      idCell.appendChild(link);
      cell(tr, "", "等级").appendChild(badge(c.level));
      cell(tr, "", "状态").appendChild(statusTag(c.status));
      cell(tr, c.assignee || "未指派", "处理人");
      cell(tr, c.signals.map(function (s) { return s.code; }).filter(uniq).map(signalName).join("、"), "信号");
      cell(tr, time(c.opened_at), "立案");
      cell(tr, time(c.updated_at), "更新");
      tr.addEventListener("click", function () { location.hash = "#case/" + encodeURIComponent(c.case_id); });
      rows.appendChild(tr);
    });
    $("case-empty").hidden = data.cases.length > 0;
  }

  function uniq(v, i, all) { return all.indexOf(v) === i; }

  var SIGNAL_NAMES = {
    watchlist_phone: "观察名单号码", watchlist_phrase: "观察名单用语", voiceprint_match: "声纹匹配",
    multi_account_number: "同一号码咨询多名借款人", template_complaint: "模板化投诉", gray_phrase: "灰产用语",
    unauthorized_third_party: "第三方无授权代办", refuses_borrower_contact: "拒绝我方联系借款人",
    lawyer_claim_unauthorized: "自称律师但无授权", impersonating_official: "冒充公检法或监管",
    extortion: "敲诈勒索", forged_document: "伪造材料"
  };
  function signalName(code) { return SIGNAL_NAMES[code] || code; }

  async function loadOpenCount() {
    var data = await api("GET", "/cases?status=open");
    $("open-count").textContent = data.cases.length;
    $("open-count").classList.toggle("hot", data.cases.some(function (c) { return c.level === "level1"; }));
  }

  // ---- a case -----------------------------------------------------------------------
  async function loadCase(caseId) {
    var c = await api("GET", "/cases/" + encodeURIComponent(caseId));
    if (caseId !== state.caseId) { return; }
    renderCase(c);
  }

  function renderCase(c) {
    $("case-id").textContent = c.case_id;
    var level = $("case-level");
    level.className = "badge " + c.level;
    level.textContent = LEVELS[c.level];
    var status = $("case-status");
    status.className = "status " + c.status;
    status.textContent = STATUS[c.status];
    $("case-assignee").textContent = c.assignee || "未指派";
    $("case-opened").textContent = time(c.opened_at);
    if (document.activeElement !== $("assignee")) { $("assignee").value = c.assignee || ""; }
    var select = $("new-status");
    select.textContent = "";
    c.allowed_status.forEach(function (s) {
      var option = el("option", "", STATUS[s]);
      option.value = s;
      select.appendChild(option);
    });

    var kv = $("case-summary");
    kv.textContent = "";
    var customer = c.customer;
    [
      ["借款人", customer ? customer.name + "（客户编号 " + customer.customer_id + "）" : "未能匹配"],
      ["借款编号", customer ? customer.loan_id : "—"],
      ["预留手机", customer ? customer.registered_phone : "—"],
      ["来电号码", c.numbers.map(function (n) { return n.number; }).join("、") || "未知"],
      ["来电次数", String(c.calls.length)],
      ["时间", "北京时间（UTC+8）"]
    ].forEach(function (pair) {
      kv.appendChild(el("dt", "", pair[0]));
      kv.appendChild(el("dd", "", pair[1]));
    });

    var sig = $("case-signals");
    sig.textContent = "";
    var signals = c.signals_raised.length ? c.signals_raised : c.signals;
    signals.forEach(function (s) {
      var tr = el("tr");
      cell(tr, s.at_text || "", "时间");
      cell(tr, s.label || signalName(s.code), "信号");
      cell(tr, s.evidence, "证据", "evidence");
      cell(tr, s.call_id || "", "通话");
      sig.appendChild(tr);
    });

    var calls = $("case-calls");
    calls.textContent = "";
    c.calls.forEach(function (call) {
      var block = el("div", "call-block");
      var h = el("h3", "", "");
      h.appendChild(el("code", "", call.call_id));
      h.appendChild(document.createTextNode(
        " · " + (CHANNELS[call.channel] || call.channel) + " · " + (ROLES[call.caller_role] || call.caller_role) +
        " · " + time(call.started_at) + " "));
      h.appendChild(badge(call.level));
      block.appendChild(h);
      var list = el("ol", "transcript");
      renderTranscript(list, call.transcript);
      block.appendChild(list);
      calls.appendChild(block);
    });

    var numbers = $("case-numbers");
    numbers.textContent = "";
    c.numbers.forEach(function (n) {
      var box = el("div", "number");
      var top = el("div", "number-head");
      top.appendChild(el("b", "", n.number));
      if (n.watchlisted) {
        top.appendChild(el("span", "tag", "已在观察名单（" + n.watchlist_source + "）"));
      } else {
        var mark = el("button", "", "加入观察名单");
        mark.type = "button";
        mark.addEventListener("click", guard(function () { return markNumber(c.case_id, n.number); }));
        top.appendChild(mark);
      }
      box.appendChild(top);
      n.shared.forEach(function (m) {
        box.appendChild(el("span", "tag", "合作机构名单命中：" + m.source + "（" + time(m.imported_at).slice(0, 10) + " 导入）"));
      });
      var table = el("table", "list compact");
      var head = el("thead");
      var headRow = el("tr");
      ["时间", "来电身份", "所涉借款人", "最高等级", "案件"].forEach(function (t) { headRow.appendChild(el("th", "", t)); });
      head.appendChild(headRow);
      table.appendChild(head);
      var body = el("tbody");
      n.history.forEach(function (h) {
        var tr = el("tr");
        cell(tr, time(h.at), "时间");
        cell(tr, ROLES[h.caller_role] || h.caller_role, "身份");
        cell(tr, h.customer_id || "—", "借款人");
        cell(tr, LEVELS[h.level] || h.level, "等级");
        cell(tr, h.case_id || "—", "案件");
        body.appendChild(tr);
      });
      table.appendChild(body);
      box.appendChild(el("p", "hint", "该号码共来电 " + n.history.length + " 次："));
      box.appendChild(table);
      numbers.appendChild(box);
    });
    if (!c.numbers.length) { numbers.appendChild(el("p", "empty", "来电号码未知。")); }

    var linked = $("case-linked");
    linked.textContent = "";
    c.linked_cases.forEach(function (k) {
      var li = el("li");
      var link = el("a", "link", k.case_id);
      link.href = "#case/" + encodeURIComponent(k.case_id);
      li.appendChild(link);
      li.appendChild(document.createTextNode(" " + LEVELS[k.level] + " · " + STATUS[k.status] + " · " + time(k.opened_at)));
      linked.appendChild(li);
    });
    if (!c.linked_cases.length) { linked.appendChild(el("li", "empty", "无")); }

    var notes = $("case-notes");
    notes.textContent = "";
    c.notes.forEach(function (n) {
      var li = el("li");
      li.appendChild(el("span", "meta", time(n.at) + " · " + n.by));
      li.appendChild(document.createTextNode(n.text));
      notes.appendChild(li);
    });
    if (!c.notes.length) { notes.appendChild(el("li", "empty", "暂无备注")); }

    var history = $("case-history");
    history.textContent = "";
    c.history.forEach(function (h) {
      var text = {
        case_opened: "立案（" + LEVELS[h.level] + "）",
        case_linked: "来电 并入（" + (h.reason === "same_number" ? "同一号码" : "同一借款人") + "）",
        case_escalated: "升为" + LEVELS[h.to],
        case_status: "状态 " + STATUS[h.from] + " → " + STATUS[h.to],
        case_assigned: "指派给 " + (h.to || "（取消指派）"),
        case_note: "添加备注"
      }[h.event] || h.event;
      var li = el("li");
      li.appendChild(el("span", "meta", time(h.at) + (h.by && h.by !== "system" ? " · " + h.by : " · 系统")));
      li.appendChild(document.createTextNode(text));
      history.appendChild(li);
    });
  }

  async function patchCase(body, done) {
    var c = await api("PATCH", "/cases/" + encodeURIComponent(state.caseId), body);
    await loadCase(state.caseId);
    var saved = $("case-saved");
    saved.textContent = done + "（案件 " + c.case_id + "，已记录操作人）";
    saved.hidden = false;
    setTimeout(function () { saved.hidden = true; }, 3000);
  }

  async function markNumber(caseId, number) {
    if (!window.confirm("确定将号码 " + number + " 加入观察名单吗？该号码以后来电将被标记。")) { return; }
    await api("POST", "/console/api/watchlist", { case_id: caseId, number: number });
    await loadCase(caseId);
  }

  async function download(path, fallbackName) {
    var response = await api("GET", path, undefined, true);
    var blob = await response.blob();
    var name = fallbackName;
    var disposition = response.headers.get("Content-Disposition") || "";
    var match = disposition.match(/filename="([^"]+)"/);
    if (match) { name = match[1]; }
    var link = el("a");
    link.href = URL.createObjectURL(blob);
    link.download = name;
    document.body.appendChild(link);
    link.click();
    setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
  }

  // ---- dashboard ------------------------------------------------------------------
  async function loadDashboard() {
    var q = "?period=" + $("d-period").value + ($("d-date").value ? "&date=" + $("d-date").value : "");
    var d = await api("GET", "/console/api/dashboard" + q);
    $("d-range").textContent = (d.first_day === d.last_day ? d.first_day : d.first_day + " 至 " + d.last_day) + "，" + d.time_zone;
    if (!$("d-date").value) { $("d-date").value = d.last_day; }
    $("c-calls").innerHTML = d.charts.calls_by_level;
    $("c-signals").innerHTML = d.charts.top_signals;
    $("c-cases").innerHTML = d.charts.cases_by_status;
    $("c-due").innerHTML = d.charts.complaints_due;
    var totals = $("d-levels");
    totals.textContent = "";
    var all = el("span", "", "合计");
    all.appendChild(el("b", "", d.calls_by_level.total));
    totals.appendChild(all);
    Object.keys(LEVELS).forEach(function (level) {
      var item = el("span", "", LEVELS[level]);
      item.appendChild(el("b", "", d.calls_by_level.by_level[level]));
      totals.appendChild(item);
    });
    $("d-opened").textContent = "本期新立案 " + d.cases_by_status.opened + " 件（一级 " + d.cases_by_status.opened_level1 +
      "，二级 " + d.cases_by_status.opened_level2 + "）；下图为全部案件的当前状态。";
    fillRows($("d-numbers"), d.multi_borrower_numbers, function (tr, n) {
      cell(tr, n.number, "号码");
      cell(tr, n.borrowers, "借款人数");
      cell(tr, n.calls, "来电数");
      var c = cell(tr, "", "案件");
      if (n.case_id) {
        var link = el("a", "link", n.case_id);
        link.href = "#case/" + encodeURIComponent(n.case_id);
        c.appendChild(link);
      } else { c.textContent = "—"; }
    }, 4, "本期没有一个号码为多名借款人来电。");
    fillRows($("d-due"), d.complaints_due.items, function (tr, k) {
      cell(tr, k.reference, "编号");
      cell(tr, k.kind_label, "类型");
      cell(tr, k.reply_due, "期限");
      cell(tr, k.days_left === 0 ? "今天" : k.days_left + " 天", "剩余");
    }, 4, "没有待答复的投诉。");
    var clusters = $("d-clusters");
    clusters.textContent = "";
    d.complaint_clusters.forEach(function (k) {
      var box = el("div", "cluster");
      box.appendChild(el("b", "", k.size + " 条相似投诉，涉及 " + k.customers + " 名借款人"));
      box.appendChild(el("span", "hint", "  " + time(k.first) + " 至 " + time(k.last) + "；编号 " + k.references.join("、")));
      var list = el("ul", "examples");
      k.examples.forEach(function (t) { list.appendChild(el("li", "", t)); });
      box.appendChild(list);
      clusters.appendChild(box);
    });
    if (!d.complaint_clusters.length) { clusters.appendChild(el("p", "empty", "本期没有高度相似的投诉文本。")); }
    var sharing = $("d-sharing");
    sharing.textContent = "";
    var s = d.sharing;
    sharing.appendChild(el("p", "", "本期导入 " + s.imports.length + " 次；合作机构名单共 " +
      s.sources.reduce(function (n, x) { return n + x.hashes; }, 0) + " 个号码散列，来自 " + s.sources.length + " 家机构。" +
      (s.key_set ? "" : "（未设置 BOT_SHARING_KEY，无法比对来电号码）")));
    s.matches.forEach(function (m) {
      sharing.appendChild(el("span", "tag", m.number + " 命中 " + m.source + " 名单（" + time(m.imported_at).slice(0, 10) + " 导入），来电 " + m.calls + " 次"));
    });
    if (s.key_set && !s.matches.length) { sharing.appendChild(el("p", "hint", "本期来电号码未命中合作机构名单。")); }
  }

  function fillRows(body, items, fill, columns, emptyText) {
    body.textContent = "";
    items.forEach(function (item) {
      var tr = el("tr");
      fill(tr, item);
      body.appendChild(tr);
    });
    if (!items.length) {
      var tr = el("tr");
      var td = el("td", "empty", emptyText);
      td.colSpan = columns;
      tr.appendChild(td);
      body.appendChild(tr);
    }
  }

  // ---- adherence: the agents' must-say lines per agent and per day --------------------
  function percent(score) { return Math.round(score * 100) + "%"; }

  function scoreCell(tr, score, required) {
    var td = cell(tr, "", "得分", "num");
    var tag = el("span", "score" + (score < 0.6 ? " low" : score < 0.9 ? " mid" : ""), required ? percent(score) : "—");
    td.appendChild(tag);
    return td;
  }

  function agentName(id) { return id || "（未记录坐席）"; }

  function adherenceCells(tr, r) {
    cell(tr, r.calls, "通话数", "num");
    cell(tr, r.required, "应说", "num");
    cell(tr, r.said, "已说", "num");
    scoreCell(tr, r.score, r.required);
    cell(tr, r.unsaid_confirmed, "未说完即结束", "num" + (r.unsaid_confirmed ? " owed" : ""));
  }

  async function loadAdherence() {
    var q = [];
    var add = function (k, v) { if (v) { q.push(k + "=" + encodeURIComponent(v)); } };
    add("since", $("a-since").value);
    add("until", $("a-until").value);
    add("agent", $("a-agent").value.trim());
    var d = await api("GET", "/console/api/adherence" + (q.length ? "?" + q.join("&") : ""));
    $("a-since").value = d.since;
    $("a-until").value = d.until;
    $("a-range").textContent = (d.since === d.until ? d.since : d.since + " 至 " + d.until) + "，" + d.time_zone +
      (d.agent ? "，坐席 " + d.agent : "，全部坐席");
    if (!d.agent) {
      var list = $("a-agent-list");
      list.textContent = "";
      d.agents.forEach(function (a) { if (a.agent_id) { var o = el("option"); o.value = a.agent_id; list.appendChild(o); } });
    }
    var total = d.agents.reduce(function (t, a) {
      t.calls += a.calls; t.required += a.required; t.said += a.said; t.unsaid_confirmed += a.unsaid_confirmed;
      return t;
    }, { calls: 0, required: 0, said: 0, unsaid_confirmed: 0 });
    var totals = $("a-totals");
    totals.textContent = "";
    [["通话", total.calls], ["应说", total.required], ["已说", total.said],
      ["得分", total.required ? percent(total.said / total.required) : "—"],
      ["未说完即结束", total.unsaid_confirmed]].forEach(function (pair) {
      var item = el("span", "", pair[0]);
      item.appendChild(el("b", "", pair[1]));
      totals.appendChild(item);
    });
    fillRows($("a-agent-rows"), d.agents, function (tr, r) {
      tr.className = "clickable";
      tr.dataset.agent = r.agent_id;
      cell(tr, agentName(r.agent_id), "坐席", "agent");
      adherenceCells(tr, r);
      tr.title = "只看这位坐席";
      tr.addEventListener("click", function () {
        if (!r.agent_id) { return; }
        $("a-agent").value = r.agent_id;
        guard(loadAdherence)();
      });
    }, 6, "这段时间没有已结束的坐席通话。");
    fillRows($("a-day-rows"), d.days, function (tr, r) {
      tr.dataset.agent = r.agent_id;
      tr.dataset.day = r.day;
      cell(tr, agentName(r.agent_id), "坐席", "agent");
      cell(tr, r.day, "日期", "day");
      adherenceCells(tr, r);
    }, 7, "这段时间没有已结束的坐席通话。");
  }

  // ---- industry sharing -----------------------------------------------------------
  async function loadSharing() {
    var s = await api("GET", "/console/api/sharing");
    $("key-state").textContent = s.key_set ? "协同密钥已配置（BOT_SHARING_KEY）。" : "未配置协同密钥 BOT_SHARING_KEY：可以导入名单，但不能导出，也不能比对来电号码。";
    $("export-button").disabled = !s.key_set;
    fillRows($("import-rows"), s.imports, function (tr, r) {
      cell(tr, time(r.at), "导入时间");
      cell(tr, r.source, "来源");
      cell(tr, r.total, "散列数");
      cell(tr, r.added, "新增");
      cell(tr, r.by, "操作人");
    }, 5, "尚未导入合作机构名单。");
  }

  async function importList() {
    var file = $("import-file").files[0];
    if (!file) { throw new Error("请选择名单文件。"); }
    var content = await file.text();
    var result = await api("POST", "/console/api/sharing/import", { source: $("import-source").value.trim(), content: content });
    $("import-result").textContent = result.message;
    $("import-result").hidden = false;
    await loadSharing();
  }

  // ---- wiring -------------------------------------------------------------------------
  function guard(fn) {
    return function (event) {
      if (event) { event.preventDefault(); }
      showAlert("");
      Promise.resolve(fn()).catch(function (err) { showAlert(err.message); });
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("sign-in-form").addEventListener("submit", guard(function () {
      // the click lets the page play the alert sound later (browsers need a gesture first)
      try { state.audio = state.audio || new (window.AudioContext || window.webkitAudioContext)(); } catch (e) { /* none */ }
      return signIn($("token").value.trim());
    }));
    $("sign-out").addEventListener("click", guard(signOut));
    window.addEventListener("hashchange", route);
    $("call-close").addEventListener("click", function () { location.hash = "#live"; });
    $("alert-open").addEventListener("click", function () {
      var a = state.alert;
      dismissAlert();
      if (a) { location.hash = a.case_id ? "#case/" + encodeURIComponent(a.case_id) : "#call/" + encodeURIComponent(a.call_id); }
    });
    $("alert-dismiss").addEventListener("click", dismissAlert);
    $("case-filters").addEventListener("submit", guard(loadCases));
    ["f-level", "f-status", "f-age"].forEach(function (id) { $(id).addEventListener("change", guard(loadCases)); });
    $("assign-form").addEventListener("submit", guard(function () {
      return patchCase({ assignee: $("assignee").value.trim() || null }, "已指派");
    }));
    $("status-form").addEventListener("submit", guard(function () {
      return patchCase({ status: $("new-status").value }, "状态已更新");
    }));
    $("note-form").addEventListener("submit", guard(async function () {
      await patchCase({ note: $("note").value }, "备注已保存");
      $("note").value = "";
    }));
    $("case-pdf").addEventListener("click", guard(function () {
      return download("/cases/" + encodeURIComponent(state.caseId) + "/packet.pdf", state.caseId + ".pdf");
    }));
    $("dash-form").addEventListener("submit", guard(loadDashboard));
    $("d-period").addEventListener("change", guard(loadDashboard));
    $("adh-form").addEventListener("submit", guard(loadAdherence));
    ["a-since", "a-until"].forEach(function (id) { $(id).addEventListener("change", guard(loadAdherence)); });
    $("a-reset").addEventListener("click", guard(function () {
      $("a-since").value = $("a-until").value = $("a-agent").value = "";
      return loadAdherence();
    }));
    $("import-form").addEventListener("submit", guard(importList));
    $("export-button").addEventListener("click", guard(function () {
      return download("/console/api/sharing/export", "watchlist-hashed.csv");
    }));

    // Signed in already: a token in this tab, or a reverse proxy that adds the header (SSO).
    var token = sessionStorage.getItem("console.token");
    signIn(token).catch(function () {
      if (token) { showAlert("登录已失效，请重新登录。"); }
      signOut();
    });
  });
})();
