/* Print links (<a data-print-size="A4" data-print-base="/map.pdf">): on click, the PDF gets the
   view the address holds now (the map script keeps status= and layers= in it), plus size=. */
(function () {
  "use strict";
  var KEEP = ["status", "layers", "province", "as_of"];
  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-print-size]") : null;
    if (!link) { return; }
    var here = new URLSearchParams(location.search), out = new URLSearchParams();
    KEEP.forEach(function (k) { if (here.has(k)) { out.set(k, here.get(k)); } });
    out.set("size", link.dataset.printSize);
    link.href = link.dataset.printBase + "?" + out.toString().replace(/%2C/g, ",");
  });
})();
