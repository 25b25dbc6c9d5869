/* programme.js: the enhancements every page of the site shares. Stars
   (favourites kept in this browser), the local-time toggle and offline
   support (registers the service worker); it loads js/schedule.js on the
   programme and js/ics.js with js/my.js on "my programme". Our own and
   framework-free: every page works without it. Exposes window.Programme. */
(function () {
  "use strict";
  var d = document, w = window, script = d.currentScript;
  var P = (w.Programme = {});

  // The site root: the manifest link is relative on every page; else this
  // script's place (theme/js/programme.js).
  var manifest = d.querySelector('link[rel="manifest"]');
  P.root = manifest ? new URL(".", manifest.href).href : new URL("../../", script.src).href;

  P.qsa = function (sel, root) {
    return Array.prototype.slice.call((root || d).querySelectorAll(sel));
  };
  // el("p", {class: "x"}, "text", child...): builds DOM without innerHTML.
  P.el = function (tag, attrs) {
    var e = d.createElement(tag);
    for (var k in attrs || {}) {
      if (attrs[k] === true) e.setAttribute(k, "");
      else if (attrs[k] != null && attrs[k] !== false) e.setAttribute(k, attrs[k]);
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c == null) continue;
      e.appendChild(typeof c === "object" ? c : d.createTextNode(c));
    }
    return e;
  };

  // Storage, per site (several programmes may share one origin).
  var NS = "programme:" + new URL(P.root).pathname + ":";
  P.get = function (key, fallback) {
    try {
      var v = w.localStorage.getItem(NS + key);
      return v === null ? fallback : JSON.parse(v);
    } catch (e) {
      return fallback;
    }
  };
  P.set = function (key, value) {
    try {
      w.localStorage.setItem(NS + key, JSON.stringify(value));
    } catch (e) {
      /* storage full or blocked: the choice lasts for this page only */
    }
  };

  // Stars: a list of talk slugs.
  P.stars = function () {
    var s = P.get("stars", []);
    return Array.isArray(s) ? s.filter(function (x) { return typeof x === "string"; }) : [];
  };
  P.isStarred = function (slug) {
    return P.stars().indexOf(slug) >= 0;
  };
  P.setStars = function (list) {
    var seen = {};
    P.set("stars", list.filter(function (s) { return !seen[s] && (seen[s] = 1); }));
    d.dispatchEvent(new CustomEvent("programme:stars"));
  };
  P.star = function (slug, on) {
    var s = P.stars().filter(function (x) { return x !== slug; });
    if (on) s.push(slug);
    P.setStars(s);
  };
  w.addEventListener("storage", function (e) {
    if (e.key === NS + "stars") d.dispatchEvent(new CustomEvent("programme:stars"));
  });

  P.starButton = function (slug, title) {
    var b = P.el("button", { type: "button", class: "star", "data-star": slug },
      P.el("span", { "aria-hidden": "true" }), P.el("span", { class: "visually-hidden" }, "Star: " + title));
    b.addEventListener("click", function () {
      P.star(slug, !P.isStarred(slug));
    });
    syncStar(b);
    return b;
  };
  function syncStar(b) {
    var on = P.isStarred(b.getAttribute("data-star"));
    b.setAttribute("aria-pressed", on ? "true" : "false");
    b.title = on ? "In my programme: select to remove" : "Add to my programme";
    b.firstChild.textContent = on ? "\u2605" : "\u2606";
  }
  d.addEventListener("programme:stars", function () {
    P.qsa("button[data-star]").forEach(syncStar);
  });

  function addStars() {
    P.qsa("main [data-slug]").forEach(function (item) {
      if (item.getAttribute("data-type") === "break" || item.querySelector("button[data-star]")) return;
      var slug = item.getAttribute("data-slug");
      var h1 = item.querySelector("h1");
      var link = h1 || item.querySelector("a.title") || item.querySelector("a");
      if (!link) return;
      link.insertAdjacentElement("afterend", P.starButton(slug, link.textContent.trim()));
    });
  }

  // The search index, fetched once per page.
  var index;
  P.index = function () {
    return (index = index || fetch(P.root + "search.json").then(function (r) {
      if (!r.ok) throw new Error("search.json: " + r.status);
      return r.json();
    }).then(function (ix) {
      ix.bySlug = {};
      ix.roomName = {};
      ix.trackName = {};
      ix.rooms.forEach(function (r) { ix.roomName[r.slug] = r.name; });
      ix.tracks.forEach(function (t) { ix.trackName[t.slug] = t.name; });
      ix.talks.forEach(function (t) {
        ix.bySlug[t.slug] = t;
        t.s = t.start ? Date.parse(t.start) : NaN;
        t.e = t.end ? Date.parse(t.end) : NaN;
      });
      return ix;
    }));
  };
  P.href = function (url) {
    return new URL(url, P.root).href;
  };

  // A time in the conference's zone: {iso: "...+02:00", hm: "12:15"}.
  P.confTime = function (ms, zone) {
    var parts = {}, opts = {
      timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit",
      minute: "2-digit", second: "2-digit", hourCycle: "h23", timeZoneName: "longOffset"
    };
    try {
      new Intl.DateTimeFormat("en-GB", opts).formatToParts(new Date(ms)).forEach(function (p) { parts[p.type] = p.value; });
    } catch (e) {
      // An older browser without offset names: the time in UTC.
      return { iso: new Date(ms).toISOString().replace(/\.\d+Z$/, "Z"), hm: new Date(ms).toISOString().slice(11, 16) };
    }
    var off = parts.timeZoneName.replace("GMT", "") || "+00:00";
    var hm = parts.hour + ":" + parts.minute;
    return { iso: parts.year + "-" + parts.month + "-" + parts.day + "T" + hm + ":" + parts.second + off, hm: hm };
  };

  // Local times: beside every conference time, the visitor's own.
  function offsetMinutes(iso) {
    var m = /([+-])(\d\d):?(\d\d)$/.exec(iso);
    return /Z$/i.test(iso) ? 0 : m ? (m[1] === "-" ? -1 : 1) * (60 * m[2] + +m[3]) : null;
  }
  function confTimes(root) {
    return P.qsa('time[datetime*="T"]', root).filter(function (t) {
      return offsetMinutes(t.getAttribute("datetime")) !== null && !isNaN(Date.parse(t.getAttribute("datetime")));
    });
  }
  var hm = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
  var ymd = new Intl.DateTimeFormat("en-CA", { year: "numeric", month: "2-digit", day: "2-digit" });
  var wd = new Intl.DateTimeFormat(undefined, { weekday: "short" });
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  P.showLocal = function () {
    return P.get("tz", "") === "local";
  };
  P.localTimes = function (root) {
    confTimes(root).forEach(function (t) {
      var next = t.nextSibling, on = P.showLocal();
      var old = next && next.nodeType === 1 && next.classList.contains("tz-local") ? next : null;
      if (!on) {
        if (old) old.remove();
        return;
      }
      var iso = t.getAttribute("datetime"), date = new Date(Date.parse(iso));
      var text = hm.format(date);
      if (ymd.format(date) !== iso.slice(0, 10)) text = wd.format(date) + " " + text;
      var span = P.el("span", { class: "tz-local" }, " (", P.el("span", { class: "visually-hidden" }, "your time: "), text, ")");
      if (old) old.replaceWith(span);
      else t.insertAdjacentElement("afterend", span);
    });
  };
  // Offers the toggle when some time on the page differs in the visitor's zone.
  P.offerLocalTimes = function () {
    if (d.getElementById("tz-toggle")) return;
    var differs = confTimes().some(function (t) {
      var iso = t.getAttribute("datetime");
      return -new Date(Date.parse(iso)).getTimezoneOffset() !== offsetMinutes(iso);
    });
    if (!differs) return;
    var b = P.el("button", { type: "button", id: "tz-toggle", "aria-pressed": P.showLocal() ? "true" : "false" },
      "Also show times in my time zone" + (zone ? " (" + zone.replace(/_/g, " ") + ")" : ""));
    b.addEventListener("click", function () {
      P.set("tz", P.showLocal() ? "conf" : "local");
      b.setAttribute("aria-pressed", P.showLocal() ? "true" : "false");
      P.localTimes();
    });
    var p = P.el("p", { class: "tz-toggle" }, b);
    var header = d.querySelector("header");
    if (header) header.appendChild(p);
    else d.body.insertBefore(p, d.body.firstChild);
    P.localTimes();
  };

  function load(name) {
    var s = d.createElement("script");
    s.src = new URL(name + ".js", script.src).href;
    s.async = false;
    d.head.appendChild(s);
  }

  function start() {
    addStars();
    P.offerLocalTimes();
    if (d.getElementById("attendee-tools")) load("schedule");
    if (d.getElementById("my-programme")) {
      load("ics");
      load("my");
    }
  }
  if (d.readyState === "loading") d.addEventListener("DOMContentLoaded", start);
  else start();

  if ("serviceWorker" in navigator && /^https?:$/.test(location.protocol)) {
    navigator.serviceWorker.register(P.root + "sw.js", { scope: P.root }).catch(function () {
      /* no offline copy; the site works as before */
    });
  }
})();
