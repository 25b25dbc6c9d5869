// programme serve: reload on rebuild (keeping the scroll position) and show build errors.
(function () {
  "use strict";
  var me = document.currentScript;
  var version = me ? Number(me.getAttribute("data-version")) : 0;
  var KEY = "programme-serve-scroll:" + location.pathname;

  // Put the page back where it was before a reload. The site's own scripts
  // may still be adding to the page after load; until the layout settles (or
  // the reader scrolls), keep putting it back, with the browser's scroll
  // anchoring off so that it does not move the page on its own meanwhile.
  try {
    var saved = sessionStorage.getItem(KEY);
    if (saved) {
      sessionStorage.removeItem(KEY);
      var pos = JSON.parse(saved);
      var root = document.documentElement;
      var anchor = root.style.overflowAnchor;
      root.style.overflowAnchor = "none";
      // The window opens at load for two seconds; each change of the layout
      // keeps it open another second (ten at most).
      var start = Date.now(), until = start + 10000, loaded = false;
      var restore = function () {
        var now = Date.now();
        if (now >= until) return;
        window.scrollTo(pos.x, pos.y);
        if (loaded) until = Math.max(until, Math.min(now + 1000, start + 10000));
      };
      var stop = function () {
        until = 0;
        root.style.overflowAnchor = anchor;
      };
      var onload = function () {
        loaded = true;
        start = Date.now();
        until = start + 2000;
        restore();
        setTimeout(function check() {
          if (Date.now() >= until) stop();
          else setTimeout(check, until - Date.now());
        }, 2000);
      };
      ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (e) {
        window.addEventListener(e, stop, { once: true, passive: true });
      });
      if (window.ResizeObserver) new ResizeObserver(restore).observe(root);
      if (document.readyState === "complete") onload();
      else window.addEventListener("load", onload);
    }
  } catch (e) { /* storage disabled: reload without keeping the position */ }

  function reload() {
    try {
      sessionStorage.setItem(KEY, JSON.stringify({ x: window.scrollX, y: window.scrollY }));
    } catch (e) { /* ignore */ }
    location.reload();
  }

  var overlay = null;
  function hide() {
    if (overlay) { overlay.remove(); overlay = null; }
  }
  function el(tag, css, text) {
    var e = document.createElement(tag);
    if (css) e.style.cssText = css;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function show(report) {
    hide();
    overlay = el("div", "position:fixed;inset:0;z-index:2147483647;background:rgba(0,0,0,.6);overflow:auto;padding:2rem 1rem;font:16px/1.4 system-ui,sans-serif");
    overlay.id = "programme-error-overlay";
    overlay.setAttribute("role", "alert");
    var box = el("div", "max-width:60rem;margin:0 auto;background:#fff;color:#111;border-top:6px solid #b00020;border-radius:4px;padding:1rem 1.5rem;box-shadow:0 4px 24px rgba(0,0,0,.4)");
    var close = el("button", "float:right;font-size:1.5rem;background:none;border:0;cursor:pointer;color:#111", "\u00d7");
    close.setAttribute("aria-label", "Hide");
    close.addEventListener("click", hide);
    box.appendChild(close);
    var errors = report.diagnostics.filter(function (d) { return d.severity === "error"; }).length;
    box.appendChild(el("h2", "margin:0 0 .5rem;color:#b00020;font-size:1.25rem",
      "Build failed: " + errors + " error" + (errors === 1 ? "" : "s")));
    box.appendChild(el("p", "margin:0 0 1rem", "The page below is the last good build. Fix the file and save: this page reloads."));
    report.diagnostics.forEach(function (d) {
      var where = d.file ? d.file + (d.line ? ":" + d.line + (d.column ? ":" + d.column : "") : "") : "";
      var item = el("section", "margin:0 0 1rem");
      item.className = "programme-diagnostic";
      item.appendChild(el("h3", "margin:0;font-size:1rem;font-family:ui-monospace,monospace;color:" + (d.severity === "error" ? "#b00020" : "#7a5200"), where || d.severity));
      item.appendChild(el("pre", "margin:.25rem 0 0;padding:.5rem;background:#f4f4f4;color:#111;overflow:auto;white-space:pre-wrap", d.rendered));
      box.appendChild(item);
    });
    overlay.appendChild(box);
    (document.body || document.documentElement).appendChild(overlay);
  }

  function connect() {
    var source = new EventSource("/__programme/events");
    source.addEventListener("state", function (e) {
      var s = JSON.parse(e.data);
      if (s.version !== version && s.version !== 0) { reload(); return; }
      if (s.error) show(s.error); else hide();
    });
    source.addEventListener("reload", function (e) {
      if (JSON.parse(e.data).version !== version) reload();
    });
    source.addEventListener("build-error", function (e) { show(JSON.parse(e.data)); });
    source.addEventListener("build-ok", hide);
  }
  connect();
})();
