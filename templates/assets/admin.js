// The web editor at /admin/ (Decap CMS), after Decap's own script: a file of the theme
// because /admin/'s policy allows no inline script.
//
// - The preview pane uses the portal's own stylesheet (its fingerprinted address is on
//   this script's data-preview-style), so an editor sees the text as citizens will.
// - Before an item is saved, a `slug:` left empty is written from the title (a
//   document's: from its number) as the engine would make it ("Bình đẳng giới" ->
//   binh-dang-gioi, đ -> d): the file is named by it, and a later edit of the title never
//   moves the page. Fields left empty are not written at all (an empty `updated:` would
//   be a wrong date to the build), so the file holds what the editor wrote.
(function () {
  "use strict";
  var script = document.currentScript;
  var CMS = window.CMS;
  var start = document.getElementById("admin-start");
  if (!CMS) { // Decap's file did not load (no network, a blocked CDN, a wrong hash)
    start.querySelector(".admin-loading").hidden = true;
    start.querySelector(".admin-failed").hidden = false;
    return;
  }
  start.hidden = true;
  CMS.registerPreviewStyle(script.getAttribute("data-preview-style"));

  var SLUG_LENGTH = 200; // portal/urls.py SLUG_LENGTH: cut between words

  function slugOf(text) {
    var slug = String(text || "").replace(/[đĐ]/g, "d").normalize("NFD")
      .replace(/[\u0300-\u036f]/g, "").toLowerCase()
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    if (slug.length > SLUG_LENGTH) {
      slug = slug.slice(0, SLUG_LENGTH + 1);
      slug = slug.slice(0, Math.max(slug.lastIndexOf("-"), 1)).replace(/-+$/, "");
    }
    return slug;
  }

  function isEmpty(value) {
    return value === "" || value === null || value === undefined ||
      (typeof value === "object" && value.size === 0);
  }

  CMS.registerEventListener({
    name: "preSave",
    handler: function (event) {
      var data = event.entry.get("data");
      data = data.filter(function (value, key) { return key === "body" || !isEmpty(value); });
      if (!data.get("slug")) {
        data = data.set("slug", slugOf(data.get("number") || data.get("title")) || "moi");
      }
      return data;
    },
  });
})();
