// What the page's scripts share: a server's answer read as JSON whatever it is. A proxy's 413,
// an expired session's 403 page or a 500 page is not JSON: it becomes a refusal whose message,
// in the page's language (the hidden #js-messages element, translated by the server), says
// what happened and that nothing was saved.
window.dtiAnswer = function (response) {
  "use strict";
  var type = response.headers.get("Content-Type") || "";
  if (type.indexOf("application/json") !== -1) return response.json();
  var texts = (document.getElementById("js-messages") || { dataset: {} }).dataset;
  var status = response.status;
  // A fetch follows the sign-in redirect of an ended session to the login page.
  var text = status === 413 ? texts.tooLarge : status === 403 || response.redirected ? texts.forbidden : status >= 500 ? texts.server : texts.unexpected;
  return { ok: false, message: (text || "") + (response.redirected ? "" : " (HTTP " + status + ")"), problems: [] };
};
window.dtiOffline = function () {
  "use strict";
  return (document.getElementById("js-messages") || { dataset: {} }).dataset.offline || "";
};

// Saves an indicator without leaving the page; the server recomputes the score with the engine
// and sends back the new points, version and summary. Without JavaScript the forms post normally.
(function () {
  "use strict";
  function show(form, text, ok) {
    var status = form.querySelector(".status");
    if (status) {
      status.textContent = text;
      status.className = "status " + (ok ? "ok" : "error");
    }
  }
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("js-save")) return;
    event.preventDefault();
    show(form, "…", true);
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-Requested-With": "fetch" },
      credentials: "same-origin",
    })
      .then(window.dtiAnswer)
      .then(function (data) {
        if (!data.ok) {
          var text = data.message + (data.problems && data.problems.length ? " " + data.problems.join(" · ") : "");
          show(form, text, false);
          return;
        }
        form.querySelector("input[name=version]").value = data.version;
        var leaf = form.closest(".leaf");
        var fmt = function (x) {
          return x === null || x === undefined ? "" : Number(x).toLocaleString(document.documentElement.lang || "vi", { maximumFractionDigits: 2 });
        };
        if (leaf) {
          var self = leaf.querySelector("[data-points=self]");
          if (self) self.textContent = fmt(data.self_points);
          var verified = leaf.querySelector("[data-points=verified]");
          if (verified) verified.textContent = fmt(data.verified_points);
        }
        var summary = document.getElementById("summary");
        if (summary && data.summary_html) summary.outerHTML = data.summary_html;
        show(form, data.message, true);
        if (form.classList.contains("verify")) window.location.reload();
      })
      .catch(function () { show(form, "⚠ " + window.dtiOffline(), false); });
  });
})();

