/* Caller web chat over the socket.io channel, the way the standard Rasa web-chat widget talks:
   session_request → session_confirm (the session id, kept across reloads), user_uttered
   {message, session_id, metadata} → bot_uttered {text, quick_replies}. Without the vendored
   socket.io client (scripts/vendor_web.sh) the page says so and uses the REST channel instead.
   The message list, quick replies, alert and composer are chat_common.js's (shared with chat.js). */
(function () {
  "use strict";

  var SOCKET_PATH = "/socket.io";
  var KEY_SESSION = "widget.session";
  var KEY_LOG = "widget.log";
  var WAIT_MS = 30000;
  var transport = null;
  var waiting = null;

  var page = window.ChatPage(KEY_LOG, send);  // chat_common.js
  var $ = page.$;
  var newSessionId = page.randomId;

  function setTyping(on) {
    var old = document.querySelector("#messages li.typing");
    if (old) { old.remove(); }
    if (waiting) { clearTimeout(waiting); waiting = null; }
    if (!on) { return; }
    page.addTyping();
    $("messages").scrollTop = $("messages").scrollHeight;
    waiting = setTimeout(function () {
      setTyping(false);
      page.showAlert("客服暂时没有回复，请稍后再发一次。");
    }, WAIT_MS);
  }

  function botSaid(message) {
    if (!message || !message.text) { return; }
    var buttons = (message.quick_replies || message.buttons || []).map(function (b) {
      return { title: b.title, payload: b.payload };
    });
    var log = page.loadLog();
    log.push({ from: "bot", text: message.text, buttons: buttons });
    page.saveLog(log);
    setTyping(false);
    page.showAlert("");
    page.render(log);
  }

  function send(text, shown) {
    text = (text || "").trim();
    if (!text || !transport) { return; }
    page.showAlert("");
    var log = page.loadLog();
    if (shown !== null) { log.push({ from: "user", text: shown || text }); page.saveLog(log); }
    page.render(log);
    setTyping(true);
    $("text").value = "";
    transport.send(text);
    $("text").focus();
  }

  /* socket.io, as rasa-webchat does it */
  function socketTransport() {
    var sessionId = localStorage.getItem(KEY_SESSION);
    var socket = window.io(window.location.origin, { path: SOCKET_PATH, transports: ["websocket"] });
    var greetOnConfirm = !sessionId || !page.loadLog().length;
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: sessionId });
    });
    socket.on("session_confirm", function (id) {
      if (id !== sessionId) { greetOnConfirm = true; }  // the server started a new session
      sessionId = id;
      localStorage.setItem(KEY_SESSION, id);
      $("widget").dataset.transport = "socketio";
      page.showAlert("");
      if (greetOnConfirm) {
        greetOnConfirm = false;
        localStorage.setItem(KEY_LOG, "[]");
        page.render([]);
        send("/greet", null);
      }
    });
    socket.on("bot_uttered", botSaid);
    socket.on("disconnect", function () { page.showAlert("连接已断开，正在重新连接…"); });
    socket.on("connect_error", function () { page.showAlert("暂时连不上客服，正在重新连接…"); });
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
      console.warn("/web/vendor/socket.io.min.js missing: run bash scripts/vendor_web.sh; using " + page.webhook);
    }
    function sender() {
      var id = localStorage.getItem(KEY_SESSION);
      if (!id) { id = newSessionId(); localStorage.setItem(KEY_SESSION, id); }
      return id;
    }
    var t = {
      send: async function (text) {
        try {
          var messages = await page.postTurn(sender(), text);
          setTyping(false);
          messages.forEach(botSaid);
        } catch (err) {
          setTyping(false);
          page.showAlert("消息没有发送成功，请检查网络后重试。");
        }
      },
      restart: function () { localStorage.setItem(KEY_SESSION, newSessionId()); send("/greet", null); }
    };
    setTimeout(function () { if (!page.loadLog().length) { send("/greet", null); } }, 0);
    return t;
  }

  document.addEventListener("DOMContentLoaded", function () {
    page.wire(function () { transport.restart(); });
    page.render(page.loadLog());
    transport = typeof window.io === "function" ? socketTransport() : restTransport();
  });
})();
