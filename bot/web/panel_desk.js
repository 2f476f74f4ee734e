/* Agent side panel, the call's lifecycle: resume after a reload or crash, today's calls,
   end with a required disposition and note, after-call work (话后处理) until 完成/新来电,
   新来电 never drops an open call unasked; and the keyboard, the timers, the customer card.
   Built on window.Panel (panel.js) and its "panel:render" / "panel:show" events. */
(function () {
  "use strict";

  var P = window.Panel;
  var $ = P.$;
  var el = P.el;
  var NARROW = "(max-width: 820px)";
  var FOLDS = ["transcript-card", "checklist-card"];
  // mode of the dock: "turn" (typing the caller's words), "end" (ending: disposition and note),
  // "acw" (ended, after-call work running), "review" (an earlier call, after-call work done)
  var desk = { answer: null, offset: 0, timer: null, mode: "turn", review: false, lastLines: "" };

  // ---- the current call survives a reload or a crash (localStorage, per agent) --------------
  function currentKey() { return "panel.current." + P.state.agentId; }
  function remember(callId) { localStorage.setItem(currentKey(), callId); }
  function forget() { localStorage.removeItem(currentKey()); }

  P.hooks.afterSignIn = async function () {
    var saved = localStorage.getItem(currentKey());
    if (!saved) { return false; }
    try {
      await openCall(saved, false);
      return true;
    } catch (err) {
      forget();
      if ([403, 404, 409].indexOf(err.status) < 0) { P.showAlert(err.message); }
      return false;
    }
  };

  async function openCall(callId, review) {
    var answer = await P.api("GET", "/calls/" + encodeURIComponent(callId));
    P.state.callId = callId;
    desk.review = !!review && answer.ended && !!answer.note.disposition && !answer.disposition_automatic;
    desk.mode = "turn";
    P.render(answer);
    P.show("call-view");
    if (!answer.ended) { $("caller-text").focus(); }
  }

  // ---- timers (the server's clock: started_at/ended_at are its times) ---------------------------
  function pad(n) { return String(n).padStart(2, "0"); }
  function duration(ms) {
    var s = Math.max(0, Math.floor(ms / 1000));
    var h = Math.floor(s / 3600);
    var m = Math.floor((s % 3600) / 60);
    return (h ? h + ":" + pad(m) : pad(m)) + ":" + pad(s % 60);
  }
  function serverNow() { return Date.now() + desk.offset; }

  function tick() {
    var a = desk.answer;
    if (!a || !a.started_at) { return; }
    var started = Date.parse(a.started_at);
    var ended = a.ended_at ? Date.parse(a.ended_at) : null;
    $("call-timer").textContent = duration((ended || serverNow()) - started);
    $("call-timer").classList.toggle("stopped", !!ended);
    if (ended) { $("acw-timer").textContent = duration(serverNow() - ended); }
  }

  function startTimer() {
    if (!desk.timer) { desk.timer = setInterval(tick, 1000); }
    tick();
  }
  function stopTimer() {
    if (desk.timer) { clearInterval(desk.timer); desk.timer = null; }
  }

  // ---- rendering what panel.js does not ------------------------------------------------------
  document.addEventListener("panel:render", function (event) {
    var answer = event.detail;
    desk.answer = answer;
    if (answer.server_time) { desk.offset = Date.parse(answer.server_time) - Date.now(); }
    if (!desk.review) { remember(answer.call_id); }
    $("call-id").title = "通话编号 " + answer.call_id;
    document.body.dataset.level = answer.risk.level;
    var head = $("head-risk");
    head.className = "badge " + answer.risk.colour;
    head.textContent = answer.risk.label;
    head.title = "风险等级：" + answer.risk.label + "（评分 " + answer.risk.score.toFixed(2) + "）";
    renderCustomer(answer.customer_card);
    decorateQuickReplies(answer.quick_replies || []);
    $("handoff").disabled = answer.ended || !handoffReply();
    $("transcript-count").textContent = answer.transcript.length ? "（" + answer.transcript.length + "）" : "";
    fillDispositions(answer.dispositions);
    if (answer.ended) {
      setMode(desk.review ? "review" : "acw");
    } else if (desk.mode !== "end") {
      setMode("turn");
    }
    startTimer();
    keepSayInView(answer);
  });

  // the call ended elsewhere (another tab, the call platform): show it ended, keep the message
  document.addEventListener("panel:error", function (event) {
    var callId = P.state.callId;
    if (event.detail.error.code !== "call_ended" || !callId || !desk.answer || desk.answer.ended) { return; }
    P.api("GET", "/calls/" + encodeURIComponent(callId)).then(function (answer) {
      if (P.state.callId === callId) { P.render(answer); }
    }, function () { /* the first message stands */ });
  });

  document.addEventListener("panel:show", function (event) {
    document.body.dataset.view = event.detail;
    closeConfirm();
    if (event.detail !== "call-view") {
      stopTimer();
      desk.answer = null;
      desk.review = false;
    }
    if (event.detail === "start-view") {
      loadCalls().catch(function (err) { P.showAlert(err.message); });
    }
  });

  function renderCustomer(card) {
    $("customer-verification").textContent = card.verification_label;
    $("customer-card").dataset.shown = card.shown ? "yes" : "no";
    var rows = $("customer-rows");
    rows.textContent = "";
    rows.hidden = !card.shown;
    $("customer-withheld").hidden = card.shown;
    if (card.shown) {
      card.rows.forEach(function (row) {
        if (row.key === "verification") { return; }  // in the heading already
        rows.appendChild(el("dt", "", row.label));
        rows.appendChild(el("dd", row.key, row.value));
      });
    } else {
      $("customer-reason").textContent = card.reason;
      $("customer-advice").textContent = card.advice;
    }
  }

  function decorateQuickReplies(replies) {
    var buttons = $("quick-replies").querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (button, i) {
      var reply = replies[i] || {};
      var hint = reply.complete === false ? "（填入输入框，补全后发送）" : "";
      if (i < 9) {
        button.title = reply.label + hint + " · 快捷键 Alt+" + (i + 1);
        button.setAttribute("aria-keyshortcuts", "Alt+" + (i + 1));
        button.insertBefore(el("kbd", "", String(i + 1)), button.firstChild);
      }
      if (reply.handoff) { button.classList.add("handoff-reply"); }
    });
  }

  function handoffReply() {
    var replies = (desk.answer && desk.answer.quick_replies) || [];
    for (var i = 0; i < replies.length; i++) {
      if (replies[i].handoff) { return replies[i]; }
    }
    return null;
  }

  function fillDispositions(list) {
    var select = $("disposition");
    if (select.options.length) { return; }
    var none = el("option", "", "请选择通话结果");
    none.value = "";
    select.appendChild(none);
    list.forEach(function (d) {
      var option = el("option", "", d.label);
      option.value = d.code;
      select.appendChild(option);
    });
  }

  function keepSayInView(answer) {
    var key = answer.call_id + "|" + answer.transcript.length;
    if (key === desk.lastLines) { return; }
    desk.lastLines = key;
    var say = document.querySelector(".say");
    var top = say.getBoundingClientRect().top;
    if (top < 0 || top > window.innerHeight / 2) { window.scrollTo(0, 0); }
  }

  // ---- the dock: typing, ending, after-call work ------------------------------------------------
  function setMode(mode) {
    var a = desk.answer;
    var changed = mode !== desk.mode;
    desk.mode = mode;
    document.body.dataset.mode = mode;
    $("turn-card").hidden = mode !== "turn";
    $("wrap-form").hidden = mode === "turn";
    $("acw").hidden = mode !== "acw";
    $("wrap-cancel").hidden = mode === "acw";
    $("acw-new").hidden = mode !== "acw";
    $("wrap-title").textContent = mode === "end" ? "结束通话" : "通话已结束";
    desk.confirmUnsaid = false;
    $("wrap-submit").textContent = { end: "确认结束", acw: "完成", review: "保存" }[mode] || "确认结束";
    $("wrap-submit").title = mode === "acw" ? "保存通话结果和备注，结束话后处理" : "";
    $("wrap-cancel").textContent = mode === "review" ? "返回" : "取消";
    $("end-call").disabled = !a || a.ended;
    $("ended-by").textContent = a && a.ended && a.ended_by_label ? a.ended_by_label : "";
    if (mode === "turn") { hideWrapError(); return; }
    if (!changed) { return; }
    hideWrapError();
    $("note-saved").hidden = true;
    var note = (a && a.note) || {};
    var automatic = !!(a && a.disposition_automatic);
    // an open call is ended only with a disposition the agent chooses; a call that closed itself
    // comes with the automatic one, for the agent to confirm or change
    $("disposition").value = mode === "end" && automatic ? "" : (note.disposition || "");
    $("note").value = note.note || "";
    markAutomatic(mode !== "end" && automatic);
    (mode === "end" || !$("disposition").value ? $("disposition") : $("wrap-submit")).focus();
  }

  function markAutomatic(on) {
    $("disposition").classList.toggle("automatic", !!on);
    $("auto-hint").hidden = !on;
  }

  function showWrapError(message) {
    $("wrap-error").textContent = message;
    $("wrap-error").hidden = false;
  }
  function hideWrapError() { $("wrap-error").hidden = true; }

  async function submitWrap() {
    var disposition = $("disposition").value;
    if (!disposition) {
      showWrapError("请先选择通话结果，再" + (desk.mode === "end" ? "结束通话" : "完成话后处理") + "。");
      $("disposition").focus();
      return false;
    }
    var body = { disposition: disposition, note: $("note").value };
    if (desk.mode === "end" && desk.confirmUnsaid) { body.confirm_unsaid = true; }
    var path = "/calls/" + encodeURIComponent(P.state.callId) + (desk.mode === "end" ? "/end" : "/note");
    var answer;
    try {
      answer = await P.api("POST", path, body);
    } catch (err) {
      if (err.status === 409 && err.code === "unsaid_items") {
        // must-say lines the agent was not heard saying: named here, ended only when confirmed
        var owed = ((err.data && err.data.error && err.data.error.items) || []).map(function (i) { return i.label; });
        document.dispatchEvent(new CustomEvent("panel:unsaid", { detail: err.data.error }));
        desk.confirmUnsaid = true;
        $("wrap-submit").textContent = "仍要结束";
        showWrapError("还有必说话术没有说：" + owed.join("、") + "。请先对客户说完；确实不需要的，再点“仍要结束”。");
        return false;
      }
      showWrapError(err.message);
      throw err;
    }
    desk.confirmUnsaid = false;
    var finishing = desk.mode === "acw";
    P.render(answer);
    $("note-saved").hidden = false;
    setTimeout(function () { $("note-saved").hidden = true; }, 2500);
    if (finishing) { finishCall(); }
    return true;
  }

  function finishCall() {
    forget();
    P.state.callId = null;
    desk.mode = "turn";
    $("caller-number").value = "";
    P.show("start-view");
    $("caller-number").focus();
  }

  function beginEnd() {
    if (!desk.answer || desk.answer.ended) { return; }
    closeConfirm();
    setMode("end");
  }

  // ---- 新来电: an open call is never dropped unasked -----------------------------------------
  function newCall() {
    var a = desk.answer;
    if (!a) { finishCall(); return; }
    if (a.ended) {
      if (desk.mode === "review") { finishCall(); return; }
      submitWrap().catch(function () { /* shown in the form */ });
      return;
    }
    $("confirm-new-text").textContent = "通话 " + a.call_id + " 还在进行中（已通话 " + $("call-timer").textContent +
      "）。开始新来电前，请先结束本通话并选择通话结果；也可以保留它，稍后在“今日通话”里继续。";
    $("confirm-new").hidden = false;
    $("confirm-end").focus();
  }

  function closeConfirm() { $("confirm-new").hidden = true; }

  function keepAndLeave() {
    closeConfirm();
    forget();
    P.state.callId = null;
    desk.mode = "turn";
    P.show("start-view");
    $("caller-number").focus();
  }

  // ---- today's calls -----------------------------------------------------------------------
  async function loadCalls() {
    if (!P.state.token) { return; }
    var data = await P.api("GET", "/calls");
    var list = $("calls");
    list.textContent = "";
    $("calls-count").textContent = data.calls.length ? "（" + data.calls.length + "）" : "";
    if (!data.calls.length) { list.appendChild(el("li", "empty", "今天还没有通话。")); }
    data.calls.forEach(function (call) {
      var li = el("li", call.ended ? "ended" : "open");
      li.dataset.callId = call.call_id;
      var button = el("button", "call-row");
      button.type = "button";
      button.title = (call.ended ? "查看通话 " : "继续通话 ") + call.call_id;
      button.appendChild(el("span", "time", (call.started_at || "").slice(11, 16)));
      button.appendChild(el("span", "role", call.caller_role_label));
      button.appendChild(el("span", "badge small " + call.level_colour, call.level_label));
      var status = call.ended
        ? (call.disposition_label ? call.disposition_label + (call.disposition_automatic ? "（待确认）" : "") : "未填结果")
        : "进行中 · 继续";
      button.appendChild(el("span", "status", status));
      button.addEventListener("click", P.guard(function () { return openCall(call.call_id, call.ended); }));
      li.appendChild(button);
      list.appendChild(li);
    });
    var banner = $("open-banner");
    banner.hidden = !data.open;
    banner.textContent = data.open
      ? "您有 " + data.open + " 通未结束的通话（见下方“今日通话”），请继续处理或结束并选择通话结果。"
      : "";
  }

  // ---- folding the transcript and the checklist (remembered) -----------------------------------
  function setUpFolds() {
    var narrow = window.matchMedia && window.matchMedia(NARROW).matches;
    FOLDS.forEach(function (id) {
      var box = $(id);
      var saved = localStorage.getItem("panel.fold." + id);
      if (saved !== null) {
        box.open = saved === "open";
      } else if (narrow && id === "transcript-card") {
        box.open = false;  // docked narrow: the transcript folds away until asked for
      }
      box.addEventListener("toggle", function () {
        localStorage.setItem("panel.fold." + id, box.open ? "open" : "closed");
      });
    });
  }

  // ---- keyboard ------------------------------------------------------------------------------
  function onKey(event) {
    if (event.key === "Escape" && !$("confirm-new").hidden) {
      event.preventDefault();
      closeConfirm();
      return;
    }
    if (!event.altKey || event.ctrlKey || event.metaKey || document.body.dataset.view !== "call-view") { return; }
    var digit = /^Digit([1-9])$/.exec(event.code || "");
    if (digit && desk.mode === "turn") {
      var button = $("quick-replies").querySelectorAll("button")[Number(digit[1]) - 1];
      if (button) { event.preventDefault(); button.click(); }
    } else if (event.code === "KeyH") {
      event.preventDefault();
      if (!$("handoff").disabled) { $("handoff").click(); }
    } else if (event.code === "KeyE") {
      event.preventDefault();
      beginEnd();
    } else if (event.code === "KeyN") {
      event.preventDefault();
      newCall();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    setUpFolds();
    document.addEventListener("keydown", onKey);
    $("handoff").addEventListener("click", P.guard(function () {
      var reply = handoffReply();
      return reply ? P.sendTurn(reply.text) : null;
    }));
    $("end-call").addEventListener("click", P.guard(beginEnd));
    $("new-call").addEventListener("click", P.guard(newCall));
    $("acw-new").addEventListener("click", P.guard(newCall));
    $("wrap-form").addEventListener("submit", P.guard(function () {
      return submitWrap().catch(function () { /* shown in the form */ });
    }));
    $("wrap-cancel").addEventListener("click", P.guard(function () {
      if (desk.mode === "review") { finishCall(); return; }
      setMode("turn");
      $("caller-text").focus();
    }));
    $("disposition").addEventListener("change", function () {
      hideWrapError();
      markAutomatic(false);
    });
    $("confirm-end").addEventListener("click", P.guard(beginEnd));
    $("confirm-keep").addEventListener("click", P.guard(keepAndLeave));
    $("confirm-cancel").addEventListener("click", function () {
      closeConfirm();
      $("caller-text").focus();
    });
    $("confirm-new").addEventListener("click", function (event) {
      if (event.target === $("confirm-new")) { closeConfirm(); }
    });
  });
})();
