// The one script of guidegen serve's page: a job's progress, asked for every second, shown in
// the progress bar and its status line; the page reloads when the job is finished, to show
// its downloads. Without JavaScript the page says to reload it by hand.
(function () {
  "use strict";
  var box = document.getElementById("job");
  if (!box || box.getAttribute("data-finished") === "true") {
    return;
  }
  var url = box.getAttribute("data-progress");
  var bar = document.getElementById("job-progress");
  var status = document.getElementById("job-status");
  function tick() {
    fetch(url, { headers: { Accept: "application/json" }, cache: "no-store" })
      .then(function (response) {
        return response.json();
      })
      .then(function (job) {
        if (job.finished) {
          location.reload();
          return;
        }
        if (bar) {
          bar.max = Math.max(job.total, 1);
          bar.value = job.done;
        }
        if (status.textContent !== job.text) {
          status.textContent = job.text;
        }
        setTimeout(tick, 1000);
      })
      .catch(function () {
        setTimeout(tick, 3000);
      });
  }
  setTimeout(tick, 1000);
})();
