// Watches a page served by `build.py serve` in headless Chromium, step by step as the
// test edits the site:
//
//   node live_reload.js URL
//
// Prints "loaded" once the page is open and its live-reload stream connected, then for
// each line read on stdin:
//   text WORDS     waits until the page (reloaded by the server) shows WORDS
//   overlay        waits until the error overlay is shown
// and prints one JSON line: {"reloaded": bool, "overlay": text or null, "main": text}.
"use strict";

const readline = require("readline");
const { launch } = require("./chromium");
const WAIT_MS = 30000;

async function reading(page) {
  return page.evaluate(() => {
    const overlay = document.getElementById("portal-serve-overlay");
    return {
      reloaded: window.__sameDocument !== true,
      overlay: overlay ? overlay.textContent : null,
      main: document.querySelector("main").textContent,
    };
  });
}

async function main() {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    await page.goto(process.argv[2]);
    await page.waitForLoadState("networkidle").catch(() => {});  // the stream never idles
    await page.waitForFunction(() => document.querySelector('script[src="/__portal/reload.js"]'));
    await page.evaluate(() => { window.__sameDocument = true; });
    console.log("loaded");
    for await (const line of readline.createInterface({ input: process.stdin })) {
      const [step, ...words] = line.split(" ");
      if (step === "text") {
        await page.waitForFunction((text) => document.body && document.body.textContent.includes(text),
          words.join(" "), { timeout: WAIT_MS });
      } else if (step === "overlay") {
        await page.waitForSelector("#portal-serve-overlay", { timeout: WAIT_MS });
      }
      console.log(JSON.stringify(await reading(page)));
      await page.evaluate(() => { window.__sameDocument = true; });
    }
  } finally {
    await browser.close();
  }
}

main().catch((error) => { console.log(JSON.stringify({ error: String(error) })); process.exit(1); });
