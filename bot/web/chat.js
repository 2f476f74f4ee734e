/* Caller web chat over Rasa's REST channel; the conversation survives a page reload.
   The message list, quick replies, alert and composer are chat_common.js's (shared with widget.js). */
(function () {
  "use strict";

  var KEY_SENDER = "chat.sender";
  var KEY_LOG = "chat.log";
  var busy = false;

  var page = window.ChatPage(KEY_LOG, send);  // chat_common.js
  var $ = page.$;

  function sender() {
    var id = localStorage.getItem(KEY_SENDER);
    if (!id) {
      id = "web-" + page.randomId();
      localStorage.setItem(KEY_SENDER, id);
    }
    return id;
  }

  async function send(text, shown) {
    text = (text || "").trim();
    if (!text || busy) { return; }
    busy = true;
    $("send").disabled = true;
    page.showAlert("");
    var log = page.loadLog();
    if (shown !== null) { log.push({ from: "user", text: shown || text }); }
    page.render(log);
    page.addTyping();
    try {
      var messages = await page.postTurn(sender(), text);
      messages.forEach(function (m) {
        if (m.text) { log.push({ from: "bot", text: m.text, buttons: m.buttons || [] }); }
      });
      page.saveLog(log);
      $("text").value = "";
    } catch (err) {
      log = page.loadLog();
      page.showAlert("消息没有发送成功，请检查网络后重试。");
    } finally {
      busy = false;
      $("send").disabled = false;
      page.render(log);
      $("text").focus();
    }
  }

  document.addEventListener("DOMContentLoaded", function () {
    page.wire(function () {
      localStorage.removeItem(KEY_SENDER);
      send("/greet", null);
    });
    var log = page.loadLog();
    if (log.length && localStorage.getItem(KEY_SENDER)) {
      page.render(log);
    } else {
      send("/greet", null);
    }
  });
})();
