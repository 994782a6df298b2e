// Draws every queued chart with the locally shipped Vega bundle (no CDN).
// Each chart's HTML holds its spec in a <script type="application/json">
// and a static SVG that stays in place if this script never runs.
(function () {
  "use strict";
  // Vega measures text as it lays a chart out: draw only once the charts' font has loaded.
  // Asked for at the first render call, once the stylesheet with the @font-face rules is in.
  var fontsReady = null;
  function render() {
    if (!fontsReady) {
      fontsReady = document.fonts && document.fonts.load
        ? Promise.all([document.fonts.load('11px "DejaVu Sans"'),
                       document.fonts.load('bold 13px "DejaVu Sans"')]).catch(function () {})
        : Promise.resolve();
    }
    fontsReady.then(draw);
  }
  function draw() {
    if (typeof window.vegaEmbed !== "function") { return; }
    document.querySelectorAll("script.lr-chart-spec:not([data-done])").forEach(function (node) {
      node.setAttribute("data-done", "1");
      var item = JSON.parse(node.textContent);
      var el = document.getElementById(item.id);
      if (!el) { return; }
      window.vegaEmbed(el, item.spec, { actions: false, renderer: "svg" })
        .then(function () { el.setAttribute("data-rendered", "vega"); })
        .catch(function (err) {
          el.setAttribute("data-rendered", "error");
          console.error("livingreview: chart " + item.id + " failed: " + err);
        });
    });
  }
  // The sidebar's table of contents, from the one file the build writes (_static/navigation.js)
  // into the empty nav of our sidebar template. Links are from the site root: each is resolved
  // against the page's content root; the page's own entry is marked as the theme marks it.
  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) { el.className = className; }
    if (text !== undefined) { el.textContent = text; }
    return el;
  }
  function list(entries, level, here, root, extraClass) {
    var ul = element("ul", "nav bd-sidenav" + (extraClass ? " " + extraClass : ""));
    var holdsCurrent = false;
    entries.forEach(function (entry) {
      var li = element("li", "toctree-l" + level);
      var external = /^[a-z][a-z0-9+.-]*:|^\/\//i.test(entry.href);
      var a = element("a", "reference " + (external ? "external" : "internal"), entry.title);
      a.setAttribute("href", external ? entry.href : root + entry.href);
      li.appendChild(a);
      var current = !external && entry.href.split("#")[0] === here;
      if (entry.children && entry.children.length) {
        var inner = list(entry.children, level + 1, here, root, "");
        li.appendChild(inner.ul);
        if (inner.holdsCurrent) { li.classList.add("current", "active"); holdsCurrent = true; }
      }
      if (current) {
        li.classList.add("current", "active");
        a.classList.add("current");
        a.setAttribute("aria-current", "page");
        holdsCurrent = true;
      }
      ul.appendChild(li);
    });
    if (holdsCurrent && !extraClass) { ul.classList.add("current"); }  // a part, not the home link
    return { ul: ul, holdsCurrent: holdsCurrent };
  }
  function navigation() {
    var nav = document.getElementById("lr-navigation");
    var data = window.livingreviewNavigation;
    if (!nav || !data || nav.hasAttribute("data-drawn")) { return; }
    var box = nav.querySelector(".bd-toc-item") || nav;
    var root = document.documentElement.getAttribute("data-content_root") || "";
    var here = nav.getAttribute("data-page");
    box.textContent = "";
    if (data.home && nav.getAttribute("data-home-link") === "yes") {
      box.appendChild(list([{ href: data.home.href, title: data.home.title, children: [] }],
                           1, here, root, "bd-sidenav__home-link").ul);
    }
    data.parts.forEach(function (part) {
      if (part.caption) {
        var caption = element("p", "caption");
        caption.setAttribute("role", "heading");
        caption.setAttribute("aria-level", "2");
        caption.appendChild(element("span", "caption-text", part.caption));
        box.appendChild(caption);
      }
      box.appendChild(list(part.entries, 1, here, root, "").ul);
    });
    nav.setAttribute("data-drawn", "1");
  }
  window.livingreview = { render: render, navigation: navigation };
  navigation();  // drawn as soon as navigation.js runs, or here if it ran first
  function ready() { render(); navigation(); }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
