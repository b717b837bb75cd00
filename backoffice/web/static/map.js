// The search page's map: the results' positions, the stakeout's circle and
// the geofence, drawn with Leaflet (vendored, static/leaflet) from the
// JSON in #map's data-map attribute (backoffice/maps.go). Tiles come only
// from the tile server the department configured (alpr serve --map-tiles);
// without one the map is a plain ground with a scale.
"use strict";
(function () {
  const el = document.getElementById("map");
  if (!el || typeof L === "undefined") {
    return;
  }
  const m = JSON.parse(el.dataset.map);
  const map = L.map(el, { maxZoom: m.maxZoom, zoomSnap: 0.5, attributionControl: !!m.tiles });
  if (m.tiles) {
    L.tileLayer(m.tiles, { maxZoom: m.maxZoom, attribution: m.attribution || "", crossOrigin: false }).addTo(map);
  } else {
    el.classList.add("no-tiles");
  }
  L.control.scale({ metric: true, imperial: true }).addTo(map);
  // Where to look first: every point and the search's own shape. The view
  // is set before anything is drawn (Leaflet projects layers on adding).
  const pts = m.points || [];
  let b = null;
  const grow = (x) => { b = b ? b.extend(x) : x; };
  if (m.circle) {
    grow(L.latLng(m.circle.lat, m.circle.lon).toBounds(2 * m.circle.radiusM));
  }
  if (m.polygon && m.polygon.length >= 3) {
    grow(L.latLngBounds(m.polygon));
  }
  for (const p of pts) {
    grow(L.latLngBounds([p.lat, p.lon], [p.lat, p.lon]));
  }
  if (!b) {
    return;
  }
  // One point, or points on one spot: a street's width around it.
  map.fitBounds(b.pad(0.1), { maxZoom: Math.min(17, m.maxZoom), padding: [20, 20], animate: false });
  // The search's own shape first, under the points.
  if (m.circle) {
    L.circle([m.circle.lat, m.circle.lon], { radius: m.circle.radiusM, className: "map-circle", color: "#1f4e79", weight: 2, fillOpacity: 0.08 })
      .bindTooltip("stakeout: " + Math.round(m.circle.radiusM) + " m around " + m.circle.lat.toFixed(5) + ", " + m.circle.lon.toFixed(5)).addTo(map);
  }
  if (m.polygon && m.polygon.length >= 3) {
    L.polygon(m.polygon, { className: "map-fence", color: "#1f4e79", weight: 2, fillOpacity: 0.08 }).bindTooltip("geofence").addTo(map);
  }
  for (const p of pts) {
    L.circleMarker([p.lat, p.lon], { radius: p.r, color: "#7b241c", weight: 1, fillColor: "#c0392b", fillOpacity: 0.7, className: "map-point" })
      .bindTooltip(p.title).addTo(map);
  }
  el.dataset.ready = "true";
})();
