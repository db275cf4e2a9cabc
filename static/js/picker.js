// Searchable selects (qms/widgets.py): every <select data-picker> becomes a Tom Select
// box; one with data-picker-url asks the server for more options as you type.
// Without this script the plain select works as before.
(function () {
  "use strict";
  if (typeof window.TomSelect !== "function") { return; }

  function loader(url) {
    return function (query, callback) {
      var sep = url.indexOf("?") === -1 ? "?" : "&";
      fetch(url + sep + "q=" + encodeURIComponent(query), {
        credentials: "same-origin", headers: { "Accept": "application/json" }
      }).then(function (r) { return r.ok ? r.json() : { results: [] }; })
        .then(function (data) { callback(data.results || []); })
        .catch(function () { callback(); });
    };
  }

  function enhance(el) {
    if (el.tomselect || el.disabled) { return; }
    // The "more are not listed" note is for a browser without this script.
    el.querySelectorAll("option[data-picker-more]").forEach(function (o) { o.remove(); });
    var url = el.getAttribute("data-picker-url");
    var options = {
      plugins: el.multiple ? ["remove_button"] : [],
      valueField: "value", labelField: "text", searchField: ["text"],
      allowEmptyOption: !el.multiple, maxOptions: 100, create: false,
      closeAfterSelect: !el.multiple, hidePlaceholder: true,
      placeholder: el.multiple ? "Type to search…" : undefined
    };
    if (url) {
      options.load = loader(url);
      options.shouldLoad = function (query) { return query.length >= 1; };
      options.loadThrottle = 250;
    }
    new window.TomSelect(el, options);
  }

  function init(root) {
    if (!root || !root.querySelectorAll) { return; }
    if (root.matches && root.matches("select[data-picker]")) { enhance(root); }
    root.querySelectorAll("select[data-picker]").forEach(enhance);
  }

  init(document);
  // Forms htmx swaps in (e.g. an inline edit) get the same boxes.
  document.addEventListener("htmx:load", function (ev) { init(ev.target); });
})();
