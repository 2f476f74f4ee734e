/* Agent side panel, live: listens to GET /webhooks/agent/calls/<id>/stream (Server-Sent Events,
   read with fetch() so the agent's token goes in the Authorization header) and redraws the panel
   as the call platform's transcript arrives; shows the must-say lines (said / suggested / pending /
   not needed) and the caller's words still being recognised, greyed.
   Needs panel.js: window.PanelApp {render, api, state} (window.Panel, whose $ and el it uses too)
   and its "panel:render" event; and sse.js, which reads the stream. */
(function () {
  "use strict";

  var API = "/webhooks/agent";
  var MARKS = { said: "✓", manual: "✓", suggested: "!", pending: "○", not_needed: "–" };
  var live = { callId: null, controller: null, retry: null, owed: {} };  // owed: call id → keys flagged at end

  var $ = window.Panel.$;
  var el = window.Panel.el;

  function app() { return window.PanelApp; }

  function setLive(which, text) {
    var badge = $("live-state");
    if (!badge) { return; }
    badge.dataset.state = which;
    badge.textContent = text;
  }

  // ---- the stream ----------------------------------------------------------------
  function stop() {
    if (live.controller) { live.controller.abort(); }
    if (live.retry) { clearTimeout(live.retry); }
    live.controller = live.retry = null;
    live.callId = null;
    setLive("off", "");
  }

  function start(callId) {
    stop();
    live.callId = callId;
    var controller = new AbortController();
    live.controller = controller;
    (async function () {
      try {
        var response = await fetch(API + "/calls/" + encodeURIComponent(callId) + "/stream", {
          headers: { "Authorization": "Bearer " + app().state.token },
          signal: controller.signal
        });
        if (!response.ok || !response.body) { throw new Error("stream " + response.status); }
        setLive("on", "实时");
        await window.SSE.read(response, function (name, payload) { handle(callId, name, payload); });
      } catch (err) {
        if (controller.signal.aborted) { return; }
      }
      // the server ends every stream after a while, or went away: connect again for the same call
      if (live.controller !== controller || !stillOpen(callId)) { return; }
      setLive("retry", "重新连接…");
      live.retry = setTimeout(function () {
        if (live.controller === controller && stillOpen(callId)) { start(callId); }
      }, 1000);
    })();
  }

  function stillOpen(callId) {
    var state = app() && app().state;
    return !!(state && state.token && state.callId === callId);
  }

  function handle(callId, name, payload) {
    if (!stillOpen(callId)) { return; }
    if (name === "panel" && payload.call_id === callId) {
      app().render(payload);  // panel.js draws it; "panel:render" brings it back here
    } else if (name === "interim" && payload.call_id === callId) {
      showInterim([payload]);
    }
  }

  // ---- drawing -------------------------------------------------------------------
  function showInterim(items) {
    var box = $("interim");
    if (!box) { return; }
    var caller = (items || []).filter(function (i) { return i.speaker === "caller" && i.text; }).pop();
    box.textContent = "";
    box.hidden = !caller;
    if (caller) {
      box.appendChild(el("span", "who", "客户（识别中）："));
      box.appendChild(el("span", "text", caller.text));
    }
  }

  function renderMustSay(answer) {
    var card = $("must-say-card");
    var list = $("must-say");
    if (!card || !list || !answer.must_say) { return; }
    card.hidden = false;
    list.textContent = "";
    answer.must_say.forEach(function (item) {
      var owed = (live.owed[answer.call_id] || []).indexOf(item.key) >= 0 && item.state !== "said";
      var li = el("li", "say-" + item.state + (owed ? " owed" : ""));
      li.dataset.key = item.key;
      li.dataset.state = item.state;
      li.appendChild(el("span", "mark", MARKS[item.state] || ""));
      var body = el("span", "body");
      body.appendChild(el("span", "label", item.label));
      body.appendChild(el("span", "state", item.state_label));
      li.appendChild(body);
      if (item.required && (item.state === "suggested" || item.state === "pending") && !answer.ended) {
        var tick = el("button", "tick", "已说");
        tick.type = "button";
        tick.title = "确认已对客户说过（记为手动）";
        tick.addEventListener("click", function () { markSaid(answer.call_id, item.key); });
        li.appendChild(tick);
      }
      list.appendChild(li);
    });
  }

  function decorateChecklist(answer) {
    (answer.checklist || []).forEach(function (item) {
      var li = document.querySelector("#checklist li[data-key='" + item.key + "']");
      if (li && item.say) { li.dataset.say = item.say; }
    });
  }

  async function markSaid(callId, key) {
    try {
      app().render(await app().api("POST", "/calls/" + encodeURIComponent(callId) + "/said", { item: key }));
    } catch (err) {
      var box = $("alert");
      if (box) { box.textContent = err.message; box.hidden = false; }
    }
  }

  function flagUnsaid(error) {
    live.owed[error.call_id] = (error.items || []).map(function (item) { return item.key; });
    (error.items || []).forEach(function (item) {
      var li = document.querySelector("#must-say li[data-key='" + item.key + "']");
      if (li) { li.classList.add("owed"); }
    });
  }

  // ---- wiring --------------------------------------------------------------------
  document.addEventListener("panel:render", function (event) {
    var answer = event.detail || {};
    renderMustSay(answer);
    decorateChecklist(answer);
    showInterim(answer.ended ? [] : answer.interim);
    if (answer.ended) {
      if (live.callId === answer.call_id) { stop(); }
      setLive("off", "已结束");
    } else if (live.callId !== answer.call_id && app()) {
      start(answer.call_id);
    }
  });
  document.addEventListener("panel:unsaid", function (event) { flagUnsaid(event.detail || {}); });

  document.addEventListener("DOMContentLoaded", function () {
    var link = document.createElement("link");  // this file's styles, kept apart from panel.css
    link.rel = "stylesheet";
    link.href = "/web/panel_live.css";
    document.head.appendChild(link);
    // a new call, a sign-out: stop listening to the call that is no longer on screen
    setInterval(function () {
      if (live.callId && !stillOpen(live.callId)) {
        stop();
        var card = $("must-say-card");
        if (card) { card.hidden = true; }
        showInterim([]);
      }
    }, 1000);
  });
})();
