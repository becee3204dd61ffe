/* Page-wide behaviour that used to sit in inline event handlers (the Content-Security-Policy
   allows no inline script): <form data-confirm="..."> asks before submitting (data-confirm-if: only for one choice), and
   <select data-autosubmit> submits its form when changed. */
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.dataset && form.dataset.confirm && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
      return;
    }
    // <form data-confirm-if="field=value" data-confirm-if-text="..."> asks only for that choice
    var rule = form.dataset && form.dataset.confirmIf;
    if (rule) {
      var name = rule.split("=")[0], value = rule.slice(name.length + 1), input = form.elements[name];
      if (input && input.value === value && !window.confirm(form.dataset.confirmIfText)) event.preventDefault();
    }
  });
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.dataset && field.hasAttribute("data-autosubmit") && field.form) {
      field.form.submit();
    }
  });
})();
