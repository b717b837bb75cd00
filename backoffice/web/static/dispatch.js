// Plateward dispatch board: fetches the board's rows every few seconds and
// updates the table in place. A row being worked on (a note typed, or the
// focus in it) stays as it is until it is acknowledged; rows never move
// under the pointer; a new high-priority hit is highlighted and sounds.
"use strict";
(function () {
  const rows = document.getElementById("board-rows");
  if (!rows) return;
  const state = document.getElementById("board-state");
  let audio = null;
  const known = new Set([...rows.querySelectorAll("tr[data-hit]")].map((tr) => tr.dataset.hit));
  const sounded = new Set();

  function sound() {
    try {
      audio = audio || new AudioContext();
      if (audio.state === "suspended") audio.resume();
      [880, 0, 880].forEach((hz, i) => {
        if (!hz) return;
        const o = audio.createOscillator(), g = audio.createGain();
        o.frequency.value = hz; o.type = "square"; g.gain.value = 0.2;
        o.connect(g).connect(audio.destination);
        o.start(audio.currentTime + i * 0.25); o.stop(audio.currentTime + i * 0.25 + 0.2);
      });
      document.body.dataset.sounds = String(Number(document.body.dataset.sounds || 0) + 1);
    } catch (e) { /* no sound device: the highlight stays */ }
  }

  // busy: a row the dispatcher is working on.
  const busy = (tr) => tr.contains(document.activeElement) || [...tr.querySelectorAll("input[name=note]")].some((i) => i.value !== "");

  async function update() {
    let res;
    try {
      res = await fetch("/dispatch/board", { credentials: "same-origin", headers: { Accept: "text/html" } });
    } catch (e) { state.textContent = "not updating: the back office is not reachable"; return; }
    if (res.redirected || !res.ok) { state.textContent = "not updating: log in again (" + res.status + ")"; return; }
    const t = document.createElement("template");
    t.innerHTML = await res.text();
    const fresh = [...t.content.querySelectorAll("tr")];
    // A new high-priority hit sounds at once, even while the board waits.
    let newHigh = false;
    for (const tr of fresh) {
      if (tr.dataset.priority === "high" && tr.dataset.acked === "no" && !sounded.has(tr.dataset.hit) && !known.has(tr.dataset.hit)) {
        sounded.add(tr.dataset.hit);
        newHigh = true;
      }
    }
    if (newHigh) sound();
    const open = res.headers.get("X-Open-Hits");
    const p = document.getElementById("open");
    if (open !== null && p) {
      document.getElementById("open-count").textContent = open;
      p.className = open === "0" ? "note" : "error";
    }
    // Rows do not move under the dispatcher's pointer: a click meant for
    // one hit must not land on another. The board waits for the pointer
    // to leave it.
    if (rows.matches(":hover")) {
      state.textContent = "new rows wait while the pointer is on the board";
      return;
    }
    const keep = new Map([...rows.querySelectorAll("tr[data-hit]")].map((tr) => [tr.dataset.hit, tr]));
    const next = [];
    for (const tr of fresh) {
      const old = tr.dataset.hit && keep.get(tr.dataset.hit);
      if (old && old.dataset.acked === tr.dataset.acked && (tr.dataset.acked === "yes" || busy(old))) {
        next.push(old); // unchanged, or being worked on: keep it, note and focus included
        continue;
      }
      if (tr.dataset.hit && !known.has(tr.dataset.hit)) {
        known.add(tr.dataset.hit);
        tr.classList.add("new");
      } else if (old && old.classList.contains("new") && tr.dataset.acked === "no") {
        tr.classList.add("new");
      }
      next.push(old && busy(old) && tr.dataset.acked === "no" ? old : tr);
    }
    rows.replaceChildren(...next);
    rows.dispatchEvent(new CustomEvent("board-updated"));
    state.textContent = "live, updated " + (res.headers.get("X-Board-Time") || "");
  }
  rows.addEventListener("focusin", (e) => { const tr = e.target.closest("tr"); if (tr) tr.classList.remove("new"); });
  rows.addEventListener("mouseleave", () => { if (state.textContent.startsWith("new rows wait")) update(); });
  setInterval(update, 4000);
})();
