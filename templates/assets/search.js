// The search page (/tim-kiem/): Pagefind's JavaScript API, loaded on this page only, with
// the Vietnamese matching that Pagefind lacks. Without JavaScript the <noscript> message
// says so and the header's box still leads here. README's "Search" tells the whole story.
//
// Pagefind folds tone and vowel marks but not "đ". The build gave it, after each page,
// a tail (after "¦") of the page's "đ" words spelled with "d", and its filter words, so
// the query is sent with "d" for "đ" and with the chosen filters as words. Pagefind's
// answers are then checked against the page's own words, tail cut off: every typed word
// must be on the page with the marks that were typed (a bare letter matches any mark),
// the last one may be unfinished, and they must stand side by side. The excerpt is made
// here from the page's own words, with the matches highlighted.
(function () {
  "use strict";
  var form = document.querySelector("form.search-page");
  if (!form || !window.fetch || !window.Promise) { return; }
  var status = document.querySelector(".search-status");
  var list = document.querySelector(".search-results");
  var more = document.querySelector(".search-more");
  var TAIL_MARK = "\u00a6";
  var WORD = /[\p{L}\p{N}\p{M}]+/gu;
  var BATCH = 10;  // results checked and shown at a time
  var EXCERPT_WORDS = 32;
  var LEAD_WORDS = 8;  // words shown before the first match
  var module = null;  // Pagefind, once asked for
  var run = 0;  // the latest search; an older one stops when it sees this change
  var shown = null;  // the latest search's answers and how far they have been checked

  function pagefind() {
    if (!module) {
      // The index comes in parts (a year each, and the pages): Pagefind is loaded from the
      // first and the others are merged into it, so one search covers them all.
      var shards = form.dataset.shards.split(" ");
      var options = { baseUrl: form.dataset.base };
      module = import(form.dataset.bundle + shards[0] + "/pagefind.js").then(function (loaded) {
        return loaded.options(options).then(function () {
          return Promise.all(shards.slice(1).map(function (shard) {
            return loaded.mergeIndex(form.dataset.bundle + shard + "/", options);
          }));
        }).then(function () { return loaded; });
      }).catch(function (error) {
        module = null;  // a later search tries again (the connection may be back)
        throw error;
      });
    }
    return module;
  }

  // A letter as its base and its marks; the bar of "đ" counts as a mark of "d".
  function parts(letter) {
    if (letter === "đ") { return ["d", "\u0335"]; }
    var split = letter.normalize("NFD");
    return [split.charAt(0), split.slice(1)];
  }

  function letterMatches(typed, found) {
    if (typed === found) { return true; }
    var want = parts(typed), have = parts(found);
    if (want[0] !== have[0]) { return false; }
    return Array.from(want[1]).every(function (mark) { return have[1].indexOf(mark) !== -1; });
  }

  function wordMatches(term, word) {
    var typed = Array.from(term.text), found = Array.from(word);
    if (term.prefix ? typed.length > found.length : typed.length !== found.length) { return false; }
    return typed.every(function (letter, i) { return letterMatches(letter, found[i]); });
  }

  function normal(text) { return text.toLowerCase().normalize("NFC"); }

  // The words typed; the last one may be unfinished when it has letters ("bình đẳ"),
  // while a number is taken whole ("111" does not find "1111").
  function termsOf(query) {
    var words = normal(query).match(WORD) || [];
    return words.map(function (text, i) {
      return { text: text, prefix: i === words.length - 1 && /\p{L}/u.test(text) };
    });
  }

  function pageText(content) {
    var at = content.lastIndexOf(TAIL_MARK);
    return (at === -1 ? content : content.slice(0, at)).replace(/[\s.]+$/, "");
  }

  // The page's words, which of them match, and whether the typed words stand together
  // on it; null when some typed word is not on the page at all.
  function matchesOf(text, terms) {
    var words = [];
    var found = terms.map(function () { return false; });
    var match;
    WORD.lastIndex = 0;
    while ((match = WORD.exec(text)) !== null) {
      var word = { start: match.index, end: match.index + match[0].length, hits: [] };
      var lower = normal(match[0]);
      terms.forEach(function (term, i) {
        if (wordMatches(term, lower)) { word.hits.push(i); found[i] = true; }
      });
      word.hit = word.hits.length > 0;
      words.push(word);
    }
    if (!found.every(Boolean)) { return null; }
    return { words: words, phrase: phraseAt(words, terms.length, 0) !== -1, count: terms.length };
  }

  // Vietnamese words are made of syllables ("trẻ em", "bình đẳng"), and words typed without
  // marks are ambiguous ("duoi" is "đuối" or "dưới"): the typed words side by side are what
  // tell "duoi nuoc" (đuối nước) from a page that has "dưới" and "nước" apart. In any order,
  // so that "kh-ubnd 606" finds "606/KH-UBND". Returns where they first stand from the
  // word `from` on, or -1.
  function phraseAt(words, count, from) {
    return words.findIndex(function (word, at) {
      if (at < from) { return false; }
      var span = words.slice(at, at + count);
      for (var i = 0; i < count; i++) {
        if (!span.some(function (w) { return w.hits.indexOf(i) !== -1; })) { return false; }
      }
      return true;
    });
  }

  // Where the excerpt looks: the typed words together after the title (which the
  // result's heading shows already), else any of them after it, else the title.
  function focusOf(found, body) {
    var together = phraseAt(found.words, found.count, body);
    if (together !== -1) { return together; }
    var any = found.words.findIndex(function (word, i) { return i >= body && word.hit; });
    return any !== -1 ? any : 0;
  }

  function excerpt(text, found, title) {
    var words = found.words;
    var paragraph = document.createElement("p");
    paragraph.className = "search-excerpt";
    if (!words.length) { return paragraph; }
    var body = Math.max(0, text.indexOf(title) === 0 ? words.findIndex(function (word) {
      return word.start >= title.length;
    }) : 0);
    var first = focusOf(found, body);
    var from = Math.max(0, first - LEAD_WORDS);
    var to = Math.min(words.length, from + EXCERPT_WORDS);
    var at = words[from].start;
    if (from > 0) { paragraph.appendChild(document.createTextNode("… ")); }
    words.slice(from, to).forEach(function (word) {
      if (!word.hit) { return; }
      paragraph.appendChild(document.createTextNode(text.slice(at, word.start)));
      var mark = document.createElement("mark");
      mark.textContent = text.slice(word.start, word.end);
      paragraph.appendChild(mark);
      at = word.end;
    });
    paragraph.appendChild(document.createTextNode(text.slice(at, words[to - 1].end)));
    if (to < words.length) { paragraph.appendChild(document.createTextNode(" …")); }
    return paragraph;
  }

  function resultItem(data, text, found) {
    var item = document.createElement("li");
    item.className = "search-result";
    var heading = document.createElement("h2");
    var link = document.createElement("a");
    link.href = data.url;
    link.textContent = data.meta.title || data.url;
    heading.appendChild(link);
    var meta = document.createElement("p");
    meta.className = "meta";
    meta.textContent = [data.meta.type, data.meta.date].filter(Boolean).join(" · ");
    item.appendChild(heading);
    item.appendChild(meta);
    item.appendChild(excerpt(text, found, data.meta.title || ""));
    return item;
  }

  function wanted() {
    return { query: form.q.value.trim(), type: form.loai.value, year: form.nam.value };
  }

  function remember(want) {
    var params = new URLSearchParams();
    if (want.query) { params.set("q", want.query); }
    if (want.type) { params.set("loai", want.type); }
    if (want.year) { params.set("nam", want.year); }
    var query = params.toString();
    history.replaceState(null, "", query ? "?" + query : location.pathname);
  }

  function say(template, count) {
    return template.replace("{count}", count).replace("{query}", shown.label);
  }

  function report() {
    var done = shown.next >= shown.results.length;
    list.setAttribute("aria-busy", "false");
    more.hidden = done;
    if (!shown.count) { status.textContent = say(form.dataset.none, 0); }
    else { status.textContent = say(done ? form.dataset.count : form.dataset.countMore, shown.count); }
  }

  // Check Pagefind's answers a batch at a time until BATCH more are shown or none are left.
  function showMore(mine) {
    var goal = shown.count + BATCH;
    function step() {
      if (mine !== run) { return null; }
      if (shown.count >= goal || shown.next >= shown.results.length) { report(); return null; }
      var batch = shown.results.slice(shown.next, shown.next + BATCH);
      shown.next += batch.length;
      return Promise.all(batch.map(function (result) { return result.data(); })).then(function (pages) {
        if (mine !== run) { return null; }
        pages.forEach(function (data) {
          if (!hasFilters(data.content, shown.filters)) { return; }
          var text = pageText(data.content);
          var found = matchesOf(text, shown.terms);
          if (found && found.phrase) {
            list.appendChild(resultItem(data, text, found));
            shown.count += 1;
          } else if (found) {
            shown.apart.push(resultItem(data, text, found));
          }
        });
        if (shown.next >= shown.results.length && !shown.count) { showApart(); }
        return step();
      });
    }
    return step();
  }

  // No page has the words together: show those that have them apart, rather than nothing.
  function showApart() {
    shown.apart.forEach(function (item) { list.appendChild(item); });
    shown.count = shown.apart.length;
  }

  // Words only: Pagefind takes "kh-ubnd" as one word, which "606/KH-UBND" is not. It folds
  // the other marks itself; "đ" it leaves, and the tails hold "d". A filter is one more
  // word of the tails ("zznam2024"), not a Pagefind filter: see portal/search.py.
  function pagefindQuery(want) {
    var words = termsOf(want.query).map(function (term) { return term.text.replace(/đ/g, "d"); });
    return words.concat(filterWords(want)).join(" ");
  }

  function filterWords(want) {
    var words = [];
    if (want.type) { words.push(form.dataset.filterType + want.type); }
    if (want.year) { words.push(form.dataset.filterYear + want.year); }
    return words;
  }

  // A part of the index that has no page of the chosen type or year does not know the
  // filter's word, and Pagefind then answers for the other words alone: so each answer's
  // tail must hold the filter words.
  function hasFilters(content, words) {
    var tail = content.slice(content.lastIndexOf(TAIL_MARK) + 1).split(/\s+/);
    return words.every(function (word) { return tail.indexOf(word) !== -1; });
  }

  // What the messages say was searched for: the words, then the filters' names.
  function labelOf(want) {
    var parts = [want.query, want.type && form.loai.selectedOptions[0].text, want.year];
    return parts.filter(Boolean).join(", ");
  }

  function sameWant(one, two) {
    return one.query === two.query && one.type === two.type && one.year === two.year;
  }

  // Enter after a pause in typing: the search for these words is already done or under
  // way (started by the pause), so it is kept rather than started again.
  function searchUnlessUnderWay() {
    if (!lastWant || !sameWant(lastWant, wanted())) { search(); }
  }

  var lastWant = null;  // what the latest search was for

  function search() {
    var want = wanted();
    lastWant = want;
    var mine = ++run;
    remember(want);
    list.textContent = "";
    more.hidden = true;
    if (!want.query && !want.type && !want.year) {
      status.textContent = "";
      list.setAttribute("aria-busy", "false");
      return;
    }
    list.setAttribute("aria-busy", "true");
    status.textContent = form.dataset.loading;
    pagefind().then(function (loaded) {
      return loaded.search(pagefindQuery(want));
    }).then(function (found) {
      if (mine !== run) { return null; }
      shown = { results: (found && found.results) || [], next: 0, count: 0, apart: [],
                terms: termsOf(want.query), filters: filterWords(want),
                label: labelOf(want) };
      return showMore(mine);
    }).catch(function () {
      if (mine === run) { failed(); }
    });
  }

  function start() {
    var params = new URLSearchParams(location.search);
    form.q.value = params.get("q") || "";
    form.loai.value = params.get("loai") || "";
    form.nam.value = params.get("nam") || "";
    form.querySelector(".search-filters").hidden = false;
    if (form.q.value || form.loai.value || form.nam.value) { search(); }
  }

  function failed() {
    lastWant = null;  // Enter tries again
    status.textContent = form.dataset.failed;
    list.setAttribute("aria-busy", "false");
  }

  var pause = null;
  // Start fetching Pagefind when the citizen starts to type, not when the page opens.
  form.q.addEventListener("focus", function () { pagefind().catch(function () {}); }, { once: true });
  // While the citizen types, Pagefind fetches the parts of the index that hold the words
  // typed whole so far (a word on nearly every page is a large part), so that the search,
  // after a pause or Enter, finds them at hand. Not the unfinished word: each of its
  // beginnings could be another part, fetched for nothing.
  form.q.addEventListener("input", function () {
    clearTimeout(pause);
    pause = setTimeout(search, 250);
    var typed = form.q.value;
    var whole = /\s$/.test(typed) ? typed : typed.replace(/\S+$/, "");
    var words = pagefindQuery({ query: whole.trim() });
    if (words) {
      pagefind().then(function (loaded) { return loaded.preload(words); }).catch(function () {});
    }
  });
  form.loai.addEventListener("change", search);
  form.nam.addEventListener("change", search);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    clearTimeout(pause);
    searchUnlessUnderWay();
  });
  more.addEventListener("click", function () {
    if (shown) { list.setAttribute("aria-busy", "true"); showMore(run); }
  });
  start();
}());
