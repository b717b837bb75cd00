// The search form shows what the chosen kind of search asks for, and only
// that: the stakeout's point, the geofence's corners or the convoy's
// minutes appear with their search; the plate field says whether it is a
// plate, a pattern or an optional filter. Without this script every field
// shows and the server takes what its search needs.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("search");
  const kind = form && form.querySelector('select[name="kind"]');
  if (!kind) return;
  const plate = form.querySelector('input[name="plate"]');
  const label = document.getElementById("plate-label");
  const hint = document.getElementById("kind-hint");
  const kinds = {
    plate: ["Plate", "AB1C2D", true, "Every read of one plate, newest first."],
    partial: ["Pattern", "AB?C*", true, "? stands for one character, * for any run of them."],
    misread: ["Plate", "AB1C2D", true, "Reads one look-alike character or one edit away (8 for B, 0 for D …)."],
    locate: ["Plate", "AB1C2D", true, "Where and when one plate is seen: places, hours and weekdays."],
    convoy: ["Plate", "AB1C2D", true, "Plates read near this one, within the minutes below, more than once."],
    stakeout: ["Plate or pattern (optional)", "empty: every plate", false, "Reads within the radius of a point; a plate or pattern narrows them."],
    geofence: ["Plate or pattern (optional)", "empty: every plate", false, "Reads inside a polygon of three or more corners; a plate or pattern narrows them."],
  };
  const show = () => {
    const k = kind.value;
    const [text, example, required, says] = kinds[k] || kinds.plate;
    label.textContent = text;
    plate.placeholder = example;
    plate.required = required;
    hint.textContent = says;
    for (const el of form.querySelectorAll("[data-kinds]")) {
      const mine = el.dataset.kinds.split(" ").includes(k);
      el.hidden = !mine;
      for (const input of el.querySelectorAll("input")) {
        input.disabled = !mine;
        input.required = mine && input.dataset.required === "true";
      }
    }
  };
  kind.addEventListener("change", show);
  show();
});
