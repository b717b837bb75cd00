// The dispatch board's map: where each open hit was read, coloured by
// priority, redrawn whenever the board's rows change (dispatch.js sends
// "board-updated"). Hidden while no open hit has a position.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("dispatch-map");
  const fig = document.getElementById("dispatch-map-figure");
  const rows = document.getElementById("board-rows");
  if (!el || !fig || !rows || typeof L === "undefined") return;
  const map = window.PlateMap.make(el, el.dataset.tiles, el.dataset.attribution, Number(el.dataset.maxZoom));
  const colors = { high: "#b00020", medium: "#b35900", low: "#1f4e79" };
  let shown = "";
  const redraw = () => {
    // Low first, high last: a high hit is drawn on top of any at its place.
    const rank = { low: 0, medium: 1, high: 2 };
    const open = [...rows.querySelectorAll('tr[data-hit][data-acked="no"][data-lat]')]
      .sort((a, b) => (rank[a.dataset.priority] || 0) - (rank[b.dataset.priority] || 0));
    const pts = open.map((tr) => ({
      lat: Number(tr.dataset.lat), lon: Number(tr.dataset.lon), r: tr.dataset.priority === "high" ? 10 : 7,
      color: colors[tr.dataset.priority] || colors.low, title: tr.dataset.label,
    }));
    fig.hidden = pts.length === 0;
    el.dataset.points = String(pts.length);
    if (fig.hidden) return;
    map.invalidateSize();
    const ids = open.map((tr) => tr.dataset.hit).join(" ");
    window.PlateMap.draw(map, { points: pts }, ids !== shown); // the view moves only when the hits change
    shown = ids;
  };
  rows.addEventListener("board-updated", redraw);
  redraw();
});
