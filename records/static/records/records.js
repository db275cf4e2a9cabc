// Records: drag-and-drop evidence and the form builder. Pages work without it.
(function () {
  // Dropzones: dropped files go into the real <input type=file multiple>.
  document.querySelectorAll("[data-dropzone]").forEach(function (zone) {
    var input = document.getElementById(zone.getAttribute("data-dropzone"));
    var list = zone.querySelector("[data-dropzone-list]");
    function show() {
      if (!list) return;
      list.innerHTML = "";
      Array.prototype.forEach.call(input.files, function (f) {
        var li = document.createElement("li");
        li.textContent = f.name + " (" + Math.ceil(f.size / 1024) + " KB)";
        list.appendChild(li);
      });
    }
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (ev) { ev.preventDefault(); zone.classList.add("dragover"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function (ev) { ev.preventDefault(); zone.classList.remove("dragover"); });
    });
    zone.addEventListener("drop", function (ev) {
      var dt = new DataTransfer();
      Array.prototype.forEach.call(input.files, function (f) { dt.items.add(f); });
      Array.prototype.forEach.call(ev.dataTransfer.files, function (f) { dt.items.add(f); });
      input.files = dt.files;
      show();
    });
    input.addEventListener("change", show);
  });

  // Form builder: add, remove, move rows; show only the options of each type.
  var builder = document.getElementById("form-builder");
  if (!builder) return;
  var prefix = builder.getAttribute("data-prefix");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var rows = builder.querySelector("[data-rows]");
  function renumber() {
    var n = 1;
    rows.querySelectorAll("[data-row]").forEach(function (row) {
      var order = row.querySelector("input[name$='-ORDER']");
      var del = row.querySelector("input[name$='-DELETE']");
      if (del && del.checked) return;
      if (order) order.value = n++;
    });
  }
  function toggle(row) {
    var type = row.querySelector("select[name$='-type']").value;
    row.querySelectorAll("[data-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-for").split(" ").indexOf(type) === -1;
    });
  }
  builder.addEventListener("change", function (ev) {
    if (ev.target.matches("select[name$='-type']")) toggle(ev.target.closest("[data-row]"));
  });
  builder.addEventListener("click", function (ev) {
    var btn = ev.target.closest("[data-action]");
    if (!btn) return;
    ev.preventDefault();
    var row = btn.closest("[data-row]");
    var action = btn.getAttribute("data-action");
    if (action === "add") {
      var html = document.getElementById("empty-row").innerHTML.replace(/__prefix__/g, total.value);
      rows.insertAdjacentHTML("beforeend", html);
      total.value = parseInt(total.value, 10) + 1;
      var added = rows.lastElementChild;
      toggle(added);
      added.querySelector("input[name$='-label']").focus();
    } else if (action === "remove") {
      row.querySelector("input[name$='-DELETE']").checked = true;
      row.hidden = true;
    } else if (action === "up") {
      var prev = row.previousElementSibling;
      while (prev && prev.hidden) { prev = prev.previousElementSibling; }  // skip removed rows
      if (prev) rows.insertBefore(row, prev);
    } else if (action === "down") {
      var next = row.nextElementSibling;
      while (next && next.hidden) { next = next.nextElementSibling; }
      if (next) rows.insertBefore(next, row);
    }
    renumber();
  });
  rows.querySelectorAll("[data-row]").forEach(toggle);
  renumber();
})();
