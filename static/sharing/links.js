/* The share-links page: copy a link's address, show its QR code (qrcode-generator, vendored). */
(function () {
  "use strict";
  function copy(text) {
    if (navigator.clipboard && window.isSecureContext) return navigator.clipboard.writeText(text);
    return new Promise(function (resolve) {  // plain http on an office network: the old way
      var area = document.createElement("textarea");
      area.value = text; area.setAttribute("readonly", ""); area.style.position = "fixed"; area.style.opacity = "0";
      document.body.appendChild(area); area.select();
      try { document.execCommand("copy"); } catch (e) { /* the address stays selected */ }
      document.body.removeChild(area); resolve();
    });
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".share-copy");
    if (button) {
      var input = button.parentNode.querySelector(".share-url");
      input.select();
      copy(button.dataset.url).then(function () {
        var before = button.textContent;
        button.textContent = button.dataset.done;
        document.documentElement.setAttribute("data-copied", button.dataset.url);
        setTimeout(function () { button.textContent = before; }, 2000);
      });
      return;
    }
    var toggle = event.target.closest(".share-qr-toggle");
    if (toggle) {
      var figure = toggle.closest(".share-link").querySelector(".share-qr");
      if (!figure.querySelector("svg") && typeof qrcode === "function") {
        var qr = qrcode(0, "M");
        qr.addData(figure.dataset.qr);
        qr.make();
        figure.insertAdjacentHTML("afterbegin", qr.createSvgTag({ cellSize: 4, margin: 4, scalable: true }));
      }
      figure.hidden = !figure.hidden;
      toggle.setAttribute("aria-expanded", String(!figure.hidden));
    }
  });
})();
