// Debian's Chromium, headless, driven by the judges' playwright-core: the one way every
// browser driver here starts it. The flags keep Chromium off this machine's closed
// network (background services) and working as root (no sandbox).
//
// Every page a driver opens fails it at once on a Content-Security-Policy violation (and
// on a Permissions-Policy the browser cannot read): it prints {"error": …} and exits 1.
// So the browser tests that pass also prove that the theme's scripts, Pagefind's worker
// and WebAssembly and serve's live reload all run under the site's policy.
"use strict";

const path = require("path");
const JUDGES = process.env.JUDGES_HOME || "/opt/judges";
const { chromium } = require(process.env.PLAYWRIGHT_CORE ||
  path.join(JUDGES, "node", "node_modules", "playwright-core"));

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];
// Chromium's own console line for a violation ("Refused to … because it violates the
// following Content Security Policy directive …", "… is ignored when delivered via a
// <meta> element"), a bad Permissions-Policy, and the event reported by the init script.
const POLICY_PROBLEM = /Content Security Policy|Permissions-Policy|securitypolicyviolation/i;

async function launch() {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ARGS, headless: true });
  // Playwright has no "context created" event: every context the drivers make comes
  // from here, and browser.newPage goes through it too.
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => watchPolicy(await newContext(options));
  browser.newPage = async (options) => (await browser.newContext(options)).newPage();
  return browser;
}

async function watchPolicy(context) {
  const check = (where) => (message) => {
    if (POLICY_PROBLEM.test(message.text())) { fail(`${where}: ${message.text()}`); }
  };
  context.on("console", check("page"));
  context.on("page", (page) => page.on("worker", (worker) => worker.on("console", check("worker"))));
  // The event too, with what was blocked: Chromium may not log every violation.
  await context.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (event) => {
      console.error(`securitypolicyviolation: ${event.effectiveDirective} blocked ` +
        `${event.blockedURI || "inline"} (${event.sourceFile}:${event.lineNumber})`);
    });
  });
  return context;
}

function fail(problem) {
  // At once, before the driver prints anything else; Playwright kills the browser on exit.
  process.stdout.write(JSON.stringify({ error: `policy violation in the browser: ${problem}` }) + "\n");
  process.exit(1);
}

module.exports = { launch };
