/* Caller web chat over the socket.io channel, the way the standard Rasa web-chat widget talks:
   session_request → session_confirm (the session id, kept across reloads), user_uttered
   {message, session_id, metadata} → bot_uttered {text, quick_replies}. Without the vendored
   socket.io client (scripts/vendor_web.sh) the page says so and uses the REST channel instead. */
(function () {
  "use strict";

  var SOCKET_PATH = "/socket.io";
  var WEBHOOK = "/webhooks/rest/webhook";
  var KEY_SESSION = "widget.session";
  var KEY_LOG = "widget.log";
  var WAIT_MS = 30000;
  var transport = null;
  var waiting = null;

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

  function newSessionId() {
    return (window.crypto && crypto.randomUUID) ? crypto.randomUUID().replace(/-/g, "")
      : Math.random().toString(36).slice(2) + Date.now().toString(36);
  }

  function showAlert(message) {
    $("alert").textContent = message || "";
    $("alert").hidden = !message;
  }

  function setTyping(on) {
    var old = document.querySelector("#messages li.typing");
    if (old) { old.remove(); }
    if (waiting) { clearTimeout(waiting); waiting = null; }
    if (!on) { return; }
    var typing = el("li", "bot typing");
    typing.appendChild(el("div", "bubble", "正在输入…"));
    $("messages").appendChild(typing);
    $("messages").scrollTop = $("messages").scrollHeight;
    waiting = setTimeout(function () {
      setTyping(false);
      showAlert("客服暂时没有回复，请稍后再发一次。");
    }, WAIT_MS);
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

  function botSaid(message) {
    if (!message || !message.text) { return; }
    var buttons = (message.quick_replies || message.buttons || []).map(function (b) {
      return { title: b.title, payload: b.payload };
    });
    var log = loadLog();
    log.push({ from: "bot", text: message.text, buttons: buttons });
    saveLog(log);
    setTyping(false);
    showAlert("");
    render(log);
  }

  function send(text, shown) {
    text = (text || "").trim();
    if (!text || !transport) { return; }
    showAlert("");
    var log = loadLog();
    if (shown !== null) { log.push({ from: "user", text: shown || text }); saveLog(log); }
    render(log);
    setTyping(true);
    $("text").value = "";
    transport.send(text);
    $("text").focus();
  }

  /* socket.io, as rasa-webchat does it */
  function socketTransport() {
    var sessionId = localStorage.getItem(KEY_SESSION);
    var socket = window.io(window.location.origin, { path: SOCKET_PATH, transports: ["websocket"] });
    var greetOnConfirm = !sessionId || !loadLog().length;
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (id) {
      if (id !== sessionId) { greetOnConfirm = true; }  // the server started a new session
      sessionId = id;
      localStorage.setItem(KEY_SESSION, id);
      $("widget").dataset.transport = "socketio";
      showAlert("");
      if (greetOnConfirm) {
        greetOnConfirm = false;
        localStorage.setItem(KEY_LOG, "[]");
        render([]);
        send("/greet", null);
      }
    });
    socket.on("bot_uttered", botSaid);
    socket.on("disconnect", function () { showAlert("连接已断开，正在重新连接…"); });
    socket.on("connect_error", function () { showAlert("暂时连不上客服，正在重新连接…"); });
    return {
      send: function (text) {
        socket.emit("user_uttered", { message: text, session_id: sessionId, metadata: {} });
      },
      restart: function () {
        sessionId = newSessionId();
        localStorage.setItem(KEY_SESSION, sessionId);
        greetOnConfirm = true;
        socket.emit("session_request", { session_id: sessionId });
      }
    };
  }

  /* the REST channel, when the socket.io client was not vendored */
  function restTransport() {
    var note = $("transport-note");
    note.textContent = "实时连接组件（socket.io 客户端）未安装，本页已改用普通方式收发消息，对话不受影响。";
    note.hidden = false;
    $("widget").dataset.transport = "rest";
    if (window.console) {
      console.warn("/web/vendor/socket.io.min.js missing: run bash scripts/vendor_web.sh; using " + WEBHOOK);
    }
    function sender() {
      var id = localStorage.getItem(KEY_SESSION);
      if (!id) { id = newSessionId(); localStorage.setItem(KEY_SESSION, id); }
      return id;
    }
    var t = {
      send: async function (text) {
        try {
          var response = await fetch(WEBHOOK, {
            method: "POST",
            headers: { "Content-Type": "application/json" },
            body: JSON.stringify({ sender: sender(), message: text, metadata: {} })
          });
          if (!response.ok) { throw new Error("status " + response.status); }
          var messages = await response.json();
          setTyping(false);
          messages.forEach(botSaid);
        } catch (err) {
          setTyping(false);
          showAlert("消息没有发送成功，请检查网络后重试。");
        }
      },
      restart: function () { localStorage.setItem(KEY_SESSION, newSessionId()); send("/greet", null); }
    };
    setTimeout(function () { if (!loadLog().length) { send("/greet", null); } }, 0);
    return t;
  }

  document.addEventListener("DOMContentLoaded", function () {
    $("composer").addEventListener("submit", function (event) {
      event.preventDefault();
      send($("text").value);
    });
    $("restart").addEventListener("click", function () {
      if (!window.confirm("重新开始会清空本页的对话记录，确定吗？")) { return; }
      localStorage.removeItem(KEY_LOG);
      render([]);
      transport.restart();
    });
    render(loadLog());
    transport = typeof window.io === "function" ? socketTransport() : restTransport();
  });
})();
