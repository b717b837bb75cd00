// The back office's maps, drawn with Leaflet (vendored, static/leaflet).
// Tiles come only from the tile server the department configured (alpr
// serve --map-tiles, in the map element's data-tiles); without one a map
// is a plain ground with a scale. PlateMap.make and PlateMap.draw serve
// the search page (#map, its data in data-map: backoffice/maps.go) and the
// dispatch board (dispatchmap.js).
"use strict";
window.PlateMap = {
  // make turns el into a map: tiles or a plain ground, and a scale.
  make(el, tiles, attribution, maxZoom) {
    const map = L.map(el, { maxZoom: maxZoom, zoomSnap: 0.5, attributionControl: !!tiles });
    if (tiles) {
      L.tileLayer(tiles, { maxZoom: maxZoom, attribution: attribution || "" }).addTo(map);
    } else {
      el.classList.add("no-tiles");
    }
    L.control.scale({ metric: true, imperial: true }).addTo(map);
    map.plateLayer = L.layerGroup().addTo(map);
    return map;
  },

  // draw replaces what map shows with m: points ({lat, lon, r, title,
  // color}), a stakeout's circle, a geofence's polygon; refit moves the
  // view onto them (set before drawing: Leaflet projects layers on adding).
  draw(map, m, refit) {
    const pts = m.points || [];
    let b = null;
    const grow = (x) => { b = b ? b.extend(x) : x; };
    if (m.circle) grow(L.latLng(m.circle.lat, m.circle.lon).toBounds(2 * m.circle.radiusM));
    if (m.polygon && m.polygon.length >= 3) grow(L.latLngBounds(m.polygon));
    for (const p of pts) grow(L.latLngBounds([p.lat, p.lon], [p.lat, p.lon]));
    if (b && refit) {
      // One point, or points on one spot: a street's width around it.
      map.fitBounds(b.pad(0.1), { maxZoom: Math.min(17, map.getMaxZoom()), padding: [20, 20], animate: false });
    }
    if (!map._loaded) return false; // nothing to look at, no view: nothing drawn
    const layer = map.plateLayer;
    layer.clearLayers();
    if (m.circle) {
      L.circle([m.circle.lat, m.circle.lon], { radius: m.circle.radiusM, className: "map-circle", color: "#1f4e79", weight: 2, fillOpacity: 0.08 })
        .bindTooltip("stakeout: " + Math.round(m.circle.radiusM) + " m around " + m.circle.lat.toFixed(5) + ", " + m.circle.lon.toFixed(5)).addTo(layer);
    }
    if (m.polygon && m.polygon.length >= 3) {
      L.polygon(m.polygon, { className: "map-fence", color: "#1f4e79", weight: 2, fillOpacity: 0.08 }).bindTooltip("geofence").addTo(layer);
    }
    for (const p of pts) {
      const c = p.color || "#c0392b";
      L.circleMarker([p.lat, p.lon], { radius: p.r, color: "#1b1b1b", weight: 1, fillColor: c, fillOpacity: 0.8, className: "map-point" })
        .bindTooltip(p.title).addTo(layer);
    }
    return true;
  },
};

document.addEventListener("DOMContentLoaded", () => {
  const el = document.getElementById("map");
  if (!el || !el.dataset.map || typeof L === "undefined") return;
  const m = JSON.parse(el.dataset.map);
  const map = window.PlateMap.make(el, m.tiles, m.attribution, m.maxZoom);
  if (window.PlateMap.draw(map, m, true)) el.dataset.ready = "true";
});
