/* Caller web chat over Rasa's REST channel; the conversation survives a page reload. */
(function () {
  "use strict";

  var WEBHOOK = "/webhooks/rest/webhook";
  var KEY_SENDER = "chat.sender";
  var KEY_LOG = "chat.log";
  var busy = false;

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function loadLog() {
    try { return JSON.parse(localStorage.getItem(KEY_LOG) || "[]"); } catch (err) { return []; }
  }

  function saveLog(log) { localStorage.setItem(KEY_LOG, JSON.stringify(log.slice(-200))); }

  function sender() {
    var id = localStorage.getItem(KEY_SENDER);
    if (!id) {
      var random = (window.crypto && crypto.randomUUID) ? crypto.randomUUID().replace(/-/g, "")
        : Math.random().toString(36).slice(2) + Date.now().toString(36);
      id = "web-" + random;
      localStorage.setItem(KEY_SENDER, id);
    }
    return id;
  }

  function showAlert(message) {
    $("alert").textContent = message || "";
    $("alert").hidden = !message;
  }

  function render(log) {
    var list = $("messages");
    list.textContent = "";
    log.forEach(function (entry) {
      var li = el("li", entry.from);
      li.appendChild(el("div", "bubble", entry.text));
      list.appendChild(li);
    });
    var last = log.length ? log[log.length - 1] : null;
    renderQuickReplies(last && last.from === "bot" ? last.buttons || [] : []);
    list.scrollTop = list.scrollHeight;
  }

  function renderQuickReplies(buttons) {
    var box = $("quick-replies");
    box.textContent = "";
    buttons.forEach(function (b) {
      var button = el("button", "", b.title);
      button.type = "button";
      button.addEventListener("click", function () { send(b.payload, b.title); });
      box.appendChild(button);
    });
  }

  async function send(text, shown) {
    text = (text || "").trim();
    if (!text || busy) { return; }
    busy = true;
    $("send").disabled = true;
    showAlert("");
    var log = loadLog();
    if (shown !== null) { log.push({ from: "user", text: shown || text }); }
    render(log);
    var typing = el("li", "bot typing");
    typing.appendChild(el("div", "bubble", "正在输入…"));
    $("messages").appendChild(typing);
    try {
      var response = await fetch(WEBHOOK, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ sender: sender(), message: text, metadata: {} })
      });
      if (!response.ok) { throw new Error("status " + response.status); }
      var messages = await response.json();
      messages.forEach(function (m) {
        if (m.text) { log.push({ from: "bot", text: m.text, buttons: m.buttons || [] }); }
      });
      saveLog(log);
      $("text").value = "";
    } catch (err) {
      log = loadLog();
      showAlert("消息没有发送成功，请检查网络后重试。");
    } finally {
      busy = false;
      $("send").disabled = false;
      render(log);
      $("text").focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("composer").addEventListener("submit", function (event) {
      event.preventDefault();
      send($("text").value);
    });
    $("restart").addEventListener("click", function () {
      if (!window.confirm("重新开始会清空本页的对话记录，确定吗？")) { return; }
      localStorage.removeItem(KEY_SENDER);
      localStorage.removeItem(KEY_LOG);
      render([]);
      send("/greet", null);
    });
    var log = loadLog();
    if (log.length && localStorage.getItem(KEY_SENDER)) {
      render(log);
    } else {
      send("/greet", null);
    }
  });
})();
