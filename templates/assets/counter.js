// The "Lượt xem" box (templates/partials/counter_box.html): this page's and the whole
// portal's counts from GoatCounter's public counter, which answers
// <origin>/counter/<path>.json with {"count": "1,234"}. Only a count the service gave is
// shown; the box stays hidden while none has arrived, and for good when it fails.
(function () {
  "use strict";
  var box = document.querySelector(".box-counter[data-counter]");
  if (!box || !window.fetch || !window.AbortController) return;
  var origin = box.getAttribute("data-counter");
  var lang = document.documentElement.lang || "vi";

  // A count as GoatCounter writes it ("1,234", "1 234"): digits only, else nothing.
  function number(answer) {
    var text = answer && typeof answer.count === "string" ? answer.count : "";
    var digits = text.replace(/[\s,.\u00a0\u202f]/g, "");
    return /^[0-9]{1,15}$/.test(digits) ? Number(digits) : null;
  }

  function show(which, path) {
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, 5000);
    return fetch(origin + "/counter/" + encodeURIComponent(path) + ".json",
                 { signal: abort.signal, credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        var count = number(answer);
        if (count === null) return;
        var row = box.querySelector('[data-count="' + which + '"]');
        row.querySelector("dd").textContent = count.toLocaleString(lang);
        row.hidden = false;
        box.hidden = false;
      })
      .catch(function () { /* nothing to show */ })
      .then(function () { clearTimeout(timer); });
  }

  show("page", location.pathname);
  show("total", "TOTAL");
})();
