/* The dashboard page: draws the charts from the figures in the page (Chart.js, vendored) and,
   when it shows today, fetches /api/v1/dashboard every data-refresh-s seconds; paused while
   the tab is hidden, fetched at once when it is shown again. */
(function () {
  "use strict";
  var root = document.getElementById("dashboard");
  if (!root) return;
  var data = JSON.parse(document.getElementById("dashboard-data").textContent);
  var words = JSON.parse(document.getElementById("dashboard-words").textContent);
  var wall = root.classList.contains("wall");
  var tz = root.dataset.tz || "Asia/Shanghai";
  var DECISIONS = ["admit", "retest", "refer", "deny", "register"];
  var DECISION_COLOURS = { admit: "#2e7d32", retest: "#f0a202", refer: "#8e24aa", deny: "#c62828", register: "#1565c0" };
  var GATE_COLOURS = ["#1565c0", "#c62828", "#2e7d32", "#f0a202", "#8e24aa", "#00838f", "#6d4c41", "#ad1457", "#558b2f", "#37474f"];
  var state = { refreshes: 0, failures: 0, timer: null, hourly: null, decisions: null, data: data };
  window.shouwangDashboard = state;

  function text(el, value) { if (el && el.textContent !== String(value)) el.textContent = value; }
  function hours(h) { return (Math.round(h * 10) / 10).toFixed(1); }
  function hm(iso) {
    try {
      return new Intl.DateTimeFormat("en-GB", { timeZone: tz, hour: "2-digit", minute: "2-digit", hour12: false }).format(new Date(iso));
    } catch (e) { return iso.slice(11, 16); }
  }
  function cell(tr, value, cls) {
    var td = document.createElement("td");
    if (cls) td.className = cls;
    if (value instanceof Node) td.appendChild(value); else td.textContent = value;
    tr.appendChild(td);
  }
  function link(param, code, name) {
    var a = document.createElement("a");
    var q = new URLSearchParams();
    q.set(param, code);
    if (root.dataset.date) q.set("date", root.dataset.date);
    if (wall) q.set("wall", "1");
    a.href = "?" + q.toString();
    a.textContent = name;
    return a;
  }

  if (window.Chart) {
    Chart.defaults.font.family = 'system-ui, "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif';
    Chart.defaults.font.size = wall ? 18 : 12;
    if (wall) { Chart.defaults.color = "#e8eef3"; Chart.defaults.borderColor = "#2a3947"; }
    Chart.defaults.animation = false;
  }

  function hourlyDatasets(d) {
    return d.gates.map(function (g, i) {
      var colour = GATE_COLOURS[i % GATE_COLOURS.length];
      return { label: g.name, data: g.hourly.slice(), backgroundColor: colour, borderColor: colour, stack: "flow" };
    });
  }
  function decisionData(d) { return DECISIONS.map(function (k) { return d.screenings[k]; }); }

  function drawCharts(d) {
    if (!window.Chart) return;
    var labels = [];
    for (var h = 0; h < 24; h++) labels.push((h < 10 ? "0" : "") + h);
    state.hourly = new Chart(document.getElementById("chart-hourly"), {
      type: "bar",
      data: { labels: labels, datasets: hourlyDatasets(d) },
      options: {
        responsive: true, maintainAspectRatio: false,
        scales: { x: { stacked: true, title: { display: true, text: words.hour } },
                  y: { stacked: true, beginAtZero: true, ticks: { precision: 0 }, title: { display: !wall, text: words.screenings } } },
        plugins: { legend: { position: "bottom" } }
      }
    });
    state.decisions = new Chart(document.getElementById("chart-decisions"), {
      type: "bar",
      data: {
        labels: DECISIONS.map(function (k) { return words.decisions[k]; }),
        datasets: [{ label: words.screenings, data: decisionData(d), backgroundColor: DECISIONS.map(function (k) { return DECISION_COLOURS[k]; }) }]
      },
      options: { indexAxis: "y", responsive: true, maintainAspectRatio: false,
                 scales: { x: { beginAtZero: true, ticks: { precision: 0 } } }, plugins: { legend: { display: false } } }
    });
  }

  function updateCharts(d) {
    if (!state.hourly) return;
    var fresh = hourlyDatasets(d);
    if (fresh.length === state.hourly.data.datasets.length) {
      fresh.forEach(function (ds, i) { state.hourly.data.datasets[i].data = ds.data; state.hourly.data.datasets[i].label = ds.label; });
    } else {
      state.hourly.data.datasets = fresh;
    }
    state.hourly.update("none");
    state.decisions.data.datasets[0].data = decisionData(d);
    state.decisions.update("none");
  }

  function updateNumbers(d) {
    root.querySelectorAll("[data-fig]").forEach(function (el) {
      var key = el.dataset.fig;
      if (key === "on_duty_count") { if (d.is_today) text(el, d.on_duty_now.length); return; }
      if (!(key in d)) return;
      text(el, key === "duty_hours" || key === "rostered_hours" ? hours(d[key]) : d[key]);
    });
    root.querySelectorAll("[data-decision]").forEach(function (el) { text(el, d.screenings[el.dataset.decision]); });
    var bar = document.getElementById("duty-bar");
    if (bar) bar.style.width = (d.rostered_hours ? Math.min(100, Math.round(100 * d.duty_hours / d.rostered_hours)) : 0) + "%";
    text(document.getElementById("dash-day"), d.day);
    var asOf = document.getElementById("dash-as-of");
    if (asOf) { asOf.setAttribute("datetime", d.as_of); text(asOf, hm(d.as_of)); }
  }

  function updateTables(d) {
    var gates = document.querySelector("#gate-table tbody");
    if (gates) {
      var rows = document.createDocumentFragment();
      d.gates.forEach(function (g) {
        var tr = document.createElement("tr");
        cell(tr, link("checkpoint", g.checkpoint, g.name));
        cell(tr, g.total, "num");
        DECISIONS.forEach(function (k) { cell(tr, g.screenings[k], "num"); });
        cell(tr, g.fevers, "num");
        rows.appendChild(tr);
      });
      gates.replaceChildren(rows);
    }
    var communities = document.querySelector("#community-table tbody");
    if (communities) {
      var crow = document.createDocumentFragment();
      d.communities.forEach(function (c) {
        var tr = document.createElement("tr");
        cell(tr, link("community", c.community, c.name));
        [c.screenings_total, c.fevers, c.referrals, c.visits, c.deliveries, c.in_quarantine,
         c.follow_ups_done + "/" + c.follow_ups_due, c.incidents_open, hours(c.duty_hours)].forEach(function (v) { cell(tr, v, "num"); });
        crow.appendChild(tr);
      });
      communities.replaceChildren(crow);
    }
    var duty = document.getElementById("on-duty");
    if (duty && d.is_today) {
      var items = document.createDocumentFragment();
      d.on_duty_now.forEach(function (p) {
        var li = document.createElement("li");
        var b = document.createElement("b");
        b.textContent = p.name;
        li.appendChild(b);
        li.appendChild(document.createTextNode(" · " + p.checkpoint_name + " "));
        var small = document.createElement("small");
        small.textContent = words.since + " " + hm(p.since);
        li.appendChild(small);
        items.appendChild(li);
      });
      if (!d.on_duty_now.length) {
        var none = document.createElement("li");
        none.className = "muted";
        none.textContent = words.nobody;
        items.appendChild(none);
      }
      duty.replaceChildren(items);
    }
  }

  function show(d) {
    state.data = d;
    updateNumbers(d);
    updateTables(d);
    updateCharts(d);
  }

  function query() {
    var q = new URLSearchParams();
    ["date", "community", "checkpoint"].forEach(function (k) { if (root.dataset[k]) q.set(k, root.dataset[k]); });
    var s = q.toString();
    return root.dataset.api + (s ? "?" + s : "");
  }

  function status(message) {
    var el = document.getElementById("dash-refresh-note");
    if (!el) {
      el = document.createElement("span");
      el.id = "dash-refresh-note";
      document.getElementById("dash-status").appendChild(el);
    }
    text(el, message ? " · " + message : "");
  }

  function refresh() {
    return fetch(query(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (d) { state.refreshes += 1; status(""); show(d); })
      .catch(function () { state.failures += 1; status(words.offline); });
  }

  function start() {
    stop();
    var seconds = parseInt(root.dataset.refreshS, 10) || 60;
    state.timer = window.setInterval(refresh, seconds * 1000);
  }
  function stop() { if (state.timer) { window.clearInterval(state.timer); state.timer = null; } }

  drawCharts(data);
  updateTables(data);
  if (root.dataset.live === "1") {
    document.addEventListener("visibilitychange", function () {
      if (document.hidden) { stop(); status(words.paused); } else { refresh(); start(); }
    });
    if (!document.hidden) start();
  }
})();
