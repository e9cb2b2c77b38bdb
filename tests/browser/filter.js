// Drives the document filter form of a built portal in headless Chromium.
//
//   node filter.js URL 'ACTIONS_JSON'
//
// URL is the site's root (http://127.0.0.1:PORT/). ACTIONS is a list run in order:
//   {"goto": "/van-ban/?q=606", "javascript": true}  a new browser context at that path
//   {"fill": "ke hoach"}                             type into the words box
//   {"select": "loai", "value": "Kế hoạch"}          choose in a select (loai, nam, co-quan)
//   {"reset": true}                                  press the reset button
//   {"read": "label"}                                record what a citizen sees now
// After each change the driver waits until the page has settled: the static listing is
// hidden and a count shown exactly when some filter is set.
// Prints one JSON object, label -> reading; exits 1 with {"error": …} on failure
// (the loop is chromium.js's driveActions).
"use strict";

const { driveActions } = require("./chromium");
const WAIT_MS = 5000;

function settled() {
  const form = document.querySelector(".doc-filter");
  const listing = document.querySelector(".doc-listing");
  if (!form || form.hidden || !listing) { return false; }
  const active = ["q", "loai", "nam", "co-quan"].some((name) => form[name] && form[name].value);
  const count = form.querySelector(".doc-filter-count").textContent.trim();
  return listing.hidden === active && (count !== "") === active;
}

async function numbers(page, selector) {
  const rows = page.locator(selector);
  const found = [];
  for (let i = 0; i < await rows.count(); i++) {
    if (await rows.nth(i).isVisible()) {
      found.push({ number: (await rows.nth(i).textContent()).trim(),
                   href: await rows.nth(i).getAttribute("href") });
    }
  }
  return found;
}

async function visible(page, selector) {
  const found = page.locator(selector);
  return (await found.count()) > 0 && await found.first().isVisible();
}

async function read(page) {
  const form = page.locator("form.doc-filter");
  return {
    url: page.url(),
    form: await visible(page, "form.doc-filter"),
    listing: await visible(page, ".doc-listing"),
    results: await numbers(page, ".doc-filter-results .doc-number a"),
    listed: await numbers(page, ".doc-listing .doc-number a"),
    count: (await form.locator(".doc-filter-count").count())
      ? (await form.locator(".doc-filter-count").textContent()).trim() : "",
    words: (await form.locator("input[name=q]").count())
      ? await form.locator("input[name=q]").inputValue() : "",
    browse: await page.locator("nav.browse a").count(),
    text: await page.locator("main").innerText(),  // what is shown, not what is hidden
  };
}

async function act(page, action) {
  if (action.fill !== undefined) {
    await page.fill("form.doc-filter input[name=q]", action.fill);
  } else if (action.select !== undefined) {
    await page.selectOption(`form.doc-filter select[name="${action.select}"]`, action.value);
  } else if (action.reset) {
    await page.click("form.doc-filter button[type=reset]");
  } else {
    throw new Error("unknown action " + JSON.stringify(action));
  }
  return {};  // every change: wait until the page has settled
}

driveActions({ waitMs: WAIT_MS, act, read, settled });
