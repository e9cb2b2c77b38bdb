// Drives the search page of a built portal in headless Chromium.
//
//   node search.js URL 'ACTIONS_JSON'
//
// URL is the site's root (http://127.0.0.1:PORT/). ACTIONS is a list run in order:
//   {"goto": "/tim-kiem/?q=606", "javascript": true}  a new browser context at that path
//   {"search": "bao ve tre em"}                         type into the search page's box
//   {"submit": "bao ve tre em"}                         the same, then press Enter (no typing pause)
//   {"type": "bao ve tre em"}                           type key by key as a citizen does (a key
//                                                       each 150 ms), then press Enter
//   {"header": "duoi nuoc"}                             type into the header's box and press Enter
//   {"select": "loai", "value": "document"}             choose a filter (loai, nam)
//   {"more": true}                                      press "more results" until it is gone
//   {"read": "label"}                                   record what a citizen sees now
// After each change the driver waits until the search has settled: the address holds
// the query and the results are not busy. Each reading also tells the bytes the page
// downloaded since the last goto (Pagefind's files apart) and how long the step took
// (for "submit" and "type": from Enter to the results).
// Prints one JSON object, label -> reading; exits 1 with {"error": …} on failure
// (the loop is chromium.js's driveActions).
"use strict";

const { driveActions } = require("./chromium");
const WAIT_MS = 15000;

function settled(want) {
  const form = document.querySelector("form.search-page");
  const list = document.querySelector(".search-results");
  if (!form || !list || list.getAttribute("aria-busy") === "true") { return false; }
  if (form.querySelector(".search-filters").hidden && !document.querySelector(".search-status").textContent) {
    return false;  // Pagefind not loaded yet
  }
  const params = new URLSearchParams(location.search);
  return Object.keys(want).every((name) => (params.get(name) || "") === want[name]);
}

async function results(page) {
  return page.$$eval(".search-results .search-result", (items) => items.map((item) => ({
    title: item.querySelector("h2 a").textContent,
    href: item.querySelector("h2 a").getAttribute("href"),
    meta: item.querySelector(".meta").textContent,
    excerpt: item.querySelector(".search-excerpt").textContent,
    marks: Array.from(item.querySelectorAll(".search-excerpt mark"), (mark) => mark.textContent),
  })));
}

async function read(page, traffic, started) {
  const visible = async (selector) => (await page.locator(selector).count()) > 0 &&
    await page.locator(selector).first().isVisible();
  return {
    url: page.url(),
    status: (await page.locator(".search-status").count())
      ? (await page.locator(".search-status").textContent()).trim() : "",
    results: (await page.locator(".search-results").count()) ? await results(page) : [],
    more: await visible(".search-more"),
    filters: await visible(".search-filters"),
    years: await page.$$eval("#search-year option", (options) => options.map((o) => o.value).filter(Boolean)),
    text: await page.locator("main").innerText(),
    scripts: await page.$$eval("script[src]", (scripts) => scripts.map((s) => s.getAttribute("src"))),
    pagefindBytes: traffic.filter((r) => r.url.includes("/pagefind/")).reduce((sum, r) => sum + r.bytes, 0),
    pagefindFiles: traffic.filter((r) => r.url.includes("/pagefind/")).map((r) => r.url.split("/pagefind/")[1]),
    otherBytes: traffic.filter((r) => !r.url.includes("/pagefind/")).reduce((sum, r) => sum + r.bytes, 0),
    ms: Date.now() - started,
  };
}

function wanted(page, changes) {
  const params = new URL(page.url()).searchParams;
  const want = { q: params.get("q") || "", loai: params.get("loai") || "", nam: params.get("nam") || "" };
  return Object.assign(want, changes);
}

function opened(page, state) {
  state.traffic = [];
  page.on("response", async (response) => {
    const sizes = await response.request().sizes().catch(() => null);
    state.traffic.push({ url: response.url(), bytes: sizes ? sizes.responseBodySize : 0 });
  });
}

function arrived(page) {
  return page.url().includes("/tim-kiem/") ? {} : null;
}

async function act(page, action, state) {
  if (action.type !== undefined) {
    await page.click("#search-q");
    await page.type("#search-q", action.type, { delay: 150 });
    state.started = Date.now();
    await page.press("#search-q", "Enter");
    return wanted(page, { q: action.type.trim() });
  }
  if (action.search !== undefined || action.submit !== undefined) {
    const words = action.search !== undefined ? action.search : action.submit;
    await page.fill("#search-q", words);
    if (action.submit !== undefined) {
      state.started = Date.now();
      await page.press("#search-q", "Enter");
    }
    return wanted(page, { q: words.trim() });
  }
  if (action.header !== undefined) {
    await page.fill("#site-search-q", action.header);
    await Promise.all([page.waitForNavigation(), page.press("#site-search-q", "Enter")]);
    return { q: action.header.trim() };
  }
  if (action.select !== undefined) {
    await page.selectOption(`#search-${action.select === "loai" ? "type" : "year"}`, action.value);
    return wanted(page, { [action.select]: action.value });
  }
  if (action.more) {
    while (await page.locator(".search-more").isVisible()) {
      await page.click(".search-more");
      await page.waitForFunction(settled, {}, { timeout: WAIT_MS });
    }
    return null;
  }
  throw new Error("unknown action " + JSON.stringify(action));
}

driveActions({
  waitMs: WAIT_MS, opened, arrived, act, settled,
  read: (page, state) => read(page, state.traffic, state.started),
});
