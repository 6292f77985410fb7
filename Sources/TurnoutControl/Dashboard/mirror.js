// ---- shadow traffic -----------------------------------------------------------------------
// The mirror in force: the top-level block, or a route's own (status.routes[i].mirror is resolved).
function mirrorConfigured(s) { return !!(s.mirror || (s.routes || []).some(r => r.mirror)); }
function shadowErrors(c) { return Object.values(c.shadow_errors || {}).reduce((a, b) => a + b, 0); }
function fmtDiff(v) { return v == null ? "–" : (v > 0 ? "+" : v < 0 ? "−" : "") + fmtMs(Math.abs(v)); }

function renderMirror(s) {
  const section = document.getElementById("mirror-section");
  const doc = state.mirror;
  section.hidden = !mirrorConfigured(s);
  if (section.hidden || !doc) return;
  const root = document.getElementById("mirror");
  root.textContent = "";
  const t = doc.totals;
  const figures = [["mirrored", t.mirrored], ["matched", t.matched], ["status_mismatch", t.status_mismatch], ["body_mismatch", t.body_mismatch],
    ["noise", t.noise], ["errors", shadowErrors(t)], ["dropped", t.dropped], ["too_large", t.too_large], ["in_flight", doc.in_flight]];
  root.append(el("p", { id: "mirror-totals" }, ...figures.map(([name, value], i) => el("span", { "data-count": name },
    (i ? " · " : "") + name.replace(/_/g, " ") + " ", el("b", { text: String(value) })))));
  if (!doc.counts.length) { root.append(el("p", { class: "muted", text: "No request copied yet." })); return; }
  const head = ["route", "pool → shadow", "mirrored", "matched", "status ≠", "body ≠", "noise", "errors", "dropped", "too large", "p50 shadow − primary", "p99 shadow − primary"];
  root.append(el("div", { class: "tablewrap" }, el("table", { id: "mirror-counts" },
    el("thead", {}, el("tr", {}, ...head.map((h, i) => el("th", { class: i > 1 ? "num" : "", text: h })))),
    el("tbody", {}, ...doc.counts.map(c => el("tr", { "data-key": c.route + " " + c.pool + " " + c.shadow },
      el("td", { text: c.route }),
      el("td", { style: "white-space:nowrap" }, el("span", { class: "sw", style: "background:" + poolColor(c.pool) }), c.pool + " → ", el("span", { class: "sw", style: "background:" + poolColor(c.shadow) }), c.shadow),
      ...[c.mirrored, c.matched, c.status_mismatch, c.body_mismatch, c.noise, shadowErrors(c), c.dropped, c.too_large].map(v => el("td", { class: "num", text: String(v) })),
      el("td", { class: "num", text: fmtDiff(c.latency_difference_ms.p50) }),
      el("td", { class: "num", text: fmtDiff(c.latency_difference_ms.p99) })))))));
  const mismatches = doc.mismatches.slice(0, 10);
  root.append(el("h3", {}, "Latest mismatches ", el("span", { class: "muted", text: "(newest first; " + doc.mismatches.length + " kept, all in GET /mirror)" })));
  if (!mismatches.length) { root.append(el("p", { class: "muted", text: "None: every compared answer matched." })); return; }
  const answer = a => a.status + " · " + a.body_bytes + " B";
  root.append(el("div", { class: "tablewrap" }, el("table", { id: "mirror-mismatches" },
    el("thead", {}, el("tr", {}, ...["time", "request", "kind", "primary", "shadow", "bodies start"].map(h => el("th", { text: h })))),
    el("tbody", {}, ...mismatches.map(m => el("tr", { "data-kind": m.kind },
      el("td", { class: "num", text: localTime(m.at) }),
      el("td", { text: m.method + " " + m.path }),
      el("td", { text: m.kind.replace("_", " ") }),
      el("td", { class: "num", "data-status": String(m.primary.status), title: m.primary.pool + " digest " + m.primary.digest, text: answer(m.primary) }),
      el("td", { class: "num", "data-status": String(m.shadow.status), title: m.shadow.pool + " digest " + m.shadow.digest, text: answer(m.shadow) }),
      el("td", { class: "muted", text: m.primary.prefix.slice(0, 40) + "  |  " + m.shadow.prefix.slice(0, 40) })))))));
}

