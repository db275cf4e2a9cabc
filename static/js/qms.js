// Small progressive enhancements; every page works without them.
document.addEventListener("click", function (ev) {
  var el = ev.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { ev.preventDefault(); }
});
document.addEventListener("click", function (ev) {
  var el = ev.target.closest("[data-history-back]");
  if (el) { ev.preventDefault(); window.history.back(); }
});
