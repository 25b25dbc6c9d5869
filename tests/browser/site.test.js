// Drives Debian's Chromium through the built example (served by
// tests/browser.rs under a sub-path) the way an attendee would: now and
// next, filters, search, stars, my programme with its .ics and share link,
// the time-zone toggle, offline through the service worker, a rebuilt site
// picked up, and axe-core on the programme, a talk, a speaker and my
// programme. Exits non-zero on the first failed check.
"use strict";
const { chromium } = require("playwright-core");
const assert = require("node:assert/strict");

const BASE = process.env.BASE_URL; // http://127.0.0.1:PORT/tictec2017/
const CONTROL = process.env.CONTROL_URL;
const ANCHOR = "the-impacts-of-civic-tech-on-the-people-who-make-it";
const KEYNOTE = "uncivic-tech";
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync"];

const step = (s) => console.log("- " + s);
const control = async (what) => {
  const r = await fetch(CONTROL + "__control/" + what);
  assert.ok(r.ok, what);
};

// The slugs of the talks a page shows (not hidden by the filters).
const visible = (page) => page.$$eval("main [data-slug]", (els) => els
  .filter((e) => !e.hidden && !e.classList.contains("f-out") && e.offsetParent !== null)
  .map((e) => e.dataset.slug));

// Polls an async check in the page until it holds (60 s at most).
async function until(page, check, what, arg) {
  for (let i = 0; i < 240; i++) {
    if (await page.evaluate(check, arg)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  assert.fail("timed out waiting: " + what);
}

async function axe(page, what) {
  await page.addScriptTag({ path: require.resolve("axe-core/axe.min.js") });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(bad.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(" ")).join("; ")}`), [],
    `axe on ${what}`);
  step(`axe: no serious or critical violation on ${what} (${result.violations.length} minor)`);
}

async function main() {
  const context = await chromium.launchPersistentContext(process.env.USER_DATA_DIR, {
    executablePath: process.env.CHROMIUM,
    headless: true,
    args: FLAGS,
    timezoneId: "America/New_York",
    locale: "en-US",
    acceptDownloads: true,
    serviceWorkers: "allow",
  });
  context.setDefaultTimeout(30000);
  const errors = [];
  const page = context.pages()[0] || (await context.newPage());
  page.on("pageerror", (e) => errors.push(e.message));

  // 1. Now and next, following a pretended clock: 12:20 in Florence on 26 April.
  await page.goto(BASE + "index.html?now=2017-04-26T10:20:00Z");
  const now = page.locator(".now-next");
  await now.waitFor({ state: "visible" });
  const room4 = now.locator("tr", { has: page.locator("th", { hasText: "Room 4" }) });
  assert.match(await room4.locator("td").nth(0).innerText(), /The impacts of Civic Tech/);
  assert.ok(await page.locator(`td.is-now[data-slug="${ANCHOR}"]`).count() >= 1, "the running talk is marked");
  await now.getByRole("button", { name: "Jump to now" }).click();
  const focused = await page.evaluate(() => document.activeElement.closest("[data-slug]")?.dataset.slug);
  assert.equal(focused, ANCHOR, "jump to now focuses the running talk");
  step("now and next: Room 4 runs the anchor session at 12:20; jump to now focuses it");

  // Outside the event the panel stays away.
  await page.goto(BASE + "index.html?now=2018-01-01T10:00:00Z");
  await page.locator("form.filters").waitFor();
  assert.equal(await now.isVisible(), false);
  step("now and next: hidden outside the event");

  // 2. Filters and search.
  await page.goto(BASE + "index.html");
  await page.locator("form.filters").waitFor();
  const all = await visible(page);
  assert.ok(all.includes(ANCHOR) && all.includes(KEYNOTE));
  await page.selectOption("#f-track", "research");
  let shown = await visible(page);
  assert.ok(shown.length > 0 && !shown.includes(ANCHOR) && !shown.includes(KEYNOTE), shown.join());
  for (const slug of shown) {
    assert.equal(await page.getAttribute(`main [data-slug="${slug}"] >> nth=0`, "data-track"), "research");
  }
  assert.match(await page.locator(".f-status").innerText(), /^\d+ of \d+ talks match\.$/);
  assert.match(page.url(), /[?&]track=research/);
  step(`filter by track: ${shown.length} research talks shown`);
  await page.getByRole("button", { name: "Show all" }).click();
  assert.deepEqual(await visible(page), all);
  await page.fill("#f-q", "KLOIBER");
  assert.deepEqual([...new Set(await visible(page))], [ANCHOR], "search by speaker");
  await page.fill("#f-q", "procurement");
  assert.deepEqual([...new Set(await visible(page))], ["civic-tech-in-local-government"], "search in abstracts");
  await page.fill("#f-q", "(un)CIVIC tech");
  assert.deepEqual([...new Set(await visible(page))], [KEYNOTE], "search in titles");
  await page.fill("#f-q", "no such words anywhere");
  assert.deepEqual(await visible(page), []);
  assert.ok(await page.locator(".f-none:visible").count() >= 1, "an empty day says so");
  await page.getByRole("button", { name: "Show all" }).click();
  step("search: by speaker, abstract and title; nothing found says so");

  // 3. Stars: one on the programme grid, one on a talk's page.
  const star = page.locator(`td[data-slug="${ANCHOR}"] button.star`).first();
  assert.equal(await star.getAttribute("aria-pressed"), "false");
  await star.click();
  assert.equal(await star.getAttribute("aria-pressed"), "true");
  await page.goto(BASE + `talks/${KEYNOTE}/index.html`);
  await page.locator("h1 + button.star").click();
  assert.equal(await page.locator("h1 + button.star").getAttribute("aria-pressed"), "true");
  step("stars: set on the grid and on a talk page");

  // 4. Time zones: the visitor is in New York; the conference in Florence.
  const when = page.locator("dl.facts time").first();
  assert.equal(await when.innerText(), "10:30");
  await page.locator("#tz-toggle").click();
  assert.equal(await page.locator("#tz-toggle").getAttribute("aria-pressed"), "true");
  const local = page.locator("dl.facts .tz-local").first();
  assert.match(await local.textContent(), /\(your time: 0?4:30( AM)?\)/);
  await page.reload();
  assert.match(await page.locator("dl.facts .tz-local").first().textContent(), /0?4:30/, "remembered");
  step("time zone: 10:30 in Florence shows 04:30 in New York, remembered across pages");

  // 5. My programme: the two stars, in order, with an .ics and a share link.
  await page.goto(BASE + "my-programme/index.html");
  const items = page.locator(".my-list li[data-slug]");
  await items.first().waitFor();
  assert.deepEqual(await items.evaluateAll((els) => els.map((e) => e.dataset.slug)), [KEYNOTE, ANCHOR]);
  assert.ok(await page.locator(".my-list .tz-local").count() >= 2, "local times here too");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("button", { name: "Download my programme (.ics)" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "tictec2017-my-programme.ics");
  await download.saveAs(process.env.ICS_OUT);
  const share = await page.inputValue("#my-share");
  assert.equal(share, BASE + `my-programme/index.html?stars=${KEYNOTE},${ANCHOR}`);
  step("my programme: lists both stars, downloads the .ics, offers " + share);

  // The share link, opened in a browser without stars, offers to import them.
  await page.evaluate(() => localStorage.clear());
  await page.goto(share);
  const offer = page.locator("section.import");
  await offer.waitFor();
  assert.match(await offer.innerText(), /\(Un\)Civic Tech\?/);
  await offer.getByRole("button", { name: "Add these 2 talks" }).click();
  await items.nth(1).waitFor();
  assert.equal(await items.count(), 2);
  assert.ok(!page.url().includes("stars="), "the link's stars are taken out of the address");
  step("share link: imports both talks");
  await axe(page, "my programme");

  // 6. Offline: the service worker installed on the first visit serves pages never opened.
  await page.evaluate(() => navigator.serviceWorker.ready);
  await until(page, async () => {
    const keys = await caches.keys();
    if (keys.length !== 1) return false;
    const cache = await caches.open(keys[0]);
    return (await cache.keys()).length > 20;
  }, "the service worker stores the site");
  const before = await page.evaluate(() => caches.keys());
  await control("offline");
  await context.setOffline(true);
  await page.reload();
  await items.first().waitFor();
  assert.equal(await items.count(), 2, "my programme works offline");
  await page.goto(BASE + "speakers/julia-kloiber/index.html");
  assert.match(await page.locator("h1").innerText(), /Julia Kloiber/);
  await page.goto(BASE + "talks/closing-remarks/");
  assert.equal(await page.locator("h1").innerText(), "Closing remarks");
  await page.goto(BASE + "index.html");
  await page.locator("form.filters").waitFor();
  step("offline: my programme, a speaker and a talk never visited, and the programme with its filters");

  // 7. Back online after a rebuild: the new site is shown and becomes the offline copy.
  await context.setOffline(false);
  await control("online");
  await control("rebuild");
  await page.goto(BASE + "talks/closing-remarks/index.html");
  assert.equal(await page.locator("h1").innerText(), "Closing words");
  await until(page, async (old) => {
    const keys = await caches.keys();
    return keys.length === 1 && keys[0] !== old[0];
  }, "the new version replaces the old cache", before);
  const version = (await (await fetch(BASE + "sw.js")).text()).match(/const VERSION = "([0-9a-f]+)"/)[1];
  const after = await page.evaluate(() => caches.keys());

  assert.ok(after[0].endsWith(":" + version), `cache ${after[0]} is version ${version}`);
  await control("offline");
  await context.setOffline(true);
  await page.goto(BASE + "index.html");
  assert.ok((await page.locator("main").innerText()).includes("Closing words"), "the new copy offline");
  await context.setOffline(false);
  await control("online");
  step(`rebuild: new version ${version} replaced cache ${before[0]}`);

  // 8. Accessibility of the enhanced pages.
  await page.goto(BASE + "index.html?now=2017-04-26T10:20:00Z");
  await page.locator(".now-next").waitFor();
  await axe(page, "the programme");
  await page.goto(BASE + `talks/${ANCHOR}/index.html`);
  await page.locator("button.star").waitFor();
  await axe(page, "a talk");
  await page.goto(BASE + "speakers/julia-kloiber/index.html");
  await axe(page, "a speaker");

  assert.deepEqual(errors, [], "no script errors");
  await context.close();

  // 9. JavaScript off: the programme and the talk pages read as they are.
  const plain = await chromium.launch({ executablePath: process.env.CHROMIUM, headless: true, args: FLAGS });
  const off = await plain.newPage({ javaScriptEnabled: false });
  await off.goto(BASE + "index.html");
  assert.ok(await off.locator(`main [data-slug="${ANCHOR}"] a`).first().isVisible());
  assert.equal(await off.locator("button.star, form.filters").count(), 0);
  await off.goto(BASE + "my-programme/index.html");
  assert.match(await off.locator("main").innerText(), /needs JavaScript/);
  await plain.close();
  step("without JavaScript: the programme reads and my programme explains itself");
}

main().then(() => console.log("browser checks passed"), (e) => {
  console.error(e && e.stack || e);
  process.exit(1);
});
