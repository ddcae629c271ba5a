// saishi serve: live reload. Added to pages only while they are served, never to `build` output.
(function () {
  "use strict";
  var events = new EventSource("/__saishi/events");
  var OVERLAY = "saishi-overlay";

  function clear() {
    var old = document.getElementById(OVERLAY);
    if (old) old.remove();
  }

  // Every error of the last rebuild, as file:line:column: message (text only, never HTML).
  function show(errors) {
    clear();
    if (!errors.length) return;
    var box = document.createElement("div");
    box.id = OVERLAY;
    box.setAttribute("role", "alert");
    box.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;background:rgba(20,20,20,.92);" +
      "color:#fff;font:14px/1.6 ui-monospace,Menlo,Consolas,monospace;padding:24px";
    var title = document.createElement("h2");
    title.textContent = "saishi: the last change could not be built (the page shows the last good site)";
    title.style.cssText = "color:#ff8a80;font-size:16px;margin:0 0 12px";
    box.appendChild(title);
    errors.forEach(function (e) {
      var item = document.createElement("pre");
      item.className = "saishi-error";
      item.style.cssText = "white-space:pre-wrap;margin:0 0 12px;padding:8px;border-left:3px solid #ff8a80";
      item.textContent = e.file + ":" + e.line + ":" + e.column + ": " + e.message + (e.help ? "\n  help: " + e.help : "");
      box.appendChild(item);
    });
    document.body.appendChild(box);
  }

  events.addEventListener("reload", function () { location.reload(); });
  events.addEventListener("css", function () {
    clear();
    document.querySelectorAll('link[rel="stylesheet"]').forEach(function (link) {
      var url = new URL(link.href);
      url.searchParams.set("saishi", Date.now());
      link.href = url.toString();
    });
  });
  events.addEventListener("errors", function (e) { show(JSON.parse(e.data)); });
})();
