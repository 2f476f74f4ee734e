/* What the caller web chat (/chat, chat.js, over REST) and the web-chat widget (/widget, widget.js,
   over socket.io) share: the lower part of the page (alert, messages, quick replies, composer), the
   log kept in localStorage and drawing it, and a turn over the REST channel (the widget's fallback).
   Load it before the page's own script. */
(function () {
  "use strict";

  var WEBHOOK = "/webhooks/rest/webhook";

  // below the page's header and notices; added here, as the page is parsed (deferred script)
  var LOWER = [
    '<div class="alert" id="alert" role="alert" hidden></div>',
    '<ol class="messages" id="messages" aria-live="polite"></ol>',
    '<div class="quick" id="quick-replies" aria-label="快捷回复"></div>',
    '<form class="composer" id="composer" autocomplete="off">',
    '  <input type="text" id="text" placeholder="请输入您的问题" maxlength="500" aria-label="输入消息">',
    '  <button type="submit" class="primary" id="send">发送</button>',
    "</form>"
  ].join("\n");

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function randomId() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID().replace(/-/g, "")
      : Math.random().toString(36).slice(2) + Date.now().toString(36);
  }

  /* One turn over Rasa's REST channel: the bot's messages; throws when it did not go through. */
  async function postTurn(sender, text) {
    var response = await fetch(WEBHOOK, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ sender: sender, message: text, metadata: {} })
    });
    if (!response.ok) { throw new Error("status " + response.status); }
    return response.json();
  }

  /* The page's helpers: logKey is where its log is kept; send(text, shown) is the page's own
     (a quick reply sends its payload and shows its title). */
  window.ChatPage = function (logKey, send) {
    function loadLog() {
      try { return JSON.parse(localStorage.getItem(logKey) || "[]"); } catch (err) { return []; }
    }

    function saveLog(log) { localStorage.setItem(logKey, JSON.stringify(log.slice(-200))); }

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

    function addTyping() {
      var typing = el("li", "bot typing");
      typing.appendChild(el("div", "bubble", "正在输入…"));
      $("messages").appendChild(typing);
      return typing;
    }

    /* The composer sends what is typed; 重新开始, once confirmed, clears the log, then restart(). */
    function wire(restart) {
      $("composer").addEventListener("submit", function (event) {
        event.preventDefault();
        send($("text").value);
      });
      $("restart").addEventListener("click", function () {
        if (!window.confirm("重新开始会清空本页的对话记录，确定吗？")) { return; }
        localStorage.removeItem(logKey);
        render([]);
        restart();
      });
    }

    return {
      $: $, randomId: randomId, loadLog: loadLog, saveLog: saveLog, showAlert: showAlert,
      render: render, addTyping: addTyping, wire: wire, postTurn: postTurn, webhook: WEBHOOK
    };
  };

  document.querySelector(".chat").insertAdjacentHTML("beforeend", LOWER);
})();
