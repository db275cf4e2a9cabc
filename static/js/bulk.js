// Bulk selection on registers (templates/includes/_bulk_bar.html). Progressive:
// without this file the checkboxes still post with the bar's plain form.
(function () {
  "use strict";
  function rows(formId) {
    return Array.prototype.slice.call(
      document.querySelectorAll('input[type="checkbox"][name="ids"][form="' + formId + '"]'));
  }
  function refresh(formId) {
    var boxes = rows(formId);
    var n = boxes.filter(function (b) { return b.checked; }).length;
    var bar = document.getElementById(formId);
    if (!bar) { return; }
    var count = bar.querySelector("[data-bulk-count]");
    if (count) { count.textContent = n ? n + " selected:" : "Tick rows below, then:"; }
    bar.querySelectorAll("[data-bulk-action]").forEach(function (b) { b.disabled = n === 0; });
    document.querySelectorAll('[data-bulk-all="' + formId + '"]').forEach(function (all) {
      all.hidden = boxes.length === 0;
      all.checked = boxes.length > 0 && n === boxes.length;
      all.indeterminate = n > 0 && n < boxes.length;
    });
  }
  function refreshAll() {
    document.querySelectorAll("[data-bulk-bar]").forEach(function (bar) { refresh(bar.id); });
  }
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    var formId = el.getAttribute("data-bulk-all");
    if (formId) {
      rows(formId).forEach(function (b) { b.checked = el.checked; });
      refresh(formId);
    } else if (el.name === "ids" && el.getAttribute("form")) {
      refresh(el.getAttribute("form"));
    }
  });
  document.addEventListener("DOMContentLoaded", refreshAll);
  document.addEventListener("htmx:afterSwap", refreshAll);  // the register's rows were replaced
})();
