// Safe viewing: a blurred, grey image is shown on one click and blurred again on the
// next; each change is logged for the worker's own record. Set up through task.js's
// fairloop.onPage, so it runs again on a next item loaded in place.
window.fairloop.onPage(function () {
  "use strict";
  var button = document.getElementById("reveal");
  var image = document.getElementById("item-image");
  if (!button || !image) return;
  button.addEventListener("click", function () {
    var shown = image.classList.toggle("veiled") === false;
    button.setAttribute("aria-pressed", shown ? "true" : "false");
    button.textContent = shown ? button.dataset.hide : button.dataset.show;
    var body = new URLSearchParams({ csrf: button.dataset.csrf, shown: shown ? "1" : "0" });
    fetch("/work/assignments/" + button.dataset.assignment + "/reveal", {
      method: "POST", body: body, credentials: "same-origin"
    });
  });
});
