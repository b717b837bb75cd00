// Plateward alert page: live reads and hits over Server-Sent Events, a
// full-screen card per hit with its tone, and the officer's three steps.
"use strict";
(function () {
  const token = document.querySelector('meta[name="plateward-token"]').content;
  // Every time in the department's zone, 24-hour, with its abbreviation
  // (14:30:05 CST), whatever the car computer's own settings.
  const clock = new Intl.DateTimeFormat("en-US", {
    timeZone: document.querySelector('meta[name="plateward-tz"]').content,
    hourCycle: "h23", hour: "2-digit", minute: "2-digit", second: "2-digit", timeZoneName: "short",
  });
  const at = (t) => clock.format(new Date(t));
  const hits = new Map(); // id → hit state from the server
  let shown = null;       // id of the hit on the card
  let rendered = null;    // id of the hit the card's form and crop belong to
  let muted = false;
  let audio = null;
  let toneTimer = null;
  const $ = (id) => document.getElementById(id);

  // Tones: a pattern of pitches per priority. High priority repeats until
  // the officer confirms and ignores the mute button.
  function playTone(h) {
    stopTone();
    const st = h.style;
    if (muted && st.Mutable) return;
    try {
      audio = audio || new AudioContext();
      if (audio.state === "suspended") audio.resume();
    } catch (e) { return; }
    // A page loaded without a touch or key (a reload, a restart) may not
    // sound until one: say so, and sound at the first.
    $("sound-off").hidden = audio.state === "running";
    let i = 0, plays = 0;
    const step = () => {
      const hz = st.ToneHz[i % st.ToneHz.length];
      if (hz > 0) {
        const osc = audio.createOscillator(), gain = audio.createGain();
        osc.frequency.value = hz; osc.type = "square"; gain.gain.value = 0.2;
        osc.connect(gain).connect(audio.destination);
        osc.start(); osc.stop(audio.currentTime + st.ToneMs / 1000);
      }
      i++;
      if (i % st.ToneHz.length === 0) plays++;
      if (st.Repeat > 0 && plays >= st.Repeat) { stopTone(); return; }
    };
    step();
    toneTimer = setInterval(step, st.ToneMs);
    document.body.dataset.tone = h.hit.priority;
    document.body.dataset.tones = String(Number(document.body.dataset.tones) + 1);
  }
  function stopTone() {
    if (toneTimer) clearInterval(toneTimer);
    toneTimer = null;
    document.body.dataset.tone = "";
  }

  function kindLabel(h) {
    switch (h.hit.match_kind || h.hit.MatchKind) {
      case "exact": return "HIT";
      case "partial": return "POSSIBLE HIT ≈ (partial plate)";
      default: return "POSSIBLE HIT ≈ (look-alike reading)";
    }
  }

  // Priority decides what the card shows: high before medium before low,
  // the newest first within a priority.
  const rank = { high: 0, medium: 1, low: 2 };
  const prio = (h) => (h.hit.Priority in rank ? rank[h.hit.Priority] : 3);
  const before = (a, b) => prio(a) < prio(b) || (prio(a) === prio(b) && new Date(a.read_at) > new Date(b.read_at));
  function pendingHits() {
    return [...hits.values()].filter((h) => !h.done).sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0));
  }
  function nextHit() {
    const p = pendingHits();
    return p.length ? p[0].hit.ID : null;
  }

  // A new hit gets the card when none is shown or it outranks the one
  // shown; an equal or lower one waits in the list (the officer may be
  // half-way through the shown one's steps).
  function takesCard(h) {
    const cur = shown && hits.get(shown);
    return !cur || cur.done || prio(h) < prio(cur);
  }

  // A card starts clean for its own hit: no other hit's crop, note or
  // disposition, not even for a frame.
  function resetCardFor(id) {
    const img = $("card-crop");
    img.hidden = true;
    img.removeAttribute("src");
    img.dataset.for = id;
    img.onload = () => { if (img.dataset.for === shown) img.hidden = false; };
    if (id) img.src = "/crop/" + encodeURIComponent(hits.get(id).hit.ReadID);
    $("code").value = "";
    $("note").value = "";
    $("card-error").textContent = "";
    rendered = id;
  }

  function renderCard() {
    const card = $("card");
    if (!shown || !hits.has(shown)) { card.hidden = true; resetCardFor(null); return; }
    const h = hits.get(shown), x = h.hit;
    if (document.activeElement && document.activeElement.disabled) document.activeElement.blur();
    if (rendered !== shown) resetCardFor(shown);
    card.hidden = false;
    card.style.setProperty("--hit-colour", h.colour);
    card.style.setProperty("--hit-ink", h.style.Ink || "#fff");
    $("card-kind").textContent = kindLabel(h);
    $("card-list").textContent = x.ListName + " · " + x.Priority.toUpperCase() + " priority";
    $("card-read").textContent = x.Plate;
    $("card-camera").textContent = x.Camera;
    $("card-time").textContent = at(h.read_at);
    $("card-plate").textContent = x.MatchedPlate;
    $("card-state").textContent = x.ListState || "—";
    $("card-reason").textContent = x.Reason;
    $("card-nic").textContent = x.NCICNumber || "—";
    $("card-vehicle").textContent = x.VehicleDesc || "—";
    const c = $("step-confirm"), v = $("step-verify"), d = $("step-disposition");
    c.className = h.confirmed ? "done" : "";
    v.className = h.confirmed !== "match" || h.verified ? (h.verified ? "done" : "locked") : "";
    d.className = (h.confirmed === "misread" || h.verified) ? "" : "locked";
    $("answer-confirm").textContent = answers[h.confirmed] || "";
    $("answer-verify").textContent = answers[h.verified] || "";
    // Done and locked steps cannot be pressed, from the keyboard either.
    for (const li of [c, v, d]) {
      li.querySelectorAll("button, select, input").forEach((el) => { el.disabled = li.className !== ""; });
    }
    if (h.confirmed === "misread" && !$("code").value) $("code").value = "misread";
    const ready = card.querySelector(".steps li:not(.done):not(.locked) button, .steps li:not(.done):not(.locked) select");
    if (ready && !card.contains(document.activeElement)) ready.focus();
    else if (ready && document.activeElement && document.activeElement.disabled) ready.focus();
  }
  const answers = {
    match: "Answered: yes, it matches", misread: "Answered: no, misread",
    wanted: "Answered: still wanted", "not-wanted": "Answered: no longer valid",
  };

  function renderPending() {
    const ul = $("pending");
    ul.replaceChildren();
    const p = pendingHits();
    for (const h of p) {
      const id = h.hit.ID;
      const li = document.createElement("li");
      const b = document.createElement("button");
      b.type = "button";
      b.textContent = at(h.read_at) + "  " + h.hit.Plate + " — " + h.hit.Reason + " (" + h.hit.Priority + ")";
      b.addEventListener("click", () => { shown = id; renderCard(); });
      li.dataset.hit = id;
      li.dataset.priority = h.hit.Priority;
      li.append(b);
      ul.append(li);
    }
    $("pending-count").textContent = String(p.length);
    renderHandled();
  }

  // The shift's handled hits, newest first, with the disposition given.
  function renderHandled() {
    const done = [...hits.values()].filter((h) => h.done).sort((a, b) => new Date(b.read_at) - new Date(a.read_at));
    const ul = $("handled");
    ul.replaceChildren();
    for (const h of done) {
      const li = document.createElement("li");
      li.dataset.hit = h.hit.ID;
      li.textContent = at(h.read_at) + "  " + h.hit.Plate + " — " + h.hit.ListName + ", " +
        h.hit.Reason + ": " + codeLabel(h.code);
      ul.append(li);
    }
    $("handled-count").textContent = String(done.length);
  }
  function codeLabel(code) {
    const o = [...$("code").options].find((x) => x.value === code);
    return o ? o.textContent : code;
  }

  // Status: what stops reads or their positions (cameras, GPS, the drive)
  // is an alarm across the page; the rest (list ages, pulls) stays in the
  // header.
  const critical = (key) => key === "gps" || key === "drive" || key.startsWith("camera-") || key.startsWith("selfcheck-");
  function renderStatus(st) {
    const alarms = $("alarms"), status = $("status");
    alarms.replaceChildren();
    status.replaceChildren();
    for (const key of Object.keys(st || {}).sort()) {
      const el = document.createElement(critical(key) ? "p" : "span");
      el.textContent = st[key];
      el.dataset.key = key;
      (critical(key) ? alarms : status).append(el);
    }
    if (!alarms.children.length) {
      const ok = document.createElement("span");
      ok.id = "status-ok";
      ok.textContent = "Cameras, GPS and drive working";
      status.prepend(ok);
    }
  }

  function addRead(r, prepend) {
    const li = document.createElement("li");
    li.textContent = at(r.at) + "  " + r.plate + "  " + r.camera;
    const ul = $("reads");
    prepend ? ul.prepend(li) : ul.append(li);
    while (ul.children.length > 100) ul.lastChild.remove();
  }

  function onHit(h) {
    const fresh = !hits.has(h.hit.ID);
    if (fresh && !h.done) {
      $("announce").textContent = h.hit.Priority + " priority " + kindLabel(h) + ": " + h.hit.Plate + ", " + h.hit.Reason;
    }
    if (fresh && !h.done && takesCard(h)) { hits.set(h.hit.ID, h); shown = h.hit.ID; playTone(h); }
    hits.set(h.hit.ID, h);
    if (h.confirmed && shown === h.hit.ID && toneTimer) stopTone();
    if (h.done && shown === h.hit.ID) shown = nextHit();
    renderCard(); renderPending();
  }

  async function post(url, body) {
    const res = await fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Plateward-Token": token },
      body: JSON.stringify(body || {}),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data.error || res.statusText);
    return data;
  }

  document.querySelectorAll("[data-step]").forEach((b) => b.addEventListener("click", async () => {
    $("card-error").textContent = "";
    const step = b.dataset.step;
    const value = step === "disposition" ? $("code").value : b.dataset.value;
    const note = step === "disposition" ? $("note").value : "";
    const id = rendered; // the hit the form was filled in for
    if (!id || id !== shown) return;
    if (step === "disposition" && !value) { $("card-error").textContent = "Choose a disposition."; return; }
    try { await post("/hits/" + encodeURIComponent(id) + "/" + step, { value, note }); }
    catch (e) { $("card-error").textContent = e.message; }
  }));
  $("card-later").addEventListener("click", () => { shown = null; stopTone(); renderCard(); });
  document.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && !$("card").hidden) { e.preventDefault(); $("card-later").click(); }
  });
  // Browsers sound only after a touch or a key: the first one turns the
  // tones on, and the shown hit sounds if the officer has not confirmed it.
  const unlock = () => {
    if (!audio || audio.state === "running") return;
    audio.resume().then(() => {
      $("sound-off").hidden = true;
      const h = shown && hits.get(shown);
      if (h && !h.done && !h.confirmed && !toneTimer) playTone(h);
    });
  };
  document.addEventListener("keydown", unlock, true);
  document.addEventListener("pointerdown", unlock, true);
  $("mute").addEventListener("click", () => {
    muted = !muted;
    $("mute").textContent = muted ? "Unmute" : "Mute low/medium";
    if (muted && shown && hits.get(shown).style.Mutable) stopTone();
  });
  $("logout").addEventListener("click", async () => {
    try { await post("/logout"); document.body.textContent = "Logged out. Shift closed."; }
    catch (e) { $("override-msg").textContent = e.message; $("override").showModal(); }
  });
  $("override-cancel").addEventListener("click", () => $("override").close());
  $("override-go").addEventListener("click", async () => {
    try {
      await post("/logout", { supervisor: $("sup-id").value, pin: $("sup-pin").value });
      document.body.textContent = "Logged out by supervisor override. Shift closed.";
    } catch (e) { $("override-msg").textContent = e.message; }
  });

  const es = new EventSource("/events");
  es.addEventListener("snapshot", (e) => {
    const s = JSON.parse(e.data);
    $("reads").replaceChildren();
    (s.reads || []).forEach((r) => addRead(r, true));
    (s.hits || []).forEach((h) => hits.set(h.hit.ID, h));
    if (!shown) shown = nextHit();
    renderStatus(s.status);
    renderCard(); renderPending();
    // A reload must not silence a hit the officer has not confirmed.
    const h = shown && hits.get(shown);
    if (h && !h.done && !h.confirmed) playTone(h);
  });
  es.addEventListener("read", (e) => addRead(JSON.parse(e.data), true));
  es.addEventListener("hit", (e) => onHit(JSON.parse(e.data)));
  es.addEventListener("status", (e) => renderStatus(JSON.parse(e.data)));
  es.addEventListener("logout", () => { es.close(); document.body.textContent = "Logged out. Shift closed."; });
})();
