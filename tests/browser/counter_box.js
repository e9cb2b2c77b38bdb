// Opens a built page of a portal with GoatCounter's "Lượt xem" box in headless Chromium.
// The machine has no network, so the driver is GoatCounter: it answers count.js with an
// empty script and each /counter/<path>.json with what ANSWERS says for that path
// (a missing path: 404), and refuses every other host.
//
//   node counter_box.js PAGE_URL 'ANSWERS_JSON' [nojs]
//
// ANSWERS: {"<path as the browser asks it, decoded>": [status, body], …}.
// Prints {"box": {hidden, rows}, "requests": [urls to other hosts]}; exits 1 with {"error": …}.
"use strict";

const { launch } = require("./chromium");

(async () => {
  const [url, answersText, mode] = process.argv.slice(2);
  const answers = JSON.parse(answersText);
  const browser = await launch();
  try {
    const context = await browser.newContext({ javaScriptEnabled: mode !== "nojs" });
    const site = new URL(url).host;
    const requests = [];
    await context.route("**/*", (route) => {
      const asked = new URL(route.request().url());
      if (asked.host === site) { return route.continue(); }
      requests.push(asked.href);
      if (!asked.host.endsWith(".goatcounter.com")) { return route.abort(); }
      const cors = { "Access-Control-Allow-Origin": "*" };
      if (asked.pathname === "/count.js") {
        return route.fulfill({ status: 200, contentType: "text/javascript", body: "", headers: cors });
      }
      const counted = decodeURIComponent(asked.pathname.replace(/^\/counter\//, "").replace(/\.json$/, ""));
      const [status, body] = answers[counted] || [404, "{\"error\": \"not found\"}"];
      return route.fulfill({ status, contentType: "application/json", body, headers: cors });
    });
    const page = await context.newPage();
    await page.goto(url, { waitUntil: "load" });
    await page.waitForTimeout(800);  // the counts have had their chance to come
    const box = await page.evaluate(() => {
      const section = document.querySelector(".box-counter");
      if (!section) { return null; }
      const rows = {};
      section.querySelectorAll("[data-count]").forEach((row) => {
        rows[row.getAttribute("data-count")] = { hidden: row.hidden, text: row.innerText.trim() };
      });
      return { hidden: section.hidden, visible: section.offsetParent !== null, rows };
    });
    console.log(JSON.stringify({ box, requests }));
  } finally {
    await browser.close();
  }
})().catch((error) => { console.log(JSON.stringify({ error: String(error && error.stack || error) })); process.exit(1); });
