// The send dashboard (/admin/sends/{id}): polls GET /api/sends/{id} every 2 seconds and
// updates the figures, the status and the buttons in place, until the send is sent or cancelled.
// Everything it writes goes through textContent: nothing from the server becomes markup.
(function () {
  "use strict";
  var INTERVAL = 2000;
  var root = document.getElementById("send-dashboard");
  if (!root || !window.fetch) return;
  var api = root.getAttribute("data-api");
  var failedLimit = Number(root.getAttribute("data-failed-limit")) || 500;
  var pollState = document.getElementById("send-poll-state");
  var lastFailed = null;
  var timer = null;

  function number(n) { return Number(n || 0).toLocaleString("en-US"); }

  function set(el, text) {
    if (el && el.textContent !== text) el.textContent = text; // unchanged: nothing re-announced
  }

  function field(name) { return root.querySelector('[data-field="' + name + '"]'); }

  // Worded as the page renders them (newsletter/web/admin/sends.py).
  function duration(seconds) {
    if (seconds === null || seconds === undefined) return "—";
    if (seconds < 60) return "under a minute";
    var minutes = Math.round(seconds / 60);
    if (minutes < 60) return "about " + minutes + " min";
    return "about " + Math.floor(minutes / 60) + " h " + (minutes % 60) + " min";
  }

  function rate(perSecond) {
    if (perSecond === null || perSecond === undefined) return "—";
    var figure = perSecond.toLocaleString("en-US", {minimumFractionDigits: 1, maximumFractionDigits: 1});
    return figure + " recipients a second";
  }

  function finish(eta, at) {
    if (eta === null || eta === undefined || !at) return "—";
    var when = new Date(at);
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return duration(eta) + " (around " + pad(when.getUTCHours()) + ":" + pad(when.getUTCMinutes()) + " UTC)";
  }

  function showFor(status, failed) {
    document.querySelectorAll("[data-when]").forEach(function (el) {
      var ok = el.getAttribute("data-when").split(" ").indexOf(status) !== -1;
      if (el.hasAttribute("data-needs-failed")) ok = ok && failed > 0;
      el.hidden = !ok;
    });
  }

  function render(p) {
    root.setAttribute("data-status", p.status);
    var badge = document.getElementById("send-status");
    badge.className = "badge " + p.status;
    badge.setAttribute("data-status", p.status);
    set(badge, p.status);
    set(document.getElementById("send-reason"), p.status_reason || "");
    ["pending", "accepted", "failed", "suppressed", "cancelled"].forEach(function (name) {
      var el = root.querySelector('[data-count="' + name + '"]');
      el.setAttribute("data-value", String(p[name]));
      set(el, number(p[name]));
    });
    set(field("done"), number(p.done));
    set(field("total"), number(p.total));
    var percent = p.total ? Math.floor(p.done * 100 / p.total) : 0;
    set(field("percent"), String(percent));
    var meter = document.getElementById("send-meter");
    meter.max = p.total || 1;
    meter.value = p.total ? p.done : 0;
    set(meter, percent + "%");
    set(field("rate"), rate(p.rate));
    set(field("eta"), finish(p.eta, p.estimated_finish));
    document.getElementById("send-ambiguous").hidden = !p.ambiguous_batches;
    set(field("ambiguous_batches"), String(p.ambiguous_batches));
    document.getElementById("send-freezing").hidden = !p.freezing;
    document.getElementById("send-retrying").hidden = !(p.retrying && p.status === "sending");
    set(field("retrying"), p.retrying || "");
    showFor(p.status, p.failed);
    if (lastFailed !== null && p.failed !== lastFailed) loadFailed();
    lastFailed = p.failed;
  }

  // The failed recipients table, rebuilt when the number of failures changes.
  function loadFailed() {
    fetch(api + "/failed?limit=" + failedLimit, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
      .then(function (list) {
        var rows = document.getElementById("failed-rows");
        var fresh = document.createDocumentFragment();
        list.recipients.forEach(function (recipient) {
          var tr = document.createElement("tr");
          [recipient.email, recipient.error || ""].forEach(function (text) {
            var td = document.createElement("td");
            td.textContent = text;
            tr.appendChild(td);
          });
          fresh.appendChild(tr);
        });
        rows.replaceChildren(fresh);
        document.getElementById("failed-table").hidden = list.recipients.length === 0;
        document.getElementById("failed-none").hidden = list.recipients.length !== 0;
        document.getElementById("failed-more").hidden = list.total <= list.recipients.length;
        set(field("failed-shown"), number(list.recipients.length));
        set(field("failed-total"), number(list.total));
      })
      .catch(function () { /* the next change of the count tries again */ });
  }

  function schedule() { timer = window.setTimeout(poll, INTERVAL); }

  function poll() {
    timer = null;
    if (document.hidden) { schedule(); return; } // no polling from a background tab
    fetch(api, {credentials: "same-origin", headers: {Accept: "application/json"}})
      .then(function (r) {
        if (r.status === 401 || r.status === 403 || r.status === 404) {
          set(pollState, r.status === 401 ? "Your session has ended: sign in again to see the latest figures."
            : "These figures can no longer be updated.");
          return null;
        }
        if (!r.ok) throw new Error("HTTP " + r.status);
        return r.json();
      })
      .then(function (p) {
        if (p === null) return;
        render(p);
        if (p.finished) {
          set(pollState, "This send is finished.");
        } else {
          set(pollState, "Updates every 2 seconds.");
          schedule();
        }
      })
      .catch(function () {
        set(pollState, "Could not reach the server; trying again.");
        schedule();
      });
  }

  lastFailed = Number(root.querySelector('[data-count="failed"]').getAttribute("data-value"));
  if (root.getAttribute("data-status") === "sent" || root.getAttribute("data-status") === "cancelled") return;
  set(pollState, "Updates every 2 seconds.");
  schedule();
})();
