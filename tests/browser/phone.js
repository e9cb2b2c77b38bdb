// What a citizen sees of each page on the first screen, in headless Chromium: on a phone
// (390×844, device scale 3, a phone's user agent and touch), on a small phone (320 wide)
// and on a desktop (1366×768).
//
//   node phone.js URL 'PATHS_JSON'
//
// URL is the site's root (http://127.0.0.1:PORT/); PATHS is a list of site paths. Prints
// one JSON object:
//   {"pages": {PATH: {"phone": M, "small": M}},
//    "menu": {"phone_closed": …, "phone_opened": …, "desktop": …},
//    "late_scripts": {"/van-ban/": {"phone": CLS, "desktop": CLS}}}
// where M says where the page's first heading starts, where the 111 link is, how wide the
// page is and how much it shifted while loading; "menu" is read on the home page with
// JavaScript off. With SCREENSHOTS=DIR in the environment it also saves each first screen
// there as a PNG, the desktop's too (M under "desktop").
// Exits 1 with {"error": …} on failure (a policy violation included: chromium.js).
"use strict";

const fs = require("fs");
const path = require("path");
const { launch } = require("./chromium");

const ANDROID = "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) " +
  "Chrome/126.0.0.0 Mobile Safari/537.36";
const LATE_MS = 400;
const PROFILES = {
  phone: { viewport: { width: 390, height: 844 }, deviceScaleFactor: 3, isMobile: true, hasTouch: true, userAgent: ANDROID },
  small: { viewport: { width: 320, height: 640 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, userAgent: ANDROID },
  desktop: { viewport: { width: 1366, height: 768 } },
};

// Runs in the page: the numbers a test holds the first screen to.
function measure() {
  const box = (element) => {
    if (!element) { return null; }
    const rect = element.getBoundingClientRect();
    const style = getComputedStyle(element);
    return { top: rect.top + window.scrollY, bottom: rect.bottom + window.scrollY, left: rect.left,
             right: rect.right, shown: rect.width > 0 && rect.height > 0 && style.visibility !== "hidden" };
  };
  const heading = document.querySelector("main h1");
  const menuLink = document.querySelector(".main-menu a");
  return {
    h1: box(heading),
    h1_text: heading ? heading.textContent.trim() : "",
    hotline: box(document.querySelector('.hotline-bar a[href^="tel:111"]')),
    search: box(document.querySelector(".site-search input")),
    menu_link: box(menuLink),
    scroll_width: document.documentElement.scrollWidth,
    layout_shift: window.__layoutShift,
    viewport_width: window.innerWidth,
    viewport_height: window.innerHeight,
  };
}

// Runs in the page before its own scripts: the layout shift score (CLS) as Chromium
// reports it, shifts right after a citizen's input left out, as Lighthouse does.
function watchShifts() {
  window.__layoutShift = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (!entry.hadRecentInput) { window.__layoutShift += entry.value; }
    }
  }).observe({ type: "layout-shift", buffered: true });
}

async function firstScreens(browser, base, paths, shots) {
  const pages = {};
  // The desktop's first screens only for screenshots (to compare with the theme before).
  for (const name of shots ? ["phone", "small", "desktop"] : ["phone", "small"]) {
    const context = await browser.newContext(PROFILES[name]);
    await context.addInitScript(watchShifts);
    const page = await context.newPage();
    for (const where of paths) {
      await page.goto(new URL(where.replace(/^\//, ""), base).href, { waitUntil: "load" });
      // Two frames after the load: the scripts have run and their shifts are reported.
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      pages[where] = pages[where] || {};
      pages[where][name] = await page.evaluate(measure);
      if (shots) {
        const file = `${name}-${where.replace(/[^a-z0-9]+/gi, "_") || "home"}.png`;
        await page.screenshot({ path: path.join(shots, file) });
      }
    }
    await context.close();
  }
  return pages;
}

// The layout shift of `where` when its scripts arrive late, as on a slow phone network:
// each of the theme's scripts is held back until the page has been painted.
async function shiftWithLateScripts(browser, base, where) {
  const shift = {};
  for (const name of ["phone", "desktop"]) {
    const context = await browser.newContext(PROFILES[name]);
    await context.addInitScript(watchShifts);
    await context.route(/\/assets\/[^/]+\.js$/, (route) => setTimeout(() => route.continue(), LATE_MS));
    const page = await context.newPage();
    await page.goto(new URL(where.replace(/^\//, ""), base).href, { waitUntil: "load" });
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
    shift[name] = await page.evaluate(() => window.__layoutShift);
    await context.close();
  }
  return shift;
}

// What the Tab key reaches first, in order: each element's tag and class (or name).
async function focusOrder(page, steps) {
  const reached = [];
  for (let step = 0; step < steps; step++) {
    await page.keyboard.press("Tab");
    reached.push(await page.evaluate(() => {
      const element = document.activeElement;
      return `${element.tagName.toLowerCase()}.${element.className || element.getAttribute("name") || ""}`;
    }));
  }
  return reached;
}

// The menu without JavaScript: closed on a phone until its summary is clicked; open on a
// desktop without a click.
async function menuWithoutScript(browser, base) {
  const menu = {};
  const phone = await browser.newContext({ ...PROFILES.phone, javaScriptEnabled: false });
  let page = await phone.newPage();
  await page.goto(base, { waitUntil: "load" });
  const summary = page.locator(".site-header summary");
  menu.summary = (await summary.count()) ? {
    text: (await summary.innerText()).trim(),
    shown: await summary.isVisible(),
  } : null;
  menu.phone_closed = await page.locator(".main-menu a").first().isVisible();
  menu.focus_order = await focusOrder(page, 7);
  if (menu.summary && menu.summary.shown) { await summary.click(); }
  menu.phone_opened = await page.locator(".main-menu a").first().isVisible();
  menu.phone_links = await page.locator(".main-menu a:visible").count();
  await phone.close();
  const desktop = await browser.newContext({ ...PROFILES.desktop, javaScriptEnabled: false });
  page = await desktop.newPage();
  await page.goto(base, { waitUntil: "load" });
  menu.desktop = await page.locator(".main-menu a").first().isVisible();
  menu.desktop_links = await page.locator(".main-menu a:visible").count();
  menu.desktop_summary_shown = (await page.locator(".site-header summary").count())
    ? await page.locator(".site-header summary").isVisible() : false;
  await desktop.close();
  return menu;
}

async function main() {
  const [base, pathsText] = process.argv.slice(2);
  const shots = process.env.SCREENSHOTS || "";
  if (shots) { fs.mkdirSync(shots, { recursive: true }); }
  const browser = await launch();
  try {
    return { pages: await firstScreens(browser, base, JSON.parse(pathsText), shots),
             menu: await menuWithoutScript(browser, base),
             late_scripts: { "/van-ban/": await shiftWithLateScripts(browser, base, "/van-ban/") } };
  } finally {
    await browser.close();
  }
}

main().then((readings) => {
  process.stdout.write(JSON.stringify(readings) + "\n");
}, (error) => {
  process.stdout.write(JSON.stringify({ error: String(error && error.stack || error) }) + "\n");
  process.exit(1);
});
