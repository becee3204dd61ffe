/* Page-wide behaviour that used to sit in inline event handlers (the Content-Security-Policy
   allows no inline script): <form data-confirm="..."> asks before submitting, and
   <select data-autosubmit> submits its form when changed. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.dataset && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
})();
