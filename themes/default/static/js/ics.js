/* ics.js: an iCalendar file (RFC 5545) of chosen talks, made in the browser
   for "my programme". CRLF line ends, TEXT escaping, lines folded at 75
   octets without splitting a character or leaving a space at a fold, times
   in UTC. Also loads in Node (module.exports) for its tests. */
(function (global) {
  "use strict";

  function escapeText(s) {
    return String(s).replace(/\\/g, "\\\\").replace(/;/g, "\\;").replace(/,/g, "\\,")
      .replace(/\r\n|\r|\n/g, "\\n");
  }

  function octets(ch) {
    var c = ch.codePointAt(0);
    return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
  }

  // Folds one content line: at most 75 octets per line, continuation lines
  // start with one space. A fold is moved back a little so that neither side
  // of it is a space (lenient parsers trim there).
  function fold(line) {
    var cps = Array.from(line), out = [], start = 0, size = 0;
    for (var i = 0; i < cps.length; i++) {
      var n = octets(cps[i]);
      if (size + n > 75) {
        var k = i, carried = 0;
        while (k - 1 > start && (cps[k] === " " || cps[k - 1] === " ") && carried + octets(cps[k - 1]) <= 24) {
          carried += octets(cps[--k]);
        }
        if (cps[k] === " " || cps[k - 1] === " ") k = i;
        out.push(cps.slice(start, k).join(""));
        start = k;
        size = 1;
        for (var j = k; j < i; j++) size += octets(cps[j]);
      }
      size += n;
    }
    out.push(cps.slice(start).join(""));
    return out.join("\r\n ");
  }

  function utc(ms) {
    return new Date(ms).toISOString().replace(/\.\d+Z$/, "Z").replace(/[-:]/g, "");
  }

  // talks: entries of search.json; ix: the index (title, acronym, base_url,
  // rooms, tracks); now: milliseconds for DTSTAMP; root: the site's URL,
  // used for talk URLs when the conference has no base_url.
  function calendar(talks, ix, now, root) {
    var room = {}, track = {};
    (ix.rooms || []).forEach(function (r) { room[r.slug] = r.name; });
    (ix.tracks || []).forEach(function (t) { track[t.slug] = t.name; });
    var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//programme//my programme//EN",
      "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:" + escapeText(ix.title + ": my programme")];
    if (ix.timezone) lines.push("X-WR-TIMEZONE:" + ix.timezone);
    talks.forEach(function (t) {
      if (!t.start || !t.end) return;
      var url = new URL(t.url, ix.base_url || root).href;
      var about = [(t.speakers || []).join(", "), t.abstract, url].filter(Boolean).join("\n\n");
      var categories = [t.track && track[t.track], t.type].filter(Boolean).map(escapeText).join(",");
      lines.push("BEGIN:VEVENT", "UID:" + t.slug + "@" + ix.acronym, "DTSTAMP:" + utc(now),
        "DTSTART:" + utc(Date.parse(t.start)), "DTEND:" + utc(Date.parse(t.end)),
        "SUMMARY:" + escapeText(t.title));
      if (t.room) lines.push("LOCATION:" + escapeText(room[t.room] || t.room));
      lines.push("DESCRIPTION:" + escapeText(about), "URL:" + url);
      if (categories) lines.push("CATEGORIES:" + categories);
      lines.push("STATUS:" + (t.status === "cancelled" ? "CANCELLED" : "CONFIRMED"), "END:VEVENT");
    });
    lines.push("END:VCALENDAR");
    return lines.map(fold).join("\r\n") + "\r\n";
  }

  var api = { calendar: calendar, fold: fold, escapeText: escapeText, utc: utc };
  if (typeof module === "object" && module.exports) module.exports = api;
  if (global.Programme) global.Programme.ics = api;
})(typeof window === "object" ? window : globalThis);
