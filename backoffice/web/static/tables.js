// Sortable, filterable result tables (the back office's only script
// besides the dispatch board's; loaded from /static, as the CSP allows).
// A table with class "sortable" gets a button in each header cell:
// pressing it sorts the rows by that column, pressing it again reverses
// them, and aria-sort says how. Above the table, a field hides the rows
// that do not contain what is typed, and says how many are shown.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  for (const table of document.querySelectorAll("table.sortable")) {
    const head = table.tHead && table.tHead.rows[0];
    const body = table.tBodies[0];
    if (!head || !body || body.rows.length < 2) continue;
    [...head.cells].forEach((th, col) => {
      const label = th.textContent.trim();
      if (!label || th.hasAttribute("data-nosort")) return;
      const b = document.createElement("button");
      b.type = "button";
      b.className = "sort";
      b.textContent = label;
      b.title = "Sort by " + label;
      th.textContent = "";
      th.appendChild(b);
      b.addEventListener("click", () => {
        const asc = th.getAttribute("aria-sort") !== "ascending";
        for (const other of head.cells) other.removeAttribute("aria-sort");
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        const key = (r) => (r.cells[col] ? (r.cells[col].dataset.sort ?? r.cells[col].textContent.trim()) : "");
        const rows = [...body.rows];
        const numeric = rows.every((r) => key(r) === "" || !Number.isNaN(Number(key(r))));
        rows.sort((x, y) => {
          const d = numeric ? Number(key(x)) - Number(key(y)) : key(x).localeCompare(key(y), undefined, { numeric: true });
          return asc ? d : -d;
        });
        body.append(...rows);
      });
    });
    const field = document.createElement("input");
    field.type = "search";
    field.placeholder = "Filter these rows";
    field.setAttribute("aria-label", "Filter these rows");
    field.className = "filter";
    const said = document.createElement("span");
    said.setAttribute("role", "status");
    const p = document.createElement("p");
    p.append(field, " ", said);
    (table.parentElement.classList.contains("scroll") ? table.parentElement : table).before(p);
    field.addEventListener("input", () => {
      const q = field.value.trim().toLowerCase();
      let shown = 0;
      for (const r of body.rows) {
        r.hidden = q !== "" && !r.textContent.toLowerCase().includes(q);
        if (!r.hidden) shown++;
      }
      said.textContent = q ? shown + " of " + body.rows.length + " rows shown" : "";
    });
  }
});
