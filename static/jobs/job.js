/* The job page follows its job: GET the job's JSON every second or two, move the progress
   bar, say when no worker is running, and reload the page (which then shows the result)
   when the job has ended. */
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.dataset.state === "done" || box.dataset.state === "failed") { return; }
  var bar = document.getElementById("job-progress");
  var count = document.getElementById("job-count");
  var waiting = document.getElementById("job-waiting");
  var delay = 1000;
  function poll() {
    fetch(box.dataset.url, {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (job) {
        if (!job) { delay = Math.min(delay * 2, 10000); return; }
        if (job.state === "done" || job.state === "failed") { window.location.reload(); return; }
        if (job.progress && job.progress.total) {
          bar.max = job.progress.total;
          bar.value = job.progress.done;
          count.textContent = job.progress.done + " / " + job.progress.total;
        }
        waiting.hidden = !job.waiting_for_worker;
      })
      .catch(function () { delay = Math.min(delay * 2, 10000); })
      .then(function () { window.setTimeout(poll, delay); });
  }
  window.setTimeout(poll, delay);
})();
