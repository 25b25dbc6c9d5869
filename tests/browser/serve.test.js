// Drives Debian's Chromium against `programme serve` (started by
// tests/serve.rs on a copy of the example, SITE_ROOT) the way an organiser
// works: a page open and scrolled, a talk edited and saved (the tab reloads
// and keeps its scroll position), a typo (the error overlay over the last good
// page, naming the file and line), the fix (the overlay goes, the new page
// shows). Exits non-zero on the first failed check.
"use strict";
const { chromium } = require("playwright-core");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const BASE = process.env.BASE_URL; // http://127.0.0.1:PORT/
const TALK = path.join(process.env.SITE_ROOT, "content/talks/welcome.md");
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const step = (s) => console.log("- " + s);

// Saves like an editor that writes a temporary file and renames it over.
function save(text) {
  const tmp = TALK + ".tmp";
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, TALK);
}

async function until(page, check, what) {
  for (let i = 0; i < 360; i++) {
    try {
      if (await page.evaluate(check)) return;
    } catch (e) {
      // The page is reloading: ask again.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail("timed out waiting: " + what);
}

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: FLAGS,
  });
  const page = await browser.newPage({ viewport: { width: 800, height: 500 } });
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  const good = fs.readFileSync(TALK, "utf8");

  await page.goto(BASE + "index.html");
  await until(page, () => document.body.innerText.includes("Welcome"), "the programme");
  // The site's own scripts add to the page once search.json has arrived;
  // scrolled before that, the browser would move the page along with them.
  await page.waitForLoadState("networkidle");
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  assert.ok(height > 1500, "the programme page is long enough to scroll: " + height);
  await page.evaluate(() => window.scrollTo(0, 900));
  await page.waitForTimeout(300);
  const before = await page.evaluate(() => window.scrollY);
  assert.ok(before > 800, "scrolled: " + before);
  // Chromium restores the scroll position of a reload by itself; turn that
  // off so that only the live-reload script can have kept it.
  await page.evaluate(() => { window.__notReloaded = true; history.scrollRestoration = "manual"; });

  save(good.replace("title: Welcome", "title: Welcome to the live preview"));
  await until(page, () => !window.__notReloaded
    && document.body.innerText.includes("Welcome to the live preview"), "the reload with the new title");
  await until(page, () => document.readyState === "complete", "the reloaded page");
  await page.waitForTimeout(300);
  const after = await page.evaluate(() => window.scrollY);
  assert.ok(Math.abs(after - before) < 5, `scroll kept across the reload: ${before} then ${after}`);
  step(`edit: the tab reloaded with the new title and kept its scroll position (${after}px)`);

  await page.evaluate(() => { window.__notReloaded = true; });
  save(good.replace("title: Welcome", "title: [Welcome"));
  await until(page, () => !!document.getElementById("programme-error-overlay"), "the error overlay");
  const overlay = await page.$eval("#programme-error-overlay", (e) => e.innerText);
  assert.match(overlay, /Build failed: 1 error/);
  assert.match(overlay, /content\/talks\/welcome\.md:\d+/);
  assert.ok(await page.evaluate(() => window.__notReloaded), "no reload on a failed build");
  assert.ok(await page.evaluate(() => document.querySelector("main").innerText.includes("Welcome to the live preview")),
    "the last good page stays under the overlay");
  step("typo: the overlay names the file and line over the last good page");

  // A tab opened while the build is broken shows the overlay at once.
  const second = await browser.newPage();
  await second.goto(BASE + "talks/welcome/");
  await until(second, () => !!document.getElementById("programme-error-overlay"), "the overlay in a new tab");
  step("a tab opened while broken shows the overlay too");

  save(good.replace("title: Welcome", "title: Welcome, fixed"));
  for (const p of [page, second]) {
    await until(p, () => document.readyState === "complete"
      && !document.getElementById("programme-error-overlay")
      && document.body.innerText.includes("Welcome, fixed"), "the fixed page without the overlay");
  }
  step("fix: every tab reloads without the overlay");

  assert.deepEqual(errors, [], "no script errors");
  await browser.close();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
