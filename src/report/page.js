"use strict";
// report.html's script: sortable tables, and the BMD trend of the patient picked in the
// attention table, drawn as SVG from the JSON embedded in the page. No network, no clock:
// dates are calendar dates from the data.
(function () {
  const SVG = "http://www.w3.org/2000/svg";

  // --- Sortable tables: a heading's button sorts by its column; again reverses. Empty
  // cells go last; ties keep the page's order.
  function cellKey(row, index, type) {
    const text = row.cells[index].textContent.trim();
    if (text === "") return null;
    if (type === "num") {
      const value = parseFloat(text.replace("\u2212", "-"));
      return isNaN(value) ? null : value;
    }
    return text;
  }

  for (const table of document.querySelectorAll("table.sortable")) {
    const body = table.tBodies[0];
    Array.from(body.rows).forEach((row, i) => { row.dataset.order = String(i); });
    const heads = Array.from(table.tHead.rows[0].cells);
    heads.forEach((th, index) => {
      const button = th.querySelector("button");
      if (!button) return;
      button.addEventListener("click", () => {
        const ascending = th.getAttribute("aria-sort") !== "ascending";
        for (const h of heads) if (h.hasAttribute("aria-sort")) h.setAttribute("aria-sort", "none");
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        const type = th.dataset.type;
        const rows = Array.from(body.rows);
        rows.sort((a, b) => {
          const x = cellKey(a, index, type);
          const y = cellKey(b, index, type);
          const order = Number(a.dataset.order) - Number(b.dataset.order);
          if (x === null || y === null) return x === y ? order : (x === null ? 1 : -1);
          const c = x < y ? -1 : x > y ? 1 : 0;
          return (ascending ? c : -c) || order;
        });
        for (const row of rows) body.appendChild(row);
      });
    });
  }

  // --- The trend of one patient.
  const dataNode = document.getElementById("trend-data");
  const panel = document.getElementById("trend");
  const table = document.getElementById("attention-table");
  if (!dataNode || !panel || !table) return;
  const trends = JSON.parse(dataNode.textContent);

  const COLOURS = {
    "": "#1F2328",
    stable: "#56B4E9",
    significant_loss: "#D55E00",
    significant_gain: "#009E73",
    not_comparable: "#999999",
  };
  const WORDS = {
    "": "first visit",
    stable: "stable",
    significant_loss: "significant loss",
    significant_gain: "significant gain",
    not_comparable: "not comparable",
  };

  function svg(name, attributes, text) {
    const node = document.createElementNS(SVG, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function html(name, attributes, text) {
    const node = document.createElement(name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  // Days since 1970-01-01 of an ISO date (calendar arithmetic, not the clock).
  function day(iso) {
    const [y, m, d] = iso.split("-").map(Number);
    return Date.UTC(y, m - 1, d) / 86400000;
  }

  function chart(series) {
    const where = series.side ? series.site + " " + series.side : series.site;
    const title = "BMD over time at " + where;
    const W = 350, H = 230, left = 58, right = 12, top = 16, bottom = 40;
    const points = series.points;
    const xs = points.map((p) => day(p[0]));
    const ys = points.map((p) => p[1]);
    const base = ys[0];
    const lsc = series.lsc;
    let lo = Math.min(...ys), hi = Math.max(...ys);
    if (lsc !== null) { lo = Math.min(lo, base - lsc); hi = Math.max(hi, base + lsc); }
    const pad = (hi - lo) * 0.12 || 0.02;
    lo -= pad; hi += pad;
    // Room on both sides of the first and last visits, so that their year can show.
    const span = Math.max(...xs) - Math.min(...xs);
    const margin = Math.max(60, span * 0.08);
    const x0 = Math.min(...xs) - margin, x1 = Math.max(...xs) + margin;
    const sx = (x) => left + ((x - x0) / (x1 - x0)) * (W - left - right);
    const sy = (y) => top + ((hi - y) / (hi - lo)) * (H - top - bottom);
    const root = svg("svg", { viewBox: "0 0 " + W + " " + H, width: W, height: H,
      class: "chart trend-chart", role: "img", "aria-label": title });
    root.appendChild(svg("title", {}, title));
    root.appendChild(svg("rect", { x: 0, y: 0, width: W, height: H, fill: "#ffffff" }));
    if (lsc !== null) {
      root.appendChild(svg("rect", { x: left, y: sy(base + lsc), width: W - left - right,
        height: sy(base - lsc) - sy(base + lsc), fill: "#56B4E9", "fill-opacity": 0.18 }));
      root.appendChild(svg("line", { x1: left, x2: W - right, y1: sy(base), y2: sy(base),
        stroke: "#0072B2", "stroke-dasharray": "5 4", "stroke-width": 1 }));
    }
    // Axes and ticks.
    root.appendChild(svg("line", { x1: left, x2: left, y1: top, y2: H - bottom, stroke: "#8C959F" }));
    root.appendChild(svg("line", { x1: left, x2: W - right, y1: H - bottom, y2: H - bottom, stroke: "#8C959F" }));
    for (let k = 0; k <= 4; k++) {
      const value = lo + ((hi - lo) * k) / 4;
      const y = sy(value);
      root.appendChild(svg("line", { x1: left - 4, x2: left, y1: y, y2: y, stroke: "#8C959F" }));
      root.appendChild(svg("text", { x: left - 7, y: y + 4, "text-anchor": "end", class: "tick" }, value.toFixed(3)));
    }
    const firstYear = Number(points[0][0].slice(0, 4));
    const lastYear = Number(points[points.length - 1][0].slice(0, 4)) + 1;
    const step = Math.max(1, Math.ceil((lastYear - firstYear + 1) / 6));
    let ticks = 0;
    for (let year = firstYear; year <= lastYear; year += step) {
      const x = Date.UTC(year, 0, 1) / 86400000;
      if (x < x0 || x > x1) continue;
      ticks++;
      root.appendChild(svg("line", { x1: sx(x), x2: sx(x), y1: H - bottom, y2: H - bottom + 4, stroke: "#8C959F" }));
      root.appendChild(svg("text", { x: sx(x), y: H - bottom + 16, "text-anchor": "middle", class: "tick" }, String(year)));
    }
    if (ticks === 0) {
      root.appendChild(svg("text", { x: sx(xs[0]), y: H - bottom + 16, "text-anchor": "middle", class: "tick" }, points[0][0]));
    }
    root.appendChild(svg("text", { x: (left + W - right) / 2, y: H - 6, "text-anchor": "middle", class: "axis" }, "visit date"));
    root.appendChild(svg("text", { x: 14, y: (top + H - bottom) / 2, "text-anchor": "middle", class: "axis",
      transform: "rotate(-90 14 " + (top + H - bottom) / 2 + ")" }, "BMD g/cm²"));
    // The series and its points, coloured by the comparison with the prior visit.
    root.appendChild(svg("polyline", { points: points.map((p, i) => sx(xs[i]) + "," + sy(p[1])).join(" "),
      fill: "none", stroke: "#57606A", "stroke-width": 1.5 }));
    points.forEach((p, i) => {
      const [date, bmd, region, outcome] = p;
      const colour = COLOURS[outcome] || "#CC79A7";
      const dot = svg("circle", { cx: sx(xs[i]), cy: sy(bmd), r: 5, fill: outcome === "not_comparable" ? "#ffffff" : colour,
        stroke: colour, "stroke-width": 2 });
      dot.appendChild(svg("title", {}, date + ": " + bmd.toFixed(3) + " g/cm² at " + region +
        " (" + (WORDS[outcome] || outcome) + (outcome ? " vs prior" : "") + ")"));
      root.appendChild(dot);
      if (points.length <= 6) {
        root.appendChild(svg("text", { x: sx(xs[i]), y: sy(bmd) - 9, "text-anchor": "middle", class: "value" },
          bmd.toFixed(3)));
      }
    });
    const figure = html("figure", { class: "trend-figure" });
    figure.appendChild(root);
    const caption = html("figcaption", {});
    caption.appendChild(html("strong", {}, where));
    caption.appendChild(document.createTextNode(": " + points.length + " visits; band: first BMD ± LSC " +
      (lsc === null ? "(not known)" : lsc.toFixed(3) + " g/cm², " + series.lscText)));
    figure.appendChild(caption);
    return figure;
  }

  function legend() {
    const list = html("ul", { class: "trend-legend" });
    for (const key of ["", "stable", "significant_loss", "significant_gain", "not_comparable"]) {
      const item = html("li", {});
      const mark = html("span", { class: "dot" });
      mark.style.borderColor = COLOURS[key];
      mark.style.background = key === "not_comparable" ? "#ffffff" : COLOURS[key];
      item.appendChild(mark);
      item.appendChild(document.createTextNode(WORDS[key] + (key ? " vs prior" : "")));
      list.appendChild(item);
    }
    const band = html("li", {});
    band.appendChild(html("span", { class: "band" }));
    band.appendChild(document.createTextNode("first BMD ± LSC"));
    list.appendChild(band);
    return list;
  }

  function show(patient) {
    panel.textContent = "";
    panel.appendChild(html("h3", {}, "BMD over time: patient " + patient));
    for (const row of table.tBodies[0].rows) {
      row.classList.toggle("picked", row.dataset.patient === patient);
    }
    const list = trends[patient];
    if (!list || list.length === 0) {
      panel.appendChild(html("p", { class: "no-data" },
        "No follow-up series for this patient: one visit, or no BMD at a monitored site."));
      return;
    }
    panel.appendChild(legend());
    const grid = html("div", { class: "trend-grid" });
    for (const series of list) grid.appendChild(chart(series));
    panel.appendChild(grid);
    panel.appendChild(html("p", { class: "note" },
      "Change is judged on BMD in g/cm² on the same device (followup.csv); a point on " +
      "another device or vertebral set is not comparable (hollow)."));
  }

  table.tBodies[0].addEventListener("click", (event) => {
    const row = event.target.closest("tr");
    if (row && row.dataset.patient !== undefined) show(row.dataset.patient);
  });
  // The first listed patient with a series is shown at once.
  const first = Array.from(table.tBodies[0].rows).find((row) => trends[row.dataset.patient]);
  if (first) show(first.dataset.patient);
})();
