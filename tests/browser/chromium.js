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

// The loop of the drivers that take a list of actions (filter.js, search.js):
//
//   node DRIVER URL 'ACTIONS_JSON'
//
// URL is the site's root (http://127.0.0.1:PORT/). Two actions are the loop's own:
//   {"goto": PATH, "javascript": bool}  a new browser context at that path (JavaScript on
//                                       unless false)
//   {"read": LABEL}                     records driver.read(page, state) under LABEL
// and every other one is the driver's: driver.act(page, action, state). What `act`
// returns (and, after a goto, driver.arrived(page)) is what the page must show before
// the next action: with JavaScript on, the loop waits until driver.settled(want) holds
// in the page (at most driver.waitMs); null or undefined: no wait. `state.started` is
// when the action began (an action may move it); driver.opened(page, state), if given,
// runs on each new page before it loads.
// Prints one JSON object, label -> reading; exits 1 with {"error": …} on failure.
function driveActions(driver) {
  const [base, actionsText] = process.argv.slice(2);
  runActions(base, actionsText, driver).then((readings) => {
    process.stdout.write(JSON.stringify(readings) + "\n");
  }, (error) => {
    process.stdout.write(JSON.stringify({ error: String(error && error.stack || error) }) + "\n");
    process.exit(1);
  });
}

async function runActions(base, actionsText, driver) {
  const actions = JSON.parse(actionsText);
  const browser = await launch();
  const readings = {};
  const state = { context: null, page: null, scripted: true, started: Date.now() };
  try {
    for (const action of actions) {
      if (action.read !== undefined) {
        readings[action.read] = await driver.read(state.page, state);
        continue;
      }
      state.started = Date.now();
      const want = action.goto !== undefined
        ? await open(browser, state, new URL(action.goto, base).href, action.javascript !== false, driver)
        : await driver.act(state.page, action, state);
      if (state.scripted && want) {
        await state.page.waitForFunction(driver.settled, want, { timeout: driver.waitMs });
      }
    }
  } finally {
    await browser.close();
  }
  return readings;
}

async function open(browser, state, url, scripted, driver) {
  if (state.context) { await state.context.close(); }
  state.scripted = scripted;
  state.context = await browser.newContext({ javaScriptEnabled: scripted });
  state.page = await state.context.newPage();
  state.page.setDefaultTimeout(driver.waitMs);
  if (driver.opened) { driver.opened(state.page, state); }
  await state.page.goto(url, { waitUntil: "load" });
  return driver.arrived ? driver.arrived(state.page) : {};
}

module.exports = { launch, driveActions };
