/* schedule.js: the programme page's tools, in #attendee-tools. "Now and
   next" per room following the clock (?now=2017-04-25T10:00:00Z pretends
   another time) with "jump to now"; filters by track, room, type, language
   and starred, and a search over titles, speakers and abstracts. Talks are
   shown and hidden in place (the `hidden` attribute, or a class on grid
   cells); nothing is rebuilt per keystroke. */
(function () {
  "use strict";
  var P = window.Programme, d = document;
  var box = d.getElementById("attendee-tools");
  if (!P || !box) return;
  var el = P.el;

  P.index().then(function (ix) {
    var items = {};
    P.qsa("main [data-slug]").forEach(function (e) {
      var s = e.getAttribute("data-slug");
      (items[s] = items[s] || []).push(e);
    });
    var talks = ix.talks.filter(function (t) {
      return items[t.slug];
    });
    box.appendChild(nowAndNext(ix, items));
    box.appendChild(filters(ix, talks, items));
  }, function () {
    /* no index (opened from disk, or offline before the first visit): the page stays as it is */
  });

  // Case- and accent-insensitive text for matching.
  function fold(s) {
    return s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function nowAndNext(ix, items) {
    var param = new URLSearchParams(location.search).get("now");
    var fixed = param ? Date.parse(param) : NaN, loaded = Date.now();
    function now() {
      return isNaN(fixed) ? Date.now() : fixed + Date.now() - loaded;
    }
    var byRoom = {};
    ix.talks.forEach(function (t) {
      if (t.room && !isNaN(t.s) && t.status !== "cancelled") (byRoom[t.room] = byRoom[t.room] || []).push(t);
    });
    var jump = el("button", { type: "button", class: "jump" }, "Jump to now");
    var body = el("tbody");
    var section = el("section", { class: "now-next", "aria-labelledby": "now-next-h", hidden: true },
      el("h2", { id: "now-next-h" }, "Now and next"), el("p", null, jump),
      el("table", null, el("thead", null, el("tr", null,
        el("th", { scope: "col" }, "Room"), el("th", { scope: "col" }, "Now"), el("th", { scope: "col" }, "Next"))), body));
    var target = null;
    jump.addEventListener("click", function () {
      var e = target && (items[target.slug] || []).filter(function (x) { return !x.hidden; })[0];
      if (!e) return;
      e.scrollIntoView({ block: "center" });
      (e.querySelector("a") || e).focus();
    });
    function cell(t, label) {
      if (!t) return el("td", { "data-label": label }, "\u2014");
      var a = P.confTime(t.s, ix.timezone), b = P.confTime(t.e, ix.timezone);
      return el("td", { "data-label": label }, el("a", { href: P.href(t.url) }, t.title), " ",
        el("span", { class: "when" }, el("time", { datetime: a.iso }, a.hm), "\u2013", el("time", { datetime: b.iso }, b.hm)));
    }
    function update() {
      var n = now(), rows = [], current = [], soonest = null;
      ix.rooms.forEach(function (r) {
        var cur = null, next = null;
        (byRoom[r.slug] || []).forEach(function (t) {
          if (t.s <= n && n < t.e) cur = t;
          else if (t.s > n && t.s - n < 12 * 3600e3 && (!next || t.s < next.s)) next = t;
        });
        if (cur) current.push(cur);
        if (next && (!soonest || next.s < soonest.s)) soonest = next;
        if (cur || next) rows.push(el("tr", null, el("th", { scope: "row" }, r.name), cell(cur, "Now"), cell(next, "Next")));
      });
      P.qsa(".is-now").forEach(function (e) { e.classList.remove("is-now"); });
      current.forEach(function (t) {
        (items[t.slug] || []).forEach(function (e) { e.classList.add("is-now"); });
      });
      target = current[0] || soonest;
      jump.hidden = !target || !items[target.slug];
      body.textContent = "";
      rows.forEach(function (r) { body.appendChild(r); });
      section.hidden = !rows.length;
      P.localTimes(section);
    }
    update();
    setInterval(update, 30e3);
    return section;
  }

  function filters(ix, talks, items) {
    talks.forEach(function (t) {
      t.h = fold([t.title, t.speakers.join(" "), t.abstract].join(" "));
    });
    var params = new URLSearchParams(location.search);
    var form = el("form", { class: "filters", role: "search", "aria-label": "Find talks" });
    var q = el("input", { type: "search", id: "f-q", name: "q", value: params.get("q") || "", autocomplete: "off" });
    form.appendChild(el("p", { class: "f-q" }, el("label", { for: "f-q" }, "Search titles, speakers and abstracts"), " ", q));
    var selects = [];
    [["track", "Track", "All tracks", ix.tracks.map(function (t) { return [t.slug, t.name]; })],
      ["room", "Room", "All rooms", ix.rooms.map(function (r) { return [r.slug, r.name]; })],
      ["type", "Type", "All types", ix.types.map(function (t) { return [t, t]; })],
      ["language", "Language", "All languages", ix.languages.map(function (l) { return [l, l]; })]
    ].forEach(function (f) {
      if (f[3].length < 2) return;
      var s = el("select", { id: "f-" + f[0], name: f[0] }, el("option", { value: "" }, f[2]));
      f[3].forEach(function (o) {
        s.appendChild(el("option", { value: o[0], selected: params.get(f[0]) === o[0] }, o[1]));
      });
      selects.push(s);
      form.appendChild(el("p", null, el("label", { for: s.id }, f[1]), " ", s));
    });
    var starred = el("input", { type: "checkbox", id: "f-starred", name: "starred", checked: params.get("starred") === "1" });
    form.appendChild(el("p", null, starred, " ", el("label", { for: "f-starred" }, "Starred only")));
    var reset = el("button", { type: "button" }, "Show all");
    var status = el("p", { class: "f-status", role: "status" });
    form.appendChild(el("p", null, reset));
    form.appendChild(status);

    // Sections of talks (days, the unscheduled list), to say when one has nothing left.
    var days = P.qsa("main section").filter(function (s) {
      return s.querySelector("[data-slug]") && !s.querySelector(":scope section [data-slug]");
    }).map(function (s) {
      var none = el("p", { class: "f-none", hidden: true }, "No matching talks here.");
      s.appendChild(none);
      return { items: P.qsa("[data-slug]", s), none: none };
    });

    // Grid rows holding talks: in the phone layout a row with none left goes.
    var rows = P.qsa("main tr").map(function (tr) {
      return { tr: tr, cells: P.qsa("td[data-slug]", tr) };
    }).filter(function (r) { return r.cells.length; });

    function show(e, on) {
      if (e.tagName === "TD") e.classList.toggle("f-out", !on);
      else e.hidden = !on;
    }
    function apply() {
      var words = fold(q.value).split(/\s+/).filter(Boolean);
      var want = {}, active = words.length > 0 || starred.checked, shown = 0;
      selects.forEach(function (s) {
        want[s.name] = s.value;
        active = active || !!s.value;
      });
      var stars = starred.checked ? P.stars() : null;
      talks.forEach(function (t) {
        var ok = (!want.track || t.track === want.track) && (!want.room || t.room === want.room) &&
          (!want.type || t.type === want.type) && (!want.language || t.language === want.language) &&
          (!stars || stars.indexOf(t.slug) >= 0) &&
          words.every(function (w) { return t.h.indexOf(w) >= 0; });
        if (ok) shown++;
        if (t.ok !== ok) {
          t.ok = ok;
          items[t.slug].forEach(function (e) { show(e, ok); });
        }
      });
      days.forEach(function (day) {
        day.none.hidden = !day.items.length || day.items.some(function (e) {
          return !e.hidden && !e.classList.contains("f-out");
        });
      });
      rows.forEach(function (r) {
        r.tr.classList.toggle("f-empty", r.cells.every(function (c) { return c.classList.contains("f-out"); }));
      });
      status.textContent = active ? shown + " of " + talks.length + " talks match." : "";
      var url = new URLSearchParams(location.search);
      ["q", "track", "room", "type", "language", "starred"].forEach(function (k) { url.delete(k); });
      if (q.value) url.set("q", q.value);
      selects.forEach(function (s) { if (s.value) url.set(s.name, s.value); });
      if (starred.checked) url.set("starred", "1");
      var search = url.toString();
      history.replaceState(history.state, "", (search ? "?" + search : location.pathname) + location.hash);
    }
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    reset.addEventListener("click", function () {
      q.value = "";
      starred.checked = false;
      selects.forEach(function (s) { s.value = ""; });
      apply();
    });
    d.addEventListener("programme:stars", function () { if (starred.checked) apply(); });
    apply();
    return form;
  }
})();
