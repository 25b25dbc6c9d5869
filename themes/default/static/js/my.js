/* my.js: the "my programme" page. Lists the starred talks by day (with
   clashes marked), makes an .ics of them in the browser, gives a link that
   carries them (?stars=a,b) and, opened from such a link, offers to import
   them. */
(function () {
  "use strict";
  var P = window.Programme, d = document;
  var box = d.getElementById("my-programme");
  if (!P || !box) return;
  var el = P.el;

  P.index().then(start, function () {
    box.appendChild(el("p", { class: "notice" }, location.protocol === "file:"
      ? "My programme needs the site served over the web: a browser does not let a page opened from disk read the list of talks."
      : "The list of talks could not be loaded. Open the programme while online once, then come back."));
  });

  function start(ix) {
    var offer = el("div"), tools = el("div", { class: "my-tools" }), list = el("div", { class: "my-list" });
    box.appendChild(offer);
    box.appendChild(list);
    box.appendChild(tools);
    importOffer(ix, offer);
    render(ix, list, tools);
    d.addEventListener("programme:stars", function () { render(ix, list, tools); });
  }

  function dayLabel(day) {
    return new Intl.DateTimeFormat(d.documentElement.lang || undefined, {
      weekday: "long", day: "numeric", month: "long", timeZone: "UTC"
    }).format(new Date(day + "T12:00:00Z"));
  }

  function starredTalks(ix) {
    return P.stars().map(function (s) { return ix.bySlug[s]; }).filter(Boolean).sort(function (a, b) {
      return (isNaN(a.s) ? Infinity : a.s) - (isNaN(b.s) ? Infinity : b.s) || (a.slug < b.slug ? -1 : 1);
    });
  }

  function item(ix, t, clash) {
    var li = el("li", { "data-slug": t.slug, class: t.status === "cancelled" ? "cancelled" : null });
    if (!isNaN(t.s)) {
      var a = P.confTime(t.s, ix.timezone), b = P.confTime(t.e, ix.timezone);
      li.appendChild(el("span", { class: "when" }, el("time", { datetime: a.iso }, a.hm), "\u2013",
        el("time", { datetime: b.iso }, b.hm)));
      li.appendChild(d.createTextNode(" "));
    }
    li.appendChild(el("a", { class: "title", href: P.href(t.url) }, t.title));
    li.appendChild(P.starButton(t.slug, t.title));
    if (t.status === "cancelled") li.appendChild(el("strong", { class: "badge" }, " Cancelled"));
    var meta = [t.speakers.join(", "), ix.roomName[t.room]].filter(Boolean).join(" \u00b7 ");
    if (meta) li.appendChild(el("span", { class: "meta" }, meta));
    if (clash) li.appendChild(el("span", { class: "clash" }, "Overlaps with " + clash.title));
    return li;
  }

  function render(ix, list, tools) {
    var talks = starredTalks(ix);
    list.textContent = "";
    tools.textContent = "";
    if (!talks.length) {
      list.appendChild(el("p", { class: "my-empty" },
        "No starred talks yet. Select the \u2606 beside a talk on the programme or on its page to add it here."));
      return;
    }
    var day = null, ul = null, last = null;
    talks.forEach(function (t) {
      var key = t.day || "";
      if (key !== day || !ul) {
        day = key;
        list.appendChild(el("h2", null, key ? dayLabel(key) : "Not yet scheduled"));
        ul = list.appendChild(el("ul", { class: "talk-list" }));
      }
      var clash = last && !isNaN(t.s) && t.s < last.e && t.status !== "cancelled" ? last : null;
      ul.appendChild(item(ix, t, clash));
      if (!isNaN(t.e) && t.status !== "cancelled" && (!last || t.e > last.e)) last = t;
    });
    var scheduled = talks.filter(function (t) { return !isNaN(t.s); });
    var ics = el("button", { type: "button", disabled: !scheduled.length },
      "Download my programme (.ics)");
    ics.addEventListener("click", function () {
      var text = P.ics.calendar(scheduled, ix, Date.now(), P.root);
      var url = URL.createObjectURL(new Blob([text], { type: "text/calendar;charset=utf-8" }));
      var a = el("a", { href: url, download: ix.acronym + "-my-programme.ics", hidden: true });
      d.body.appendChild(a);
      a.click();
      a.remove();
      setTimeout(function () { URL.revokeObjectURL(url); }, 10e3);
    });
    var link = P.href("my-programme/index.html") + "?stars=" + talks.map(function (t) { return t.slug; }).join(",");
    var field = el("input", { type: "url", id: "my-share", readonly: true, value: link });
    var copy = el("button", { type: "button" }, "Copy link");
    var said = el("span", { role: "status" });
    copy.addEventListener("click", function () {
      field.select();
      var done = function () { said.textContent = " Copied."; };
      if (navigator.clipboard) navigator.clipboard.writeText(link).then(done, function () { d.execCommand("copy"); done(); });
      else { d.execCommand("copy"); done(); }
    });
    tools.appendChild(el("h2", null, "Take it with you"));
    tools.appendChild(el("p", null, ics));
    tools.appendChild(el("p", null, el("label", { for: "my-share" }, "Share these talks: this link carries them"), " ", field, " ", copy, said));
    P.localTimes(list);
    P.offerLocalTimes();
  }

  function importOffer(ix, box) {
    var params = new URLSearchParams(location.search);
    if (!params.has("stars")) return;
    var mine = P.stars();
    var shared = params.get("stars").split(",").filter(function (s) { return ix.bySlug[s]; });
    var fresh = shared.filter(function (s) { return mine.indexOf(s) < 0; });
    function forget() {
      params.delete("stars");
      var q = params.toString();
      history.replaceState(history.state, "", (q ? "?" + q : location.pathname) + location.hash);
    }
    if (!fresh.length) {
      box.appendChild(el("p", { class: "notice", role: "status" }, shared.length
        ? "You already have every talk of the shared link." : "The shared link holds no talk of this programme."));
      forget();
      return;
    }
    var ul = el("ul");
    fresh.forEach(function (s) { ul.appendChild(el("li", null, ix.bySlug[s].title)); });
    var yes = el("button", { type: "button" }, "Add " + (fresh.length === 1 ? "this talk" : "these " + fresh.length + " talks"));
    var no = el("button", { type: "button" }, "No, thanks");
    var section = el("section", { class: "import", "aria-labelledby": "import-h" },
      el("h2", { id: "import-h" }, "Talks shared with you"), ul, el("p", null, yes, " ", no));
    box.appendChild(section);
    yes.addEventListener("click", function () {
      P.setStars(P.stars().concat(fresh));
      section.replaceWith(el("p", { class: "notice", role: "status" },
        "Added " + fresh.length + (fresh.length === 1 ? " talk" : " talks") + " to your programme."));
      forget();
    });
    no.addEventListener("click", function () {
      section.remove();
      forget();
    });
  }
})();
