// Place autocomplete: as the place is typed, offer gazetteer names (any script) from /api/places.
(function () {
  "use strict";
  var input = document.getElementById("f-place");
  var list = document.getElementById("places");
  if (!input || !list) { return; }
  var timer = null;
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var q = input.value.trim();
    if (q.length < 2) { return; }
    timer = setTimeout(function () {
      fetch("/api/places?limit=10&q=" + encodeURIComponent(q), { credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : []; })
        .then(function (places) {
          list.replaceChildren.apply(list, places.map(function (p) {
            var option = document.createElement("option");
            option.value = p.name;
            option.label = p.name + " (" + p.country + ", " + p.kind + ")";
            return option;
          }));
        });
    }, 150);
  });
})();
