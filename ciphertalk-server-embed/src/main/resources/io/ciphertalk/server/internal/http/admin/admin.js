// CipherTalk admin dashboard: signs in with POST /api/login, keeps the token in this closure only
// (never in storage or cookies), polls GET /api/admin/stats and draws it with uPlot.
// Served from the server's jar under a Content-Security-Policy without inline scripts; no build step.
(function () {
  "use strict";

  var POLL_MS = 10000;
  var token = null;
  var timer = null;
  var charts = {};

  function $(id) { return document.getElementById(id); }

  function show(view) {
    $("login-view").hidden = view !== "login";
    $("dashboard-view").hidden = view !== "dashboard";
    $("logout").hidden = view !== "dashboard";
  }

  function bytes(n) {
    if (n === null || n === undefined) { return "not available"; }
    var units = ["B", "KiB", "MiB", "GiB", "TiB"];
    var i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }

  function millis(n) {
    return n === null || n === undefined ? "no deliveries" : "≤ " + n.toLocaleString() + " ms";
  }

  function sum(a) { return a.reduce(function (x, y) { return x + y; }, 0); }

  function minuteLabel(sec) { return new Date(sec * 1000).toISOString().slice(11, 16); }

  async function login(event) {
    event.preventDefault();
    var error = $("login-error");
    var button = $("login-button");
    error.textContent = "";
    button.disabled = true;
    var body = { username: $("username").value.trim(), password: $("password").value };
    var code = $("totp").value.trim();
    if (code) { body.totp = code; }
    try {
      var r = await fetch("/api/login", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify(body),
        cache: "no-store",
        credentials: "omit"
      });
      var answer = await r.json().catch(function () { return {}; });
      if (r.ok && answer.token) {
        token = answer.token;
        $("password").value = "";
        $("totp").value = "";
        $("totp-field").hidden = true;
        await refresh();
        return;
      }
      if (answer.error === "totp_required") {
        $("totp-field").hidden = false;
        $("totp").focus();
        error.textContent = "Enter the one-time code from your authenticator app.";
      } else if (r.status === 429) {
        error.textContent = "Too many attempts. Wait a moment and try again.";
      } else {
        error.textContent = answer.message ? "Sign-in failed: " + answer.message : "Sign-in failed (" + r.status + ").";
      }
    } catch (e) {
      error.textContent = "The server could not be reached.";
    } finally {
      button.disabled = false;
    }
  }

  function signOut(message) {
    var old = token;
    token = null;
    if (timer) { clearTimeout(timer); timer = null; }
    if (old) {
      fetch("/api/logout", { method: "POST", headers: { Authorization: "Bearer " + old }, credentials: "omit" })
        .catch(function () { /* the token expires anyway */ });
    }
    show("login");
    $("login-error").textContent = message || "";
    $("username").focus();
  }

  async function refresh() {
    if (!token) { return; }
    if (timer) { clearTimeout(timer); timer = null; }
    var status = $("status");
    try {
      var r = await fetch("/api/admin/stats", {
        headers: { Authorization: "Bearer " + token }, cache: "no-store", credentials: "omit"
      });
      if (r.status === 401) { token = null; signOut("Your session ended. Sign in again."); return; }
      if (r.status === 403) { signOut("This account is not an administrator."); return; }
      if (!r.ok) { throw new Error("HTTP " + r.status); }
      var wasHidden = $("dashboard-view").hidden;
      render(await r.json());
      status.textContent = "Updated " + new Date().toLocaleTimeString() + "; refreshes every "
        + POLL_MS / 1000 + " seconds.";
      if (wasHidden) { $("dashboard-title").focus(); }
    } catch (e) {
      status.textContent = "Could not load the statistics (" + e.message + "); retrying.";
    }
    if (token) { timer = setTimeout(refresh, POLL_MS); }
  }

  function render(s) {
    show("dashboard");
    var m = s.perMinute;
    $("fig-connections").textContent = s.connections.toLocaleString();
    $("fig-messages").textContent = sum(m.messages).toLocaleString();
    $("fig-deliveries").textContent = sum(m.deliveries).toLocaleString();
    $("fig-p50").textContent = millis(s.deliveryLatency.p50Millis);
    $("fig-p99").textContent = millis(s.deliveryLatency.p99Millis);
    var counts = s.activeUsersPerDay.counts;
    $("fig-active").textContent = counts[counts.length - 1].toLocaleString();
    $("fig-database").textContent = bytes(s.storage.databaseBytes);
    $("fig-blobs").textContent = bytes(s.storage.blobBytes);

    var xs = m.messages.map(function (_, i) { return (m.start + i * m.stepMillis) / 1000; });
    var first = Date.parse(s.activeUsersPerDay.firstDay + "T00:00:00Z") / 1000;
    var days = counts.map(function (_, i) { return first + i * 86400; });

    draw("traffic", [xs, m.messages, m.deliveries], [
      { label: "Messages", stroke: "#0b4f8a", width: 2 },
      { label: "Deliveries", stroke: "#b34700", width: 2, dash: [6, 4] }
    ], "per minute");
    draw("latency", [xs, m.latencyP50Millis, m.latencyP99Millis], [
      { label: "p50 (ms)", stroke: "#1f6f3f", width: 2 },
      { label: "p99 (ms)", stroke: "#8a1c7c", width: 2, dash: [6, 4] }
    ], "milliseconds");
    draw("active", [days, counts], [
      { label: "Active users", stroke: "#0b4f8a", width: 2, fill: "rgba(11, 79, 138, 0.12)" }
    ], "users");

    table("traffic-table", xs.map(function (x, i) {
      return [minuteLabel(x), m.messages[i], m.deliveries[i]];
    }));
    table("latency-table", xs.map(function (x, i) {
      return [minuteLabel(x), m.latencyP50Millis[i] === null ? "–" : m.latencyP50Millis[i],
        m.latencyP99Millis[i] === null ? "–" : m.latencyP99Millis[i]];
    }));
    table("active-table", days.map(function (d, i) {
      return [new Date(d * 1000).toISOString().slice(0, 10), counts[i]];
    }));
  }

  function table(id, rows) {
    var body = $(id).tBodies[0];
    var fresh = document.createElement("tbody");
    rows.forEach(function (cells) {
      var tr = document.createElement("tr");
      cells.forEach(function (c, i) {
        var cell = document.createElement(i === 0 ? "th" : "td");
        if (i === 0) { cell.scope = "row"; }
        cell.textContent = String(c);
        tr.appendChild(cell);
      });
      fresh.appendChild(tr);
    });
    body.parentNode.replaceChild(fresh, body);
  }

  function width(el) { return Math.max(280, el.clientWidth || el.parentNode.clientWidth || 600); }

  // Whole numbers on count axes (no "0.2 users"); milliseconds may be any size.
  var COUNT_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000,
    200000, 500000, 1000000, 2000000, 5000000, 10000000];

  function draw(name, data, series, unit) {
    var el = $(name + "-chart");
    if (typeof uPlot === "undefined") {
      el.textContent = "Charts are unavailable (the charting library did not load); see the tables.";
      return;
    }
    if (charts[name]) {
      charts[name].setData(data);
      return;
    }
    charts[name] = new uPlot({
      width: width(el),
      height: 240,
      // Minutes and days are UTC, as in the tables and the server's day boundaries.
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1000), "Etc/UTC"); },
      scales: { x: { time: true }, y: { range: function (u, min, max) { return [0, Math.max(1, max)]; } } },
      series: [{ label: name === "active" ? "Day (UTC)" : "Minute (UTC)" }].concat(series),
      axes: [{ stroke: "#1b1f24" },
        { stroke: "#1b1f24", label: unit, size: 60, incrs: unit === "milliseconds" ? undefined : COUNT_STEPS }]
    }, data, el);
  }

  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (name) {
      charts[name].setSize({ width: width($(name + "-chart")), height: 240 });
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    $("dashboard-title").tabIndex = -1;
    $("login-form").addEventListener("submit", login);
    $("logout").addEventListener("click", function () { signOut("Signed out."); });
    show("login");
    $("username").focus();
  });
})();
