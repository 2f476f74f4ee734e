/* Server-Sent Events read with fetch() and a ReadableStream rather than EventSource, so that the
   token can go in the Authorization header; used by the panel (panel_live.js) and the console.
   SSE.read(response, onEvent) calls onEvent(name, payload) for each event that has data (its JSON
   parsed; name "message" when the event names none) and resolves when the server ends the stream. */
(function () {
  "use strict";

  function dispatch(block, onEvent) {
    var name = "message";
    var data = "";
    block.split("\n").forEach(function (line) {
      if (line.indexOf("event: ") === 0) { name = line.slice(7); }
      if (line.indexOf("data: ") === 0) { data += line.slice(6); }
    });
    if (data) { onEvent(name, JSON.parse(data)); }
  }

  async function read(response, onEvent) {
    var reader = response.body.getReader();
    var decoder = new TextDecoder();
    var buffer = "";
    for (;;) {
      var chunk = await reader.read();
      if (chunk.done) { return; }
      buffer += decoder.decode(chunk.value, { stream: true });
      var at;
      while ((at = buffer.indexOf("\n\n")) >= 0) {
        dispatch(buffer.slice(0, at), onEvent);
        buffer = buffer.slice(at + 2);
      }
    }
  }

  window.SSE = { read: read };
})();
