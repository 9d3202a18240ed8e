// The chitchat dashboard: renders the node's view of the cluster from server-sent events (api/events), with no
// reload and no dependency. Every text from the cluster is inserted as text, never as HTML.
"use strict";

(() => {
  const maxEvents = 1000;
  const historyLength = 30;
  const phiHistory = new Map(); // member key -> recent phi values
  let current = null;
  let keysTimer = 0;

  const $ = (id) => document.getElementById(id);
  const el = (tag, text, className) => {
    const node = document.createElement(tag);
    if (text !== undefined && text !== null) node.textContent = String(text);
    if (className) node.className = className;
    return node;
  };
  const fmtPhi = (phi) => (phi === null || phi === undefined ? "–" : phi.toFixed(2));

  function historySvg(values, threshold) {
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "history");
    svg.setAttribute("viewBox", `0 0 ${historyLength - 1} 10`);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("aria-hidden", "true");
    // Scaled to the highest recent phi (at least 1, at most the threshold), so that small variations show.
    const scale = Math.min(threshold, Math.max(1, ...values.filter((v) => v !== null)));
    const points = values
      .map((v, i) => (v === null ? null : `${i + historyLength - values.length},${(10 - Math.min(v, scale) / scale * 9.5).toFixed(2)}`))
      .filter((p) => p !== null);
    if (points.length > 1) {
      const line = document.createElementNS(ns, "polyline");
      line.setAttribute("points", points.join(" "));
      line.setAttribute("stroke-width", "0.8");
      line.setAttribute("vector-effect", "non-scaling-stroke");
      svg.appendChild(line);
    }
    return svg;
  }

  function renderState(state) {
    current = state;
    $("cluster-id").textContent = state.clusterId;
    $("self").textContent = state.self;
    $("phi-threshold").textContent = String(state.phiThreshold);
    const t = state.totals;
    $("total-members").textContent = t.members;
    $("total-live").textContent = t.live;
    $("total-joining").textContent = t.joining;
    $("total-suspected").textContent = t.suspected;
    $("total-dead").textContent = t.dead;
    $("total-left").textContent = t.left;
    $("total-scheduled").textContent = t.scheduledForDeletion;
    $("total-keys").textContent = t.keys;
    $("set-key").hidden = !state.allowWrites;

    const body = document.querySelector("#members tbody");
    const rows = [];
    const seen = new Set();
    for (const m of state.members) {
      seen.add(m.key);
      const history = phiHistory.get(m.key) ?? [];
      history.push(m.isSelf ? null : m.phi);
      while (history.length > historyLength) history.shift();
      phiHistory.set(m.key, history);

      const tr = el("tr");
      tr.dataset.member = m.key;
      tr.dataset.state = m.state;
      const name = el("th", m.nodeId);
      name.scope = "row";
      if (m.isSelf) name.appendChild(el("span", " (this node)", "muted"));
      tr.appendChild(name);
      tr.appendChild(el("td", m.generation));
      tr.appendChild(el("td", m.address));
      tr.appendChild(el("td", m.state, `state state-${m.state.replaceAll(" ", "-")}`));

      const phiCell = el("td");
      if (m.isSelf) {
        phiCell.textContent = "–";
      } else {
        phiCell.appendChild(el("span", `${fmtPhi(m.phi)} / ${state.phiThreshold}`));
        if (m.phi !== null && m.phi !== undefined) {
          const bar = el("span", null, "phi-bar");
          const fill = el("span", null, m.phi > state.phiThreshold ? "over" : m.phi > state.phiThreshold / 2 ? "high" : "");
          fill.style.width = `${Math.min(100, m.phi / state.phiThreshold * 100).toFixed(0)}%`;
          bar.appendChild(fill);
          bar.setAttribute("aria-hidden", "true");
          phiCell.appendChild(bar);
        }
      }
      tr.appendChild(phiCell);
      const historyCell = el("td");
      historyCell.appendChild(historySvg(history, state.phiThreshold));
      const known = history.filter((v) => v !== null);
      historyCell.appendChild(el("span", known.length ? `max ${fmtPhi(Math.max(...known))} over the last ${history.length} s` : "none", "visually-hidden"));
      tr.appendChild(historyCell);
      tr.appendChild(el("td", m.heartbeat));
      const keysCell = el("td", m.keyCount);
      const browse = el("button", "browse", "link");
      browse.type = "button";
      browse.setAttribute("aria-label", `Browse the keys of ${m.nodeId} (generation ${m.generation})`);
      browse.addEventListener("click", () => {
        $("key-member").value = m.key;
        loadKeys();
        $("key-prefix").focus();
      });
      keysCell.append(" ", browse);
      tr.appendChild(keysCell);
      tr.appendChild(el("td", m.maxVersion));
      rows.push(tr);
    }
    // The rows are rebuilt at every update: give the focus back to the same button if it had it.
    const focused = document.activeElement?.closest?.("#members tbody tr")?.dataset.member;
    body.replaceChildren(...rows);
    if (focused) body.querySelector(`tr[data-member="${CSS.escape(focused)}"] button`)?.focus();
    for (const key of phiHistory.keys()) if (!seen.has(key)) phiHistory.delete(key);
    renderMemberChoice(state);
  }

  function renderMemberChoice(state) {
    const select = $("key-member");
    const selected = select.value || state.self;
    const wanted = state.members.map((m) => m.key);
    const existing = Array.from(select.options).map((o) => o.value);
    if (wanted.join("\n") !== existing.join("\n")) {
      select.replaceChildren(...state.members.map((m) => {
        const option = el("option", `${m.nodeId} (generation ${m.generation})${m.isSelf ? " — this node" : ""}`);
        option.value = m.key;
        return option;
      }));
      select.value = wanted.includes(selected) ? selected : state.self;
      if (select.value !== selected || existing.length === 0) loadKeys();
    }
  }

  async function loadKeys() {
    const member = $("key-member").value;
    if (!member) return;
    const prefix = $("key-prefix").value;
    const summary = $("keys-summary");
    try {
      const response = await fetch(`api/keys?member=${encodeURIComponent(member)}&prefix=${encodeURIComponent(prefix)}`);
      const answer = await response.json();
      if (!response.ok) {
        summary.textContent = answer.error;
        document.querySelector("#keys tbody").replaceChildren();
        return;
      }
      const shown = answer.keys.length;
      summary.textContent = `${answer.total} key${answer.total === 1 ? "" : "s"} of ${member}` +
        (prefix ? ` starting with “${prefix}”` : "") + (answer.truncated ? ` (first ${shown} shown)` : "");
      document.querySelector("#keys tbody").replaceChildren(...answer.keys.map((k) => {
        const tr = el("tr");
        tr.dataset.key = k.key;
        const key = el("th", k.key);
        key.scope = "row";
        tr.append(key, el("td", k.value, "value"), el("td", k.version), el("td", k.status));
        return tr;
      }));
    } catch (error) {
      summary.textContent = `cannot load the keys: ${error}`;
    }
  }

  function scheduleKeys() {
    clearTimeout(keysTimer);
    keysTimer = setTimeout(loadKeys, 150);
  }

  function describe(change) {
    const who = `${change.nodeId}@${change.generation}`;
    switch (change.kind) {
      case "KeySet": return `${who} set ${change.key} = ${change.value} (v${change.version})`;
      case "KeyDeleted": return `${who} deleted ${change.key} (v${change.version})`;
      case "KeyExpired": return `${who} key ${change.key} expired (v${change.version})`;
      case "MemberJoined": return `${who} joined`;
      case "MemberLive": return `${who} is live`;
      case "MemberDead": return `${who} is dead`;
      case "MemberLeft": return `${who} left`;
      case "MemberForgotten": return `${who} was forgotten`;
      case "Overflow": return `the page fell behind: ${change.droppedCount} changes were dropped`;
      default: return `${who} ${change.kind}`;
    }
  }

  function addEvent(change) {
    const list = $("events");
    const item = el("li");
    item.dataset.kind = change.kind;
    const now = new Date();
    const time = el("time", now.toLocaleTimeString());
    time.dateTime = now.toISOString();
    item.append(time, document.createTextNode(describe(change)));
    list.prepend(item);
    while (list.children.length > maxEvents) list.lastElementChild.remove();
    if (change.member === $("key-member").value || change.kind === "Overflow") scheduleKeys();
  }

  function connect() {
    const status = $("connection");
    const source = new EventSource("api/events");
    source.addEventListener("open", () => { status.textContent = "live"; });
    source.addEventListener("state", (e) => renderState(JSON.parse(e.data)));
    source.addEventListener("change", (e) => addEvent(JSON.parse(e.data)));
    source.addEventListener("error", () => { status.textContent = "disconnected, retrying…"; });
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("key-search").addEventListener("submit", (e) => { e.preventDefault(); loadKeys(); });
    $("key-member").addEventListener("change", loadKeys);
    $("key-prefix").addEventListener("input", scheduleKeys);
    $("set-key").addEventListener("submit", async (e) => {
      e.preventDefault();
      const result = $("set-key-result");
      const response = await fetch("api/keys", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ key: $("set-key-name").value, value: $("set-key-value").value }),
      });
      result.textContent = response.ok ? "set" : (await response.json()).error;
    });
    connect();
  });
})();
