// The web editor at /admin/ (Decap CMS) in Chromium, as an editor uses it: log in to the
// local proxy (decap-server), fill each form, upload a picture or an attachment through
// the media library, publish; tests/test_cms_browser.py then reads the files the proxy
// wrote and builds them.
//
//   node cms.js SITE_URL 'PLAN_JSON'
//
// PLAN: {cdn, script, words: {login, publish, publish_now, choose_selected}, items: [
//   {collection, steps: [{fill|choose|type|add|upload, ...}]}]}
// CI reaches no CDN: the pinned file /admin/ names (`cdn`) is answered from the npm copy
// (`script`), and the browser checks it against the page's integrity hash. Every other
// address off this machine is refused and reported. chromium.js fails the run on any
// Content-Security-Policy violation, so a pass also proves /admin/'s own policy is enough.
// Prints {saved: [entry URLs], outside: [...], errors: [...], preview_styles: [...]}.
"use strict";

const { launch } = require("./chromium");

const WAIT_MS = 30000;

async function main() {
  const [base, planText] = process.argv.slice(2);
  const plan = JSON.parse(planText);
  const browser = await launch();
  const report = { saved: [], outside: [], errors: [], preview_styles: [] };
  try {
    const context = await browser.newContext();
    await context.route((url) => url.hostname !== "127.0.0.1" && url.href !== plan.cdn, (route) => {
      report.outside.push(route.request().url());
      return route.abort();
    });
    await context.route(plan.cdn, (route) => route.fulfill({
      path: plan.script, contentType: "text/javascript; charset=utf-8",
      headers: { "access-control-allow-origin": "*" },
    }));
    const page = await context.newPage();
    page.setDefaultTimeout(WAIT_MS);
    page.on("pageerror", (error) => report.errors.push(String(error)));
    await page.goto(new URL("admin/", base).href, { waitUntil: "load" });
    await page.getByRole("button", { name: plan.words.login }).click();
    for (const item of plan.items) {
      await page.goto(new URL(`admin/#/collections/${item.collection}/new`, base).href);
      await field(page, item.steps[0].field).waitFor();
      for (const step of item.steps) {
        await act(page, step, plan.words);
      }
      report.preview_styles.push(...await previewStyles(page));
      await publish(page, plan.words);
      report.saved.push(page.url());
    }
  } finally {
    await browser.close();
  }
  return report;
}

function field(page, name) {
  // Decap names each control `<field>-field-<n>`; a list item's fields come last.
  return page.locator(`[id^="${name}-field-"]`).last();
}

async function act(page, step, words) {
  if (step.fill !== undefined) {
    await field(page, step.field).fill(step.fill);
  } else if (step.choose !== undefined) {  // a select or a relation: type, then pick
    await field(page, step.field).fill(step.choose);
    await page.locator('[class*="option"]').filter({ hasText: step.option || step.choose }).first().click();
  } else if (step.type !== undefined) {  // the Markdown editor of the body
    await page.locator('[data-slate-editor="true"]').last().click();
    await page.keyboard.type(step.type);
  } else if (step.add !== undefined) {  // a new item of a list
    await page.getByRole("button", { name: new RegExp(step.add, "i") }).click();
  } else if (step.upload !== undefined) {  // the media library: upload, then choose it
    await page.getByRole("button", { name: step.button }).last().click();
    await page.locator('input[type="file"]').setInputFiles(step.upload);
    await page.getByText(step.upload.split("/").pop(), { exact: true }).first().waitFor();
    await page.getByRole("button", { name: words.choose_selected }).click();
  }
}

async function previewStyles(page) {
  // The preview pane is a frame of Decap's; its stylesheets are the ones registered.
  const frame = page.frameLocator("iframe").first();
  return frame.locator('link[rel="stylesheet"]').evaluateAll(
    (links) => links.map((link) => link.getAttribute("href")));
}

async function publish(page, words) {
  await page.getByRole("button", { name: words.publish, exact: true }).click();
  await page.getByText(words.publish_now, { exact: true }).click();
  // A new entry, once written, is reopened at its own address.
  await page.waitForURL(/\/entries\//, { timeout: WAIT_MS });
}

main().then((report) => {
  process.stdout.write(JSON.stringify(report) + "\n");
}, (error) => {
  process.stdout.write(JSON.stringify({ error: String(error && error.stack || error) }) + "\n");
  process.exit(1);
});
