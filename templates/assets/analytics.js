// Matomo's settings (config `analytics: {provider: matomo}`), given by the attributes of
// this script's tag, since the site's policy runs no inline script. Matomo's own
// matomo.js comes next in the page and reads them from window._paq.
(function () {
  "use strict";
  var tag = document.currentScript;
  var base = tag && tag.getAttribute("data-matomo");
  var site = tag && tag.getAttribute("data-site-id");
  if (!base || !/^[1-9][0-9]*$/.test(site || "")) return;
  var queue = window._paq = window._paq || [];
  queue.push(["setTrackerUrl", base + "matomo.php"]);
  queue.push(["setSiteId", site]);
  queue.push(["trackPageView"]);
  queue.push(["enableLinkTracking"]);
})();