// The unit's form (#self-form): nothing typed is lost. Rows changed since they were loaded are
// marked and counted; leaving the page with unsaved changes asks first; "Save" posts only the
// changed rows (one request, one transaction on the server); evidence is attached or removed
// on its own, so the values typed but not yet saved stay where they are. Without JavaScript
// the same form posts whole and the server does the same (see views/self_form.py).
(function () {
  "use strict";
  var form = document.getElementById("self-form");
  var nav = document.getElementById("pillar-nav");

  function markCurrentPillar() {
    var nav = document.getElementById("pillar-nav");
    if (!nav) return;
    var target = window.location.hash ? document.getElementById(window.location.hash.slice(1)) : null;
    var section = target ? target.closest(".pillar-section") : null;
    if (!section) section = document.querySelector(".pillar-section");
    nav.querySelectorAll("a[data-pillar]").forEach(function (a) {
      if (section && a.getAttribute("href") === "#" + section.id) a.setAttribute("aria-current", "true");
      else a.removeAttribute("aria-current");
    });
  }
  window.addEventListener("hashchange", markCurrentPillar);
  if (nav) markCurrentPillar();
  if (!form) return;

  var bar = form.querySelector(".savebar .dirty-count");
  var saving = false;

  function rowOf(el) { return el.closest(".entry-fields"); }
  function fields(row) { return row.querySelectorAll("input[name], textarea[name]"); }
  function initialOf(row, name) {
    var twin = row.querySelector('input[type=hidden][name="initial-' + name + '"]');
    return twin ? twin.value : "";
  }
  function currentOf(row, name) {
    var els = row.querySelectorAll('[name="' + name + '"]');
    if (!els.length) return null;
    var el = els[0];
    if (el.type === "radio") {
      var checked = row.querySelector('[name="' + name + '"]:checked');
      return checked ? checked.value : "";
    }
    if (el.type === "checkbox") return el.checked ? "True" : "False";
    return el.value;
  }
  function normal(name, text) {
    // Compare as the server does: numbers by value (0,5 = 0.5), text trimmed.
    if (/-(value|denominator)$/.test(name)) {
      var t = String(text).trim().replace(/\s/g, "");
      if (t === "") return "";
      var n = Number(/,/.test(t) ? t.replace(/\./g, "").replace(",", ".") : t);
      return isNaN(n) ? t : String(n);
    }
    return String(text).trim();
  }
  function isDirty(row) {
    var prefix = row.dataset.prefix;
    return ["value", "denominator", "not_applicable", "explanation"].some(function (f) {
      var name = prefix + "-" + f;
      var now = currentOf(row, name);
      if (now === null) return false;
      return normal(name, now) !== normal(name, initialOf(row, name));
    });
  }
  function dirtyRows() {
    return Array.prototype.filter.call(form.querySelectorAll(".entry-fields"), isDirty);
  }
  function refresh() {
    var rows = form.querySelectorAll(".entry-fields");
    var n = 0;
    rows.forEach(function (row) {
      var d = isDirty(row);
      n += d ? 1 : 0;
      row.closest(".leaf").classList.toggle("is-dirty", d);
    });
    if (bar && !bar.classList.contains("error")) {
      bar.className = "dirty-count";
      bar.textContent = n ? (n + " " + (bar.dataset.unsaved || "unsaved")) : "";
    }
    return n;
  }
  if (bar) bar.dataset.unsaved = document.documentElement.lang === "vi" ? "chỉ số chưa lưu" : "indicators not saved";

  form.addEventListener("input", function () { if (bar) bar.classList.remove("error"); refresh(); });
  form.addEventListener("change", function () { refresh(); });
  window.addEventListener("beforeunload", function (event) {
    if (saving || !dirtyRows().length) return;
    event.preventDefault();
    event.returnValue = "";
  });

  function say(text, ok) {
    if (!bar) return;
    bar.textContent = text;
    bar.className = "dirty-count " + (ok ? "ok" : "error");
  }
  // The cookie first: signing in again (in another tab, after the session ended) rotates the
  // token, and the page's copy would then be refused.
  function csrf() {
    var cookie = document.cookie.split("; ").filter(function (c) { return c.indexOf("csrftoken=") === 0; })[0];
    return cookie ? cookie.slice("csrftoken=".length) : form.querySelector("input[name=csrfmiddlewaretoken]").value;
  }
  function post(data) {
    data.append("csrfmiddlewaretoken", csrf());
    return fetch(form.action, {
      method: "POST", body: data, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    }).then(window.dtiAnswer);
  }
  function refused(data) {
    var text = data.message + (data.problems && data.problems.length ? " " + data.problems.join(" · ") : "");
    say(text, false);
  }
  function fmt(x) {
    return x === null || x === undefined ? "" : Number(x).toLocaleString(document.documentElement.lang || "vi", { maximumFractionDigits: 2 });
  }
  function applyAnswer(data) {
    Object.keys(data.rows || {}).forEach(function (pk) {
      var row = form.querySelector('.entry-fields[data-prefix="e' + pk + '"]');
      if (!row) return;
      var info = data.rows[pk];
      row.querySelector('input[name="e' + pk + '-version"]').value = info.version;
      // What is on screen is now what is saved: it becomes the row's loaded state.
      ["value", "denominator", "not_applicable", "explanation"].forEach(function (f) {
        var name = "e" + pk + "-" + f;
        var twin = row.querySelector('input[name="initial-' + name + '"]');
        var now = currentOf(row, name);
        if (twin && now !== null) twin.value = now;
      });
      var leaf = row.closest(".leaf");
      var points = leaf.querySelector("[data-points=self]");
      if (points) points.textContent = fmt(info.self_points);
    });
    Object.keys(data.evidence || {}).forEach(function (pk) {
      var box = document.getElementById("ev-" + pk);
      if (box) box.outerHTML = data.evidence[pk];
    });
    var summary = document.getElementById("summary");
    if (summary && data.summary_html) summary.outerHTML = data.summary_html;
    var oldNav = document.getElementById("pillar-nav");
    if (oldNav && data.nav_html) { oldNav.outerHTML = data.nav_html; markCurrentPillar(); }
    form.querySelectorAll(".leaf").forEach(function (leaf) {
      var row = leaf.querySelector(".entry-fields");
      if (!row) return;
      var prefix = row.dataset.prefix;
      var filled = ["value", "not_applicable"].some(function (f) {
        var v = currentOf(row, prefix + "-" + f);
        return f === "value" ? v !== null && v !== "" : v === "True";
      });
      leaf.classList.toggle("is-filled", filled);
      leaf.classList.toggle("is-unfilled", !filled);
    });
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    event.preventDefault();
    var data = new FormData();
    if (button && (button.name === "attach" || button.name === "link")) {
      // Only this part of the row's evidence: a new document (file or link, what it is) or
      // one of the unit's documents to link.
      var part = button.closest("[data-evidence-part]");
      part.querySelectorAll("input[name], select[name]").forEach(function (el) {
        if (el.type === "file") { if (el.files.length) data.append(el.name, el.files[0]); }
        else data.append(el.name, el.value);
      });
      data.append(button.name, button.value);
    } else if (button && button.name === "remove_evidence") {
      data.append("remove_evidence", button.value);
    } else {
      var rows = dirtyRows();
      if (!rows.length) { say(bar ? (document.documentElement.lang === "vi" ? "Không có gì thay đổi." : "Nothing changed.") : "", true); return; }
      rows.forEach(function (row) {
        row.querySelectorAll("input[name], textarea[name]").forEach(function (el) {
          if ((el.type === "radio" || el.type === "checkbox") && !el.checked) return;
          data.append(el.name, el.value);
        });
      });
    }
    say("…", true);
    post(data).then(function (answer) {
      if (!answer.ok) { refused(answer); return; }
      applyAnswer(answer);
      refresh();
      say(answer.message, true);
    }).catch(function () { say("⚠ " + window.dtiOffline(), false); });
  });
  refresh();
})();
