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
  window.livingreview = { render: render };
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
