// Opens a built page in headless Chromium and reports what the weather box shows once
// the live script (weather.live: true) has had its chance to refresh it.
//
//   node weather.js PAGE_URL
//
// Prints {"places": {name: text}, "stamp": text, "errors": [page errors]}.
"use strict";

const { launch } = require("./chromium");

(async () => {
  const browser = await launch();
  try {
    const page = await browser.newPage();
    const errors = [];
    page.on("pageerror", (error) => errors.push(String(error)));
    const answered = page.waitForResponse((r) => r.url().includes("/v1/forecast"), { timeout: 8000 })
      .catch(() => null);
    await page.goto(process.argv[2], { waitUntil: "load" });
    await answered;
    await page.waitForTimeout(300);  // the script fills the box after the answer
    const seen = await page.evaluate(() => {
      const places = {};
      document.querySelectorAll(".box-weather .wx").forEach((li) => {
        places[li.dataset.name] = li.className + " | " + li.textContent.replace(/\s+/g, " ").trim() +
          " | " + Array.from(li.querySelectorAll("img")).map((img) => img.alt + " " + img.complete).join(",");
      });
      const stamp = document.querySelector(".box-weather .wx-stamp");
      return { places, stamp: stamp ? stamp.textContent : null };
    });
    console.log(JSON.stringify({ ...seen, errors }));
  } finally {
    await browser.close();
  }
})().catch((error) => { console.log(JSON.stringify({ error: String(error) })); process.exit(1); });
