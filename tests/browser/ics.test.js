// Unit tests of theme/js/ics.js (the .ics of starred talks made in the
// browser): escaping, octet folding, CRLF, UTC times. Run by tests/browser.rs
// with `node ics.test.js`; needs no browser.
"use strict";
const test = require("node:test");
const assert = require("node:assert/strict");
const path = require("node:path");
const ics = require(path.join(__dirname, "../../themes/default/static/js/ics.js"));

const octets = (s) => Buffer.byteLength(s, "utf8");

// Undoes folding the way RFC 5545 says: a CRLF followed by one space or tab goes.
const unfold = (text) => text.replace(/\r\n[ \t]/g, "");

test("TEXT escaping of backslash, semicolon, comma and newlines", () => {
  assert.equal(ics.escapeText("a\\b;c,d\ne\r\nf"), "a\\\\b\\;c\\,d\\ne\\nf");
});

test("folded lines are at most 75 octets and unfold to the original", () => {
  const cases = [
    "SUMMARY:" + "x".repeat(300),
    "SUMMARY:" + "é".repeat(100),
    "SUMMARY:" + "😀".repeat(40),
    "DESCRIPTION:" + "word ".repeat(60),
    // a 4-byte character straddling octet 75
    "SUMMARY:" + "a".repeat(65) + "😀".repeat(5),
    "SUMMARY:" + "مرحبا بالعالم ".repeat(10),
  ];
  for (const line of cases) {
    const folded = ics.fold(line);
    const parts = folded.split("\r\n");
    parts.forEach((p, i) => {
      assert.ok(octets(p) <= 75, `line ${i} has ${octets(p)} octets: ${p}`);
      if (i > 0) assert.equal(p[0], " ");
      if (i < parts.length - 1) assert.notEqual(p[p.length - 1], " ", "no line ends in a space");
    });
    assert.ok(!folded.includes("\uFFFD"));
    assert.equal(unfold(folded), line);
  }
  assert.equal(ics.fold("SUMMARY:short"), "SUMMARY:short");
});

test("a calendar of starred talks", () => {
  const ix = {
    title: "Conf, 2017; the best",
    acronym: "conf2017",
    timezone: "Europe/Rome",
    base_url: "https://example.org/conf/",
    rooms: [{ slug: "room-4", name: "Room 4" }],
    tracks: [{ slug: "impact", name: "Impact" }],
  };
  const talks = [
    {
      slug: "a", title: "Tea, cake; and \\ more", url: "talks/a/index.html", speakers: ["Ada", "Bo"],
      type: "talk", track: "impact", room: "room-4", start: "2017-04-26T10:15:00Z", end: "2017-04-26T11:00:00Z",
      abstract: "Line one.\n\nLine two, longer " + "and longer ".repeat(20),
    },
    {
      slug: "b", title: "Gone", url: "talks/b/index.html", speakers: [], type: "workshop", room: "room-4",
      start: "2017-04-25T12:00:00Z", end: "2017-04-25T13:00:00Z", abstract: "", status: "cancelled",
    },
    { slug: "c", title: "Unscheduled", url: "talks/c/index.html", speakers: [], type: "talk", abstract: "" },
  ];
  const text = ics.calendar(talks, ix, Date.UTC(2017, 3, 1, 8, 0, 0), "http://127.0.0.1/x/");
  assert.ok(text.endsWith("\r\n"));
  assert.ok(!/[^\r]\n/.test(text), "every line ends in CRLF");
  const lines = unfold(text).split("\r\n");
  assert.equal(lines[0], "BEGIN:VCALENDAR");
  assert.ok(lines.includes("VERSION:2.0"));
  assert.ok(lines.includes("X-WR-CALNAME:Conf\\, 2017\\; the best: my programme"));
  assert.equal(lines.filter((l) => l === "BEGIN:VEVENT").length, 2, "unscheduled talks are left out");
  for (const want of [
    "UID:a@conf2017", "DTSTAMP:20170401T080000Z", "DTSTART:20170426T101500Z", "DTEND:20170426T110000Z",
    "SUMMARY:Tea\\, cake\\; and \\\\ more", "LOCATION:Room 4", "URL:https://example.org/conf/talks/a/index.html",
    "CATEGORIES:Impact,talk", "STATUS:CONFIRMED", "UID:b@conf2017", "STATUS:CANCELLED",
  ]) {
    assert.ok(lines.includes(want), `has ${want}`);
  }
  const desc = lines.find((l) => l.startsWith("DESCRIPTION:Ada"));
  assert.ok(desc.startsWith("DESCRIPTION:Ada\\, Bo\\n\\nLine one.\\n\\nLine two\\, longer"), desc);
  assert.ok(desc.endsWith("\\n\\nhttps://example.org/conf/talks/a/index.html"));
  // Without a base_url the talk URL comes from where the site is served.
  const local = unfold(ics.calendar(talks, { ...ix, base_url: null }, 0, "http://127.0.0.1/x/"));
  assert.ok(local.includes("URL:http://127.0.0.1/x/talks/a/index.html\r\n"));
});
