// Debian's Chromium, headless, driven by the judges' playwright-core: the one way every
// browser driver here starts it. The flags keep Chromium off this machine's closed
// network (background services) and working as root (no sandbox).
"use strict";

const path = require("path");
const JUDGES = process.env.JUDGES_HOME || "/opt/judges";
const { chromium } = require(process.env.PLAYWRIGHT_CORE ||
  path.join(JUDGES, "node", "node_modules", "playwright-core"));

const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];

function launch() {
  return chromium.launch({ executablePath: process.env.CHROMIUM || "/usr/bin/chromium", args: ARGS, headless: true });
}

module.exports = { launch };
