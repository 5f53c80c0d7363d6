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
      .then(function (response) {
        return response.json().then(function (data) { return { status: response.status, data: data }; });
      })
      .then(function (result) {
        var data = result.data;
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
      .catch(function () { show(form, "⚠", false); });
  });
})();
