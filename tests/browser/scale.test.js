// Filters and search on a programme of 1,200 talks (built by tests/browser.rs):
// every query shows exactly the talks search.json says match, and the time
// each keystroke takes (script, style and layout) is printed, not asserted.
"use strict";
const { chromium } = require("playwright-core");
const assert = require("node:assert/strict");

const BASE = process.env.BASE_URL;
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const fold = (s) => s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();

async function main() {
  const context = await chromium.launchPersistentContext(process.env.USER_DATA_DIR, {
    executablePath: process.env.CHROMIUM, headless: true, args: FLAGS, serviceWorkers: "block",
  });
  context.setDefaultTimeout(60000);
  const page = context.pages()[0] || (await context.newPage());
  const ix = await (await fetch(BASE + "search.json")).json();
  assert.equal(ix.talks.length, 1200);

  const t0 = Date.now();
  await page.goto(BASE + "index.html");
  await page.locator("form.filters").waitFor();
  console.log(`page loaded with its tools in ${Date.now() - t0} ms (${ix.talks.length} talks)`);

  const queries = ["c", "ci", "civ", "civic", "civic d", "civic data", "zurich", "CAFE naive", "façade",
    "speaker 12", "no such thing", ""];
  const timings = [];
  for (const text of queries) {
    const words = fold(text).split(/\s+/).filter(Boolean);
    const want = ix.talks.filter((t) => {
      const h = fold([t.title, t.speakers.join(" "), t.abstract].join(" "));
      return words.every((w) => h.includes(w));
    }).map((t) => t.slug).sort();
    const [script, ms, slugs] = await page.evaluate((value) => {
      const q = document.getElementById("f-q");
      const start = performance.now();
      q.value = value;
      q.dispatchEvent(new Event("input", { bubbles: true }));
      const script = performance.now() - start;
      void document.body.offsetHeight; // style and layout included
      const ms = performance.now() - start;
      const slugs = [...document.querySelectorAll("main td[data-slug]")]
        .filter((e) => !e.classList.contains("f-out")).map((e) => e.dataset.slug);
      return [script, ms, slugs];
    }, text);
    const shown = [...new Set(slugs)].sort();
    assert.deepEqual(shown, want, `query "${text}"`);
    timings.push(ms);
    console.log(`search "${text}": ${shown.length} talks shown in ${ms.toFixed(1)} ms ` +
      `(script ${script.toFixed(1)} ms, then style and layout)`);
  }
  const track = await page.evaluate(() => {
    const s = document.getElementById("f-track");
    const start = performance.now();
    s.value = "beta";
    s.dispatchEvent(new Event("change", { bubbles: true }));
    void document.body.offsetHeight;
    return [performance.now() - start, document.querySelectorAll("main td[data-slug]:not(.f-out)").length];
  });
  assert.equal(track[1], ix.talks.filter((t) => t.track === "beta").length);
  console.log(`filter by track: ${track[1]} talks shown, ${track[0].toFixed(1)} ms`);
  timings.sort((a, b) => a - b);
  console.log(`search keystrokes on 1,200 talks: median ${timings[timings.length >> 1].toFixed(1)} ms, ` +
    `max ${timings[timings.length - 1].toFixed(1)} ms`);
  await context.close();
}

main().then(() => console.log("scale checks passed"), (e) => {
  console.error(e && e.stack || e);
  process.exit(1);
});
