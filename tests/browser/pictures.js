// Which picture files a browser fetches for a page, on a given screen, in headless
// Chromium: what `srcset` and `sizes` make it choose, and what the page costs to load.
//
//   node pictures.js URL 'VIEWS_JSON'
//
// URL is the site's root (http://127.0.0.1:PORT/); VIEWS is a list of
//   {"label": "phone", "path": "/tin-tuc/x/", "width": 390, "height": 844, "scale": 1.75}
// Prints one JSON object, label -> {
//   "responses": {URL: bytes of its body},          every file the page loaded
//   "images": [{src, current, natural: [w, h], box: [w, h], loading, fetchpriority}],
//   "layout_shift": the page's cumulative layout shift until it settled }
// Exits 1 with {"error": …} on failure (a policy violation included: chromium.js).
"use strict";

const { launch } = require("./chromium");

async function view(browser, base, want) {
  const context = await browser.newContext({
    viewport: { width: want.width, height: want.height }, deviceScaleFactor: want.scale,
    isMobile: want.width < 600, hasTouch: want.width < 600 });
  await context.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const entry of list.getEntries()) { if (!entry.hadRecentInput) { window.__shift += entry.value; } }
    }).observe({ type: "layout-shift", buffered: true });
  });
  const page = await context.newPage();
  const responses = {};
  const pending = [];
  page.on("response", (response) => {
    pending.push(response.body().then((body) => { responses[response.url()] = body.length; }, () => {}));
  });
  await page.goto(new URL(want.path, base).href, { waitUntil: "networkidle" });
  await Promise.all(pending);
  const images = await page.$$eval("main img", (found) => found.map((img) => ({
    src: img.getAttribute("src"), current: img.currentSrc,
    natural: [img.naturalWidth, img.naturalHeight],
    box: [img.getBoundingClientRect().width, img.getBoundingClientRect().height],
    loading: img.getAttribute("loading"), fetchpriority: img.getAttribute("fetchpriority") })));
  const shift = await page.evaluate(() => window.__shift);
  await context.close();
  return { responses, images, layout_shift: shift };
}

async function main() {
  const [base, viewsText] = process.argv.slice(2);
  const browser = await launch();
  const seen = {};
  try {
    for (const want of JSON.parse(viewsText)) { seen[want.label] = await view(browser, base, want); }
  } finally {
    await browser.close();
  }
  return seen;
}

main().then((seen) => process.stdout.write(JSON.stringify(seen) + "\n"), (error) => {
  process.stdout.write(JSON.stringify({ error: String(error && error.stack || error) }) + "\n");
  process.exit(1);
});
