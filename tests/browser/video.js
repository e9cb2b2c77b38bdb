// Opens a built page with videos in headless Chromium and reports every request the page
// makes to a host other than the site's: before anyone presses play, and after the first
// YouTube poster is pressed. The machine has no network, so the driver answers those
// requests itself: the player's origin (youtube-nocookie.com) with a stub page, anything
// else with a refusal. The page must load the player without any policy violation
// (chromium.js fails on one), so the site's frame-src is tested too.
//
//   node video.js PAGE_URL
//
// Prints {"before": {...}, "after": {...}, "nojs": {...}}; exits 1 with {"error": …}.
"use strict";

const { launch } = require("./chromium");

const PLAYER_HOST = "www.youtube-nocookie.com";

async function read(page, foreign) {
  const seen = await page.evaluate(() => ({
    posters: Array.from(document.querySelectorAll("a.video-play")).map((a) => ({
      href: a.getAttribute("href"), id: a.getAttribute("data-youtube"), text: a.textContent.trim(),
      image: (a.querySelector("img") || {}).src || null,
    })),
    frames: Array.from(document.querySelectorAll("iframe")).map((f) => ({
      src: f.getAttribute("src"), title: f.getAttribute("title"), allow: f.getAttribute("allow"),
      focused: document.activeElement === f,
    })),
    videos: Array.from(document.querySelectorAll("video")).map((v) => ({
      src: v.getAttribute("src"), preload: v.getAttribute("preload"), controls: v.controls,
    })),
  }));
  return { ...seen, foreign: foreign.slice() };
}

async function open(browser, url, scripted) {
  const context = await browser.newContext({ javaScriptEnabled: scripted });
  const site = new URL(url).host;
  const foreign = [];
  context.on("request", (request) => {
    if (new URL(request.url()).host !== site) { foreign.push(request.url()); }
  });
  await context.route("**/*", (route) => {
    const host = new URL(route.request().url()).host;
    if (host === site) { return route.continue(); }
    if (host === PLAYER_HOST) {
      return route.fulfill({ status: 200, contentType: "text/html",
                             body: "<!DOCTYPE html><title>player</title><p>player</p>" });
    }
    return route.abort();
  });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: "load" });
  await page.waitForTimeout(500);  // anything lazy or deferred has had its chance
  return { context, page, foreign };
}

(async () => {
  const url = process.argv[2];
  const browser = await launch();
  try {
    const scripted = await open(browser, url, true);
    const before = await read(scripted.page, scripted.foreign);
    await scripted.page.click("a.video-play");
    await scripted.page.waitForSelector("iframe.video-frame");
    await scripted.page.frameLocator("iframe.video-frame").locator("p").waitFor();
    const after = await read(scripted.page, scripted.foreign);
    await scripted.context.close();

    const plain = await open(browser, url, false);
    const nojs = await read(plain.page, plain.foreign);
    await plain.context.close();
    console.log(JSON.stringify({ before, after, nojs }));
  } finally {
    await browser.close();
  }
})().catch((error) => { console.log(JSON.stringify({ error: String(error && error.stack || error) })); process.exit(1); });
