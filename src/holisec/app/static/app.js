/* holisec dashboard: draws each page's charts from the JSON embedded in #page-data with the
   locally served plotly.js. Every scale: 0-100, higher = more risk. No external requests. */
"use strict";
(function () {
  const DATA = JSON.parse(document.getElementById("page-data").textContent || "{}");
  const CONFIG = { responsive: true, displaylogo: false, topojsonURL: "/static/topojson/",
                   modeBarButtonsToRemove: ["sendDataToCloud"] };
  const SCALE = "YlOrRd";   /* ColorBrewer sequential, colour-blind safe; darker = more risk */
  const RISK = "score 0-100<br>higher = more risk";
  const fmt = (v, d = 1) => (v === null || v === undefined || Number.isNaN(v)) ? "–" : Number(v).toFixed(d);
  const el = (id) => document.getElementById(id);
  const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;"}[c]));
  const layoutBase = (extra) => Object.assign({ margin: { l: 50, r: 20, t: 30, b: 40 }, font: { family: "DejaVu Sans, sans-serif", size: 12 } }, extra);
  window.holisec = { ready: false, renderMs: null };
  /* plotly.js (4.8 MB) is loaded only when a chart is drawn (preloaded in the head of chart pages) */
  let plotlyP = null;
  const plotly = () => plotlyP || (plotlyP = new Promise((ok, fail) => {
    if (window.Plotly) { ok(window.Plotly); return; }
    const s = document.createElement("script");
    s.src = document.body.dataset.plotly;
    s.onload = () => ok(window.Plotly); s.onerror = () => fail(new Error("plotly.js did not load"));
    document.head.appendChild(s);
  }));
  const done = () => { window.holisec.ready = true; window.holisec.renderMs = performance.now(); };

  async function json(url, opts) {
    const r = await fetch(url, opts);
    const body = await r.json();
    if (!r.ok) throw new Error(body.error || r.statusText);
    return body;
  }

  /* ---------- world map ---------- */
  async function world() {
    const [geo] = await Promise.all([json("/static/world_110m.geojson"), plotly()]);
    let map = DATA.map;
    const yearInput = el("year"), names = {};
    DATA.names.forEach((n) => { names[n.entity] = n.name; });
    const column = (year) => map.values.map((row) => row[map.periods.indexOf(year)]);
    const trace = (year) => ({
      type: "choropleth", geojson: geo, featureidkey: "id", locations: map.entities, z: column(year),
      text: map.entities.map((e) => names[e] || e), zmin: 0, zmax: 100, colorscale: SCALE, reversescale: true,
      hovertemplate: "%{text}: %{z:.1f}<extra></extra>", marker: { line: { color: "#fff", width: 0.4 } },
      colorbar: { title: { text: RISK }, thickness: 14 } });
    const layout = layoutBase({ margin: { l: 0, r: 0, t: 0, b: 0 },
      geo: { fitbounds: false, visible: false, lataxis: { range: [-57, 84] }, center: { lon: 10, lat: 12 }, showcountries: false, showcoastlines: false, showland: false,
             showocean: false, showlakes: false, showrivers: false, showframe: false, projection: { type: "natural earth" },
             bgcolor: "#eef3f8" } });
    const div = el("map");
    const update = () => {
      const y = Number(yearInput.value);
      el("year-out").textContent = y; yearInput.setAttribute("aria-valuetext", y);
      document.querySelectorAll(".y").forEach((s) => { s.textContent = y; });
      Plotly.react(div, [trace(y)], layout, CONFIG);
      const col = column(y), order = map.entities.map((e, i) => [e, col[i]]).filter((p) => p[1] !== null)
        .sort((a, b) => b[1] - a[1]).slice(0, 15);
      el("top-list").innerHTML = order.map((p) => `<li><a href="/country/${p[0]}?year=${y}">${esc(names[p[0]] || p[0])}</a> <span class="num">${fmt(p[1])}</span></li>`).join("");
    };
    await Plotly.newPlot(div, [trace(Number(yearInput.value))], layout, CONFIG);
    update();
    div.on("plotly_click", (ev) => { const p = ev.points && ev.points[0]; if (p) location.href = `/country/${p.location}?year=${yearInput.value}`; });
    yearInput.addEventListener("input", update);
    el("map-code").addEventListener("change", async (ev) => {
      map = await json(`/api/map/${encodeURIComponent(ev.target.value)}`);
      el("map-caption").firstChild.textContent = `${map.name}, `;
      update();
    });
    const go = () => {
      const q = el("search").value.trim().toLowerCase(); if (!q) return;
      const hit = DATA.names.find((n) => n.name.toLowerCase() === q || n.entity.toLowerCase() === q)
        || DATA.names.find((n) => n.name.toLowerCase().startsWith(q));
      if (hit) location.href = `/country/${hit.entity}?year=${yearInput.value}`;
      else el("search").setCustomValidity("no such country"), el("search").reportValidity();
    };
    el("go").addEventListener("click", go);
    el("search").addEventListener("keydown", (ev) => { el("search").setCustomValidity(""); if (ev.key === "Enter") go(); });
    el("search").addEventListener("change", go);
  }

  /* ---------- country profile ---------- */
  async function country() {
    await plotly();
    const p = DATA, doms = p.domains.filter((d) => d.score !== null);
    const theta = doms.map((d) => d.name.replace(" security", "")), t = p.trends;
    await Plotly.newPlot("radar", [{ type: "scatterpolar", r: doms.map((d) => d.score), theta, fill: "toself", name: p.name,
      hovertemplate: "%{theta}: %{r:.1f}<extra></extra>" }],
      layoutBase({ polar: { radialaxis: { range: [0, 100], angle: 90, tickfont: { size: 9 } } }, showlegend: false,
                   margin: { l: 95, r: 95, t: 30, b: 30 } }), CONFIG);
    const series = Object.keys(t.series).map((code, i) => ({ type: "scatter", mode: "lines", x: t.periods, y: t.series[code],
      name: code === p.index.code ? "Index" : code, line: { width: i === 0 ? 3.5 : 1.2 }, visible: i === 0 ? true : "legendonly" }));
    const u = p.uncertainty, own = u && u.available && u.rows && u.rows[0];
    if (own) series.push({ type: "scatter", mode: "markers", x: [u.year], y: [own.score_median], name: `index 5–95% band (${u.run.n} replications)`,
      error_y: { type: "data", symmetric: false, array: [own.score_q95 - own.score_median], arrayminus: [own.score_median - own.score_q05] },
      marker: { color: "#333", size: 7 }, hovertemplate: `${u.year}: median %{y:.1f}, 5–95% ${fmt(own.score_q05)}–${fmt(own.score_q95)}<extra></extra>` });
    await Plotly.newPlot("trend", series, layoutBase({ yaxis: { range: [0, 100], title: { text: RISK.replace("<br>", ", ") } },
      xaxis: { title: { text: "year" } }, legend: { orientation: "h", y: -0.25 } }), CONFIG);
    const rows = p.peers.rows.slice(0, 15).reverse();
    if (rows.length) {
      await Plotly.newPlot("peers", [{ type: "bar", orientation: "h", x: rows.map((r) => r.score), y: rows.map((r) => `${r.name} (#${r.rank})`),
        marker: { color: rows.map((r) => r.self ? "#b4232a" : "#8aa4c8") }, hovertemplate: "%{y}: %{x:.1f}<extra></extra>" }],
        layoutBase({ xaxis: { range: [0, 100], title: { text: "index, higher = more risk" } }, margin: { l: 190, r: 20, t: 10, b: 40 } }), CONFIG);
    } else { el("peers").outerHTML = '<p class="na">No regional peers recorded for this country.</p>'; }
  }

  /* ---------- rankings ---------- */
  function rankings() {
    const rows = DATA.ranking, codes = DATA.codes.slice(1).map((c) => c.code), body = document.querySelector("#ranking tbody");
    const iv = DATA.intervals && DATA.intervals.available ? Object.fromEntries(DATA.intervals.rows.map((r) => [r.entity, r])) : null;
    if (iv) rows.forEach((r) => { const q = iv[r.entity]; r.rank_q05 = q ? q.rank_q05 : null; r.rank_q95 = q ? q.rank_q95 : null; r.p_top_k = q ? q.p_top_k : null; });
    const ivCells = (r) => iv ? `<td class="num interval">${r.rank_q05 === null ? "–" : `${fmt(r.rank_q05, 0)}–${fmt(r.rank_q95, 0)}`}</td><td class="num">${r.p_top_k === null ? "–" : fmt(100 * r.p_top_k, 0) + "%"}</td>` : "";
    uncertaintyJob();
    const regions = [...new Set(rows.map((r) => r.un_region).filter(Boolean))].sort();
    const incomes = [...new Set(rows.map((r) => r.income_group).filter(Boolean))].sort();
    regions.forEach((r) => el("f-region").add(new Option(r, r)));
    incomes.forEach((r) => el("f-income").add(new Option(r, r)));
    let key = "rank", asc = true;
    const chosen = new Set();
    const draw = () => {
      const reg = el("f-region").value, inc = el("f-income").value, q = el("f-text").value.trim().toLowerCase();
      const shown = rows.filter((r) => (!reg || r.un_region === reg) && (!inc || r.income_group === inc)
        && (!q || (r.name || "").toLowerCase().includes(q) || r.entity.toLowerCase().includes(q)));
      shown.sort((a, b) => { const x = a[key], y = b[key]; if (x === y) return 0; if (x === null || x === undefined) return 1;
        if (y === null || y === undefined) return -1; return (x < y ? -1 : 1) * (asc ? 1 : -1); });
      body.innerHTML = shown.map((r) => `<tr><td><input type="checkbox" aria-label="compare ${esc(r.name)}" data-e="${r.entity}" ${chosen.has(r.entity) ? "checked" : ""}></td>`
        + `<td class="num">${r.rank}</td><td><a href="/country/${r.entity}?year=${DATA.year}">${esc(r.name || r.entity)}</a></td><td class="num">${fmt(r.score)}</td>${ivCells(r)}`
        + codes.map((c) => `<td class="num">${fmt(r[c], 0)}</td>`).join("") + `<td>${esc(r.un_region)}</td><td>${esc(r.income_group)}</td></tr>`).join("");
    };
    document.querySelectorAll("#ranking th button").forEach((b) => b.addEventListener("click", () => {
      const k = b.dataset.key; asc = key === k ? !asc : (k === "name" || k === "rank" || k === "un_region" || k === "income_group"); key = k; draw(); }));
    ["f-region", "f-income", "f-text"].forEach((id) => el(id).addEventListener("input", draw));
    body.addEventListener("change", (ev) => {
      const e = ev.target.dataset.e; if (!e) return;
      if (ev.target.checked) { if (chosen.size >= 5) { ev.target.checked = false; return; } chosen.add(e); } else chosen.delete(e);
      el("compare-count").textContent = `${chosen.size} selected`; el("compare-btn").disabled = chosen.size < 2;
    });
    el("compare-btn").addEventListener("click", async () => {
      await plotly();
      const names = DATA.codes.slice(1);
      const traces = [...chosen].map((e) => { const r = rows.find((x) => x.entity === e);
        return { type: "bar", name: r.name || e, x: names.map((c) => c.name.replace(" security", "")), y: codes.map((c) => r[c]),
                 hovertemplate: `${esc(r.name)} %{x}: %{y:.1f}<extra></extra>` }; });
      el("compare-fig").hidden = false;
      Plotly.newPlot("compare", traces, layoutBase({ barmode: "group", yaxis: { range: [0, 100], title: { text: RISK.replace("<br>", ", ") } },
        legend: { orientation: "h", y: 1.12 }, margin: { l: 50, r: 10, t: 40, b: 90 } }), CONFIG);
    });
    draw();
  }

  /* start an uncertainty run as a job (POST /api/uncertainty) and show its progress */
  function uncertaintyJob() {
    const form = el("unc-form"); if (!form) return;
    const status = el("unc-status"), bar = el("unc-progress");
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const headers = { "Content-Type": "application/json", Authorization: `Bearer ${el("unc-token").value.trim()}` };
      try {
        let job = await json("/api/uncertainty", { method: "POST", headers,
          body: JSON.stringify({ n: Number(el("unc-n").value), seed: Number(el("unc-seed").value), period: DATA.year }) });
        bar.hidden = false;
        while (job.state === "queued" || job.state === "running") {
          status.textContent = `job ${job.id}: ${job.state}, ${job.message} (${Math.round(100 * job.progress)}%)`; bar.value = job.progress;
          await new Promise((r) => setTimeout(r, 1000));
          job = await json(`/api/jobs/${job.id}`);
        }
        if (job.state === "failed") throw new Error(job.error);
        bar.value = 1; status.textContent = `stored run ${job.result.run_id} (${job.result.n} replications); reloading`;
        location.reload();
      } catch (err) { status.textContent = `not started or failed: ${err.message}`; }
    });
  }

  /* ---------- what-if ---------- */
  function whatif() {
    const form = el("weights"), base = {};
    DATA.ranking.forEach((r) => { base[r.entity] = r; });
    form.querySelectorAll("input[type=range]").forEach((i) => i.addEventListener("input", () => { i.nextElementSibling.textContent = i.value; }));
    const sc = DATA.scenario;
    if (sc && sc.weights) form.querySelectorAll("input[type=range]").forEach((i) => {
      if (i.name in sc.weights) { i.value = sc.weights[i.name]; i.nextElementSibling.textContent = i.value; } });
    const weights = () => Object.fromEntries([...form.querySelectorAll("input[type=range]")].map((i) => [i.name, Number(i.value)]));
    el("save-form").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const name = el("sc-name").value.trim(), status = el("sc-status");
      try {
        const rec = await json("/api/scenarios", { method: "POST", headers: { "Content-Type": "application/json",
          Authorization: `Bearer ${el("sc-token").value.trim()}` }, body: JSON.stringify({ scenario: { name,
          description: "domain weights saved from the what-if page", years: [DATA.year],
          recipe: [{ step: "weight", method: "framework", params: { weights: weights() } }] } }) });
        status.innerHTML = `saved <a href="/scenarios/${encodeURIComponent(rec.name)}">${esc(rec.name)}</a> (${esc(rec.created_at)} UTC)`;
      } catch (err) { status.textContent = `not saved: ${err.message}`; }
    });
    el("reset").addEventListener("click", () => { form.querySelectorAll("input[type=range]").forEach((i) => { i.value = 1; i.nextElementSibling.textContent = "1"; }); });
    const show = (res) => {
      const rows = res.ranking, top = rows.slice(0, 30);
      el("whatif-table").querySelector("tbody").innerHTML = rows.map((r) => { const b = res.baseline[r.entity], d = b ? b - r.rank : null;
        return `<tr><td class="num">${r.rank}</td><td><a href="/country/${r.entity}">${esc(r.name || r.entity)}</a></td><td class="num">${fmt(r.score)}</td><td class="num">${b ?? "–"}</td><td class="num">${d === null ? "–" : (d > 0 ? "▲" + d : d < 0 ? "▼" + (-d) : "=")}</td></tr>`; }).join("");
      const blob = new Blob([res.recipe_yaml], { type: "text/yaml" });
      const a = el("download"); a.href = URL.createObjectURL(blob); a.hidden = !res.recipe_yaml;
      return plotly().then(() => Plotly.react("moves", [
        { type: "scatter", mode: "markers", name: "default weights", x: top.map((r) => res.baseline[r.entity]), y: top.map((r) => r.name || r.entity), marker: { color: "#8aa4c8", size: 9 } },
        { type: "scatter", mode: "markers", name: "your weights", x: top.map((r) => r.rank), y: top.map((r) => r.name || r.entity), marker: { color: "#b4232a", size: 9, symbol: "diamond" } }],
        layoutBase({ xaxis: { title: { text: "rank (1 = highest risk)" }, autorange: "reversed" }, yaxis: { autorange: "reversed", automargin: true },
                     height: 620, legend: { orientation: "h", y: 1.06 }, margin: { l: 170, r: 20, t: 30, b: 40 } }), CONFIG));
    };
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const weights = {}; form.querySelectorAll("input[type=range]").forEach((i) => { weights[i.name] = Number(i.value); });
      el("whatif-status").textContent = "rebuilding the index…";
      try { const t0 = performance.now(); const res = await json("/api/whatif", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ weights, year: DATA.year }) });
        await show(res); el("whatif-status").textContent = `rebuilt in ${Math.round(performance.now() - t0)} ms`; }
      catch (err) { el("whatif-status").textContent = `error: ${err.message}`; }
    });
    return show({ ranking: DATA.ranking, baseline: Object.fromEntries(DATA.ranking.map((r) => [r.entity, r.rank])), recipe_yaml: "" });
  }

  /* ---------- framework ---------- */
  async function framework() {
    await plotly();
    const ids = ["index"], labels = ["Index"], parents = [""], values = [0];
    DATA.domains.forEach((d) => {
      const inds = d.indicators.filter((i) => i.used);
      ids.push(d.code); labels.push(d.name.replace(" security", "")); parents.push("index"); values.push(0);
      inds.forEach((i) => { ids.push(`${d.code}/${i.code}`); labels.push(i.code); parents.push(d.code); values.push(i.weight_in_index); });
    });
    await Plotly.newPlot("sunburst", [{ type: "sunburst", ids, labels, parents, values, branchvalues: "remainder",
      hovertemplate: "%{label}: %{value:.3f} of the index<extra></extra>" }], layoutBase({ margin: { l: 0, r: 0, t: 10, b: 0 } }), CONFIG);
  }

  /* ---------- warnings ---------- */
  async function warnings() {
    const res = await json("/api/alerts?limit=100000");
    const status = el("w-status");
    if (!res.available) { status.textContent = res.message; el("w-chart").outerHTML = `<p class="na">${esc(res.message)}</p>`; return; }
    const all = res.alerts, years = [...new Set(all.map((a) => a.period))].sort().reverse();
    years.forEach((y) => el("w-year").add(new Option(y, y)));
    const draw = () => {
      const y = Number(el("w-year").value), lvl = el("w-level").value, kind = el("w-kind").value, q = el("w-text").value.trim().toLowerCase();
      const rows = all.filter((a) => a.period === y && (lvl === "" || a.level === "red" || (lvl === "amber" && a.level === "amber"))
        && (kind ? a.kind === kind : a.kind !== "indicator")
        && (!q || a.entity.toLowerCase().includes(q) || (DATA.names[a.entity] || "").toLowerCase().includes(q)));
      status.textContent = `${rows.length} alerts shown (${all.length} in the register of build ${res.build_id})`;
      el("w-table").querySelector("tbody").innerHTML = rows.slice(0, 800).map((a) => `<tr><td><a href="/country/${a.entity}">${esc(DATA.names[a.entity] || a.entity)}</a></td><td>${a.period}</td><td>${esc(a.code)}</td><td>${a.kind}</td><td><span class="badge ${a.level}">${a.level}</span></td><td class="num">${fmt(a.value)}</td><td class="num">${fmt(a.change)}</td><td>${esc(a.explanation)}</td></tr>`).join("");
      const counts = {}; rows.forEach((a) => { const k = a.kind === "indicator" ? a.code : a.code; counts[k] = (counts[k] || 0) + 1; });
      const keys = Object.keys(counts).sort((a, b) => counts[b] - counts[a]).slice(0, 20);
      return plotly().then(() => Plotly.react("w-chart", [{ type: "bar", x: keys.map((k) => (DATA.domains[k] || k).replace(" security", "")), y: keys.map((k) => counts[k]), marker: { color: "#b4232a" } }],
        layoutBase({ yaxis: { title: { text: "alerts" } }, margin: { l: 50, r: 10, t: 10, b: 90 } }), CONFIG));
    };
    ["w-year", "w-level", "w-kind", "w-text"].forEach((id) => el(id).addEventListener("input", draw));
    await draw();
  }

  /* ---------- saved scenario ---------- */
  async function scenario() {
    await plotly();
    const rows = DATA.index.filter((r) => r.rank_after !== null).sort((a, b) => a.rank_after - b.rank_after).slice(0, 30).reverse();
    const y = rows.map((r) => `${DATA.names[r.entity] || r.entity} ${r.period}`);
    await Plotly.newPlot("scenario-chart", [
      { type: "bar", orientation: "h", name: "before", x: rows.map((r) => r.before), y, marker: { color: "#9aa5b1" }, hovertemplate: "%{y}: %{x:.1f} before<extra></extra>" },
      { type: "bar", orientation: "h", name: "after", x: rows.map((r) => r.after), y, marker: { color: "#b4232a" }, hovertemplate: "%{y}: %{x:.1f} after<extra></extra>" }],
      layoutBase({ barmode: "group", xaxis: { range: [0, 100], title: { text: "index 0-100, higher = more risk" } }, yaxis: { automargin: true },
                   legend: { orientation: "h", y: 1.06 }, height: 760, margin: { l: 150, r: 20, t: 30, b: 40 } }), CONFIG);
  }

  /* ---------- linkage network ---------- */
  async function linkage() {
    await plotly();
    const doms = DATA.domains, n = doms.length, pos = {}, name = {};
    doms.forEach((d, i) => { const a = Math.PI / 2 - 2 * Math.PI * i / n; pos[d.code] = [Math.cos(a), Math.sin(a)]; name[d.code] = d.name.replace(" security", "").replace("Science and technology", "Sci & tech"); });
    const cent = Object.fromEntries(DATA.centrality.map((c) => [c.domain, c]));
    const maxOut = Math.max(1e-9, ...DATA.centrality.map((c) => c.out_strength)), maxCoef = Math.max(1e-9, ...DATA.links.map((l) => Math.abs(l.coef)));
    const colour = (c) => (c > 0 ? "#b4232a" : "#2c6fbb");
    const shorten = (s, t, r) => { const dx = t[0] - s[0], dy = t[1] - s[1], L = Math.hypot(dx, dy); return [t[0] - dx * r / L, t[1] - dy * r / L]; };
    const edges = DATA.links.map((l) => ({ type: "scatter", mode: "lines", x: [pos[l.source][0], pos[l.target][0]], y: [pos[l.source][1], pos[l.target][1]],
      line: { color: colour(l.coef), width: 1.5 + 6 * Math.abs(l.coef) / maxCoef }, hoverinfo: "skip", showlegend: false }));
    const mid = { type: "scatter", mode: "markers", showlegend: false, marker: { size: 12, color: "rgba(0,0,0,0)" },
      x: DATA.links.map((l) => (pos[l.source][0] + pos[l.target][0]) / 2), y: DATA.links.map((l) => (pos[l.source][1] + pos[l.target][1]) / 2),
      text: DATA.links.map((l) => `${name[l.source]} → ${name[l.target]}: coef ${fmt(l.coef, 3)} points of ${name[l.target]} next year per point of ${name[l.source]} (lag ${l.lag}, q ${Number(l.q_value).toExponential(1)}, ${l.n_obs} country-years)`),
      hovertemplate: "%{text}<extra></extra>" };
    const nodes = { type: "scatter", mode: "markers+text", showlegend: false, x: doms.map((d) => pos[d.code][0]), y: doms.map((d) => pos[d.code][1]),
      text: doms.map((d) => name[d.code]), textposition: doms.map((d) => (pos[d.code][1] >= 0 ? "top center" : "bottom center")),
      marker: { size: doms.map((d) => 16 + 30 * ((cent[d.code] || {}).out_strength || 0) / maxOut), color: "#f2e6c9",
                line: { color: doms.map((d) => ((cent[d.code] || {}).systemic ? "#000" : "#999")), width: doms.map((d) => ((cent[d.code] || {}).systemic ? 3 : 1)) } },
      customdata: doms.map((d) => [fmt((cent[d.code] || {}).out_strength, 3), fmt((cent[d.code] || {}).in_strength, 3)]),
      hovertemplate: "%{text}: out-strength %{customdata[0]}, in-strength %{customdata[1]}<extra></extra>" };
    const arrows = DATA.links.map((l) => { const [x, y] = shorten(pos[l.source], pos[l.target], 0.09);
      return { x, y, ax: pos[l.source][0], ay: pos[l.source][1], xref: "x", yref: "y", axref: "x", ayref: "y", text: "", showarrow: true,
               arrowhead: 3, arrowsize: 1.2, arrowwidth: 1.5, arrowcolor: colour(l.coef) }; });
    const narrow = el("network").clientWidth < 520;  /* phone: smaller labels, more room around the circle */
    nodes.textfont = { size: narrow ? 9 : 12 };
    const axis = { visible: false, range: narrow ? [-1.7, 1.7] : [-1.45, 1.45] };
    await Plotly.newPlot("network", [...edges, mid, nodes], layoutBase({ xaxis: axis, yaxis: { ...axis, scaleanchor: "x" }, annotations: arrows,
      margin: { l: 10, r: 10, t: 10, b: 10 }, hovermode: "closest" }), CONFIG);
  }

  const pages = { world, country, rankings, whatif, framework, warnings, scenario, linkage };
  const run = pages[document.body.dataset.page];
  Promise.resolve(run ? run() : null).then(done, (err) => { console.error(err); window.holisec.error = String(err); done(); });
})();
