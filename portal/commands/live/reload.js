// Live reload for `python build.py serve`; injected into pages by the server only,
// never written into site/. Reloads the page after each good build and shows the
// errors of a failed build over the page, which stays the last good one.
(function () {
  "use strict";
  var script = document.currentScript;
  var shown = Number(script && script.getAttribute("data-build"));
  var overlay = null;

  function hideOverlay() {
    if (overlay) { overlay.remove(); overlay = null; }
  }

  function showOverlay(state) {
    hideOverlay();
    overlay = document.createElement("div");
    overlay.id = "portal-serve-overlay";
    overlay.setAttribute("role", "alert");
    overlay.style.cssText = "position:fixed;inset:0;z-index:2147483647;overflow:auto;" +
      "background:rgba(20,20,20,.92);color:#fff;font:15px/1.5 system-ui,sans-serif;padding:2rem";
    var title = document.createElement("h2");
    title.textContent = state.title;
    title.style.cssText = "color:#ffb4a8;margin-top:0";
    var list = document.createElement("pre");
    list.style.cssText = "white-space:pre-wrap;font:14px/1.6 ui-monospace,monospace";
    list.textContent = state.errors.join("\n");  // text, never HTML: errors quote content
    var close = document.createElement("button");
    close.type = "button";
    close.textContent = "×";
    close.setAttribute("aria-label", state.close);
    close.style.cssText = "position:absolute;top:1rem;right:1rem;font-size:1.5rem";
    close.onclick = hideOverlay;
    overlay.append(close, title, list);
    document.body.append(overlay);
  }

  function onState(event) {
    var state = JSON.parse(event.data);
    if (state.errors.length) {
      showOverlay(state);
    } else if (state.version !== shown) {
      location.reload();
    } else {
      hideOverlay();
    }
  }

  var events = new EventSource("/__portal/events");
  events.addEventListener("state", onState);
})();
