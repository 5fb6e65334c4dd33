// Quick exit (GOV.UK "Exit this page" pattern). Without JavaScript the button is a plain link.
(function () {
  "use strict";
  var button = document.querySelector(".sn-exit__button");
  if (!button) return;
  var exitUrl = button.getAttribute("href");
  function leave(event) {
    if (event) event.preventDefault();
    var overlay = document.createElement("div");
    overlay.className = "sn-exit-overlay";
    document.body.appendChild(overlay);        // hide the page at once
    document.title = "Loading";
    window.location.replace(exitUrl);          // replace this entry: Back does not return here
  }
  document.querySelectorAll("[data-sn-exit]").forEach(function (link) {
    link.addEventListener("click", leave);
  });
})();
