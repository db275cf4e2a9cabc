// Small progressive enhancements; every page works without them.
document.addEventListener("click", function (ev) {
  var el = ev.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
});
document.addEventListener("click", function (ev) {
  var el = ev.target.closest("[data-history-back]");
  if (el) { ev.preventDefault(); window.history.back(); }
});
// A filter form folded on a phone (details.filter-fold[data-fold-narrow]): open on a wide
// screen or when the page was filtered; without this script it simply stays open.
(function () {
  if (!window.matchMedia || !window.matchMedia("(max-width: 767.98px)").matches || window.location.search) { return; }
  document.querySelectorAll("details[data-fold-narrow][open]").forEach(function (d) { d.removeAttribute("open"); });
})();
