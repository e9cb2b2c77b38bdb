// The filter form of the document list. The form is in the page from the start, so that
// nothing moves when this script runs; it only makes it work. Without scripting the
// stylesheet hides it (@media (scripting: none)) and the static listings (by type, year,
// issuer) do the same job; a plain submit reloads the page with the choices in the
// address, which this script reads.
(function () {
  "use strict";
  var form = document.querySelector(".doc-filter");
  if (!form) { return; }
  if (!window.fetch) { form.hidden = true; return; }
  var results = form.querySelector(".doc-filter-results");
  var count = form.querySelector(".doc-filter-count");
  var listing = document.querySelector(".doc-listing");
  var index = null;

  // Citizens type with or without marks: "ke hoach" finds "Kế hoạch", "d" finds "đ".
  function fold(text) {
    return String(text).toLowerCase().replace(/đ/g, "d").normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function wanted() {
    return {
      words: fold(form.q.value).split(/\s+/).filter(Boolean),
      type: form.loai.value, year: form.nam.value, issuer: form["co-quan"].value
    };
  }

  function matches(doc, want) {
    if (want.type && doc.k !== want.type) { return false; }
    if (want.year && String(doc.y) !== want.year) { return false; }
    if (want.issuer && doc.i !== want.issuer) { return false; }
    var text = fold(doc.n + " " + doc.k + " " + doc.t);
    return want.words.every(function (word) { return text.indexOf(word) !== -1; });
  }

  function row(doc) {
    var item = document.createElement("li");
    item.className = "doc-row";
    var number = document.createElement("p");
    number.className = "doc-number";
    var link = document.createElement("a");
    link.href = doc.u;
    link.textContent = doc.n;
    number.appendChild(link);
    var title = document.createElement("p");
    title.className = "doc-title";
    title.textContent = doc.t;
    var meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = doc.k + " · " + doc.i + " · " + doc.d;
    item.appendChild(number);
    item.appendChild(title);
    item.appendChild(meta);
    return item;
  }

  function show() {
    var want = wanted();
    var active = want.words.length || want.type || want.year || want.issuer;
    listing.hidden = !!active;
    results.hidden = !active;
    count.textContent = "";
    results.textContent = "";
    if (!active) { return; }
    var found = index.filter(function (doc) { return matches(doc, want); });
    found.forEach(function (doc) { results.appendChild(row(doc)); });
    count.textContent = found.length ? form.dataset.count.replace("{count}", found.length) : form.dataset.none;
  }

  function remember() {
    var params = new URLSearchParams();
    ["q", "loai", "nam", "co-quan"].forEach(function (name) {
      if (form[name].value) { params.set(name, form[name].value); }
    });
    var query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
  }

  function update() {
    if (index) { show(); remember(); return; }
    fetch(form.dataset.index).then(function (response) { return response.json(); })
      .then(function (data) { index = data; show(); remember(); })
      .catch(function () { form.hidden = true; });
  }

  var params = new URLSearchParams(location.search);
  ["q", "loai", "nam", "co-quan"].forEach(function (name) {
    if (params.get(name)) { form[name].value = params.get(name); }
  });
  form.addEventListener("input", update);
  form.addEventListener("submit", function (event) { event.preventDefault(); update(); });
  form.addEventListener("reset", function () { setTimeout(update, 0); });
  if (params.toString()) { update(); }
})();
