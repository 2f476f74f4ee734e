/* Agent side panel: signs in with the agent's token and holds a call through the agent webhook.
   The call's lifecycle (resume, end, after-call work, today's calls) is in panel_desk.js,
   which uses window.Panel and the "panel:render" / "panel:show" events. */
(function () {
  "use strict";

  var API = "/webhooks/agent";
  var MARKS = { done: "✓", failed: "✗", current: "●", todo: "", skipped: "–" };
  var state = { token: null, agentId: null, callId: null, callerNumber: null, busy: false };
  var hooks = { afterSignIn: null };  // set by panel_desk.js: resumes the call after sign-in

  function emit(name, detail) { document.dispatchEvent(new CustomEvent(name, { detail: detail })); }

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = text; }
    return node;
  }

  function showAlert(message) {
    var box = $("alert");
    box.textContent = message || "";
    box.hidden = !message;
  }

  function show(view) {
    ["sign-in-view", "start-view", "call-view"].forEach(function (id) { $(id).hidden = id !== view; });
    $("who").hidden = view === "sign-in-view";
    $("call-info").hidden = view !== "call-view";
    document.body.dataset.view = view;
    emit("panel:show", view);
  }

  async function api(method, path, body) {
    var response;
    try {
      response = await fetch(API + path, {
        method: method,
        headers: { "Content-Type": "application/json", "Authorization": "Bearer " + state.token },
        body: body === undefined ? undefined : JSON.stringify(body)
      });
    } catch (err) {
      throw new Error("无法连接服务器，请检查网络后重试。");
    }
    var data = null;
    try { data = await response.json(); } catch (err) { data = null; }
    if (response.status === 401) {
      signOut();
      throw new Error("登录已失效或令牌无效，请重新登录。");
    }
    if (!response.ok) {
      var failure = new Error((data && data.error && data.error.message) || ("请求失败（" + response.status + "）"));
      failure.status = response.status;
      failure.data = data;
      failure.code = data && data.error && data.error.code;
      emit("panel:error", { error: failure, path: path });
      throw failure;
    }
    return data;
  }

  // ---- sign-in ----------------------------------------------------------
  async function signIn(token) {
    state.token = token;
    var me = await api("GET", "/me");
    state.agentId = me.agent_id;
    sessionStorage.setItem("panel.token", token);
    $("agent-id").textContent = me.agent_id;
    if (hooks.afterSignIn && await hooks.afterSignIn(me)) { return; }
    show("start-view");
  }

  function signOut() {
    state.token = state.agentId = state.callId = null;
    sessionStorage.removeItem("panel.token");
    $("token").value = "";
    show("sign-in-view");
  }

  // ---- a call -------------------------------------------------------------
  function newCallId() {
    var now = new Date();
    var pad = function (n) { return String(n).padStart(2, "0"); };
    var stamp = now.getFullYear() + pad(now.getMonth() + 1) + pad(now.getDate()) + "-" +
      pad(now.getHours()) + pad(now.getMinutes()) + pad(now.getSeconds());
    var random = Math.random().toString(36).slice(2, 8);
    return "p-" + state.agentId + "-" + stamp + "-" + random;
  }

  async function startCall(callerNumber) {
    state.callId = newCallId();
    state.callerNumber = callerNumber || null;
    var answer = await api("POST", "/webhook", {
      call_id: state.callId, agent_id: state.agentId, text: "", caller_number: state.callerNumber
    });
    render(answer);
    show("call-view");
    $("caller-text").focus();
  }

  async function sendTurn(text) {
    text = (text || "").trim();
    if (!text || state.busy) { return; }
    setBusy(true);
    try {
      var answer = await api("POST", "/webhook", {
        call_id: state.callId, agent_id: state.agentId, text: text, caller_number: state.callerNumber
      });
      $("caller-text").value = "";
      showAlert("");
      render(answer);
    } finally {
      setBusy(false);
      $("caller-text").focus();
    }
  }

  function setBusy(busy) {
    state.busy = busy;
    $("send").disabled = busy;
    $("send").textContent = busy ? "处理中…" : "发送";
  }

  // ---- rendering ------------------------------------------------------------
  function render(answer) {
    $("call-id").textContent = answer.call_id;
    renderLines(answer.lines, answer.ended);
    renderQuickReplies(answer.quick_replies);
    renderChecklist(answer.checklist);
    renderRisk(answer.risk);
    renderTranscript(answer.transcript);
    renderSummary(answer);
    emit("panel:render", answer);
  }

  function renderLines(lines, ended) {
    var list = $("lines");
    list.textContent = "";
    if (!lines || !lines.length) {
      list.appendChild(el("li", "empty", ended ? "通话已结束。" : "等待客户回答……"));
      return;
    }
    lines.forEach(function (line) {
      var item = el("li");
      var words = el("div", "words");
      if (line.instruction) { words.appendChild(el("span", "instruction", line.instruction + "：")); }
      words.appendChild(document.createTextNode(line.words));
      var copy = el("button", "copy", "复制");
      copy.type = "button";
      copy.title = "复制这句话";
      copy.addEventListener("click", function () { copyText(line.words, copy); });
      item.appendChild(words);
      item.appendChild(copy);
      list.appendChild(item);
    });
  }

  function copyText(text, button) {
    var done = function () {
      button.textContent = "已复制";
      setTimeout(function () { button.textContent = "复制"; }, 1500);
    };
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, function () { fallbackCopy(text); done(); });
    } else {
      fallbackCopy(text);
      done();
    }
  }

  function fallbackCopy(text) {
    var area = el("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "offscreen";
    document.body.appendChild(area);
    area.select();
    try { document.execCommand("copy"); } catch (err) { /* the text stays selectable */ }
    document.body.removeChild(area);
  }

  function renderQuickReplies(replies) {
    var box = $("quick-replies");
    box.textContent = "";
    (replies || []).forEach(function (reply) {
      var button = el("button", reply.complete ? "" : "partial", reply.label);
      button.type = "button";
      button.addEventListener("click", function () {
        if (reply.complete) {
          sendTurn(reply.text).catch(function (err) { showAlert(err.message); });
        } else {
          var input = $("caller-text");
          input.value = reply.text;
          input.focus();
          input.setSelectionRange(input.value.length, input.value.length);
        }
      });
      box.appendChild(button);
    });
  }

  function renderChecklist(items) {
    var list = $("checklist");
    list.textContent = "";
    items.forEach(function (item) {
      var li = el("li", item.status);
      li.dataset.key = item.key;
      li.dataset.status = item.status;
      li.appendChild(el("span", "mark", MARKS[item.status] || ""));
      var body = el("span", "body");
      body.appendChild(el("span", "label", item.label));
      if (item.detail) { body.appendChild(el("span", "detail", item.detail)); }
      li.appendChild(body);
      list.appendChild(li);
    });
  }

  function renderRisk(risk) {
    var card = $("risk-card");
    card.className = "card risk level-" + risk.colour;
    card.dataset.level = risk.level;
    var badge = $("risk-badge");
    badge.className = "badge " + risk.colour;
    badge.textContent = risk.label;
    $("risk-score").textContent = "评分 " + risk.score.toFixed(2);
    $("risk-requirement").textContent = risk.requirement;
    var list = $("risk-signals");
    list.textContent = "";
    risk.signals.forEach(function (signal) {
      var li = el("li");
      li.appendChild(el("span", "label", signal.label + (signal.evidence ? "：" : "")));
      if (signal.evidence) { li.appendChild(el("span", "evidence", signal.evidence)); }
      list.appendChild(li);
    });
  }

  function renderTranscript(lines) {
    var list = $("transcript");
    list.textContent = "";
    lines.forEach(function (line) {
      var li = el("li", line.speaker);
      li.appendChild(el("span", "who", { caller: "客户：", agent: "坐席：" }[line.speaker] || "提示："));
      li.appendChild(el("span", "text", line.text));
      list.appendChild(li);
    });
    list.scrollTop = list.scrollHeight;
  }

  function renderSummary(answer) {
    var card = $("summary-card");
    card.hidden = !(answer.wrapped_up || answer.ended);
    var list = $("summary");
    list.textContent = "";
    answer.summary_rows.forEach(function (row) {
      list.appendChild(el("dt", "", row.label));
      list.appendChild(el("dd", "", row.value));
    });
  }

  // ---- wiring -----------------------------------------------------------
  function guard(fn) {
    return function (event) {
      if (event) { event.preventDefault(); }
      showAlert("");
      Promise.resolve(fn()).catch(function (err) { showAlert(err.message); });
    };
  }

  window.Panel = {
    $: $, el: el, api: api, render: render, show: show, showAlert: showAlert, guard: guard,
    sendTurn: sendTurn, state: state, hooks: hooks
  };
  window.PanelApp = window.Panel;  // panel_live.js (the live transcript) uses render, api and state

  document.addEventListener("DOMContentLoaded", function () {
    $("sign-in-form").addEventListener("submit", guard(function () {
      return signIn($("token").value.trim());
    }));
    $("sign-out").addEventListener("click", guard(signOut));
    $("start-form").addEventListener("submit", guard(function () {
      return startCall($("caller-number").value.trim());
    }));
    $("turn-form").addEventListener("submit", guard(function () { return sendTurn($("caller-text").value); }));
    $("caller-text").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        sendTurn($("caller-text").value).catch(function (err) { showAlert(err.message); });
      }
    });
    var token = sessionStorage.getItem("panel.token");
    if (token) {
      signIn(token).catch(function (err) { showAlert(err.message); signOut(); });
    } else {
      show("sign-in-view");
    }
  });
})();
