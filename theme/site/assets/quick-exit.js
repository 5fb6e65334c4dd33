// Quick exit, after GOV.UK Frontend's "Exit this page" component, for people who may be watched.
// Loaded in <head> on every page so that it can act before anything is drawn. Without
// JavaScript the button is a plain link to the neutral site (and the skip link leads to it).
//
// - Clicking the button or the skip link, or pressing Shift three times (at most 5 s apart,
//   Shift on its own: Shift+letter does not count), hides the page at once and replaces the
//   history entry with the neutral site, so Back does not bring the page back.
// - Beyond GOV.UK: the tab remembers (sessionStorage, gone when the tab closes) that it left;
//   any page of this site reached again with Back/Forward, or restored from the back-forward
//   cache, is hidden before it is drawn and leaves again, replacing its own history entry too.
(function () {
  "use strict";
  var EXITED = "sn-exited";       // sessionStorage key: the neutral URL this tab left for
  var WINDOW_MS = 5000;           // time allowed between two Shift presses
  var MESSAGES = {
    two: "Shift, press 2 more times to exit.",
    one: "Shift, press 1 more time to exit.",
    expired: "Exit this page expired.",
    leaving: "Loading."
  };
  var root = document.documentElement;

  function remembered() {
    try { return window.sessionStorage.getItem(EXITED); } catch (e) { return null; }
  }

  function remember(url) {
    try { window.sessionStorage.setItem(EXITED, url); } catch (e) { /* storage off: Back may show the page */ }
  }

  function forget() {
    try { window.sessionStorage.removeItem(EXITED); } catch (e) { /* nothing to forget */ }
  }

  function navigationType() {
    var entries = window.performance && performance.getEntriesByType ? performance.getEntriesByType("navigation") : [];
    return entries.length ? entries[0].type : "";
  }

  // Hide everything now (the class works even before <body> exists), then go.
  function leave(url) {
    remember(url);
    root.classList.add("sn-exit-hidden");
    document.title = "Loading";
    if (document.body && !document.querySelector(".sn-exit-overlay")) {
      var overlay = document.createElement("div");
      overlay.className = "sn-exit-overlay";
      overlay.setAttribute("role", "alert");
      document.body.appendChild(overlay);
      overlay.textContent = MESSAGES.leaving;   // set after insertion: announced more reliably
    }
    window.location.replace(url);
  }

  // Back or Forward into a tab that has left: do not show the page, leave again.
  var left = remembered();
  if (left) {
    if (navigationType() === "back_forward") {
      leave(left);
      return;
    }
    forget();   // the person came back on purpose (typed the address, followed a link)
  }
  window.addEventListener("pageshow", function (event) {
    var url = remembered();
    if (event.persisted && (url || root.classList.contains("sn-exit-hidden"))) {
      leave(url || exitUrl());
    }
  });

  var button = null, status = null, presses = 0, pressTimer = null, clearTimer = null;
  var shiftAlone = false;   // Shift is down and no other key (or click) has come with it

  function exitUrl() {
    return button ? button.href : "about:blank";
  }

  function announce(text) {
    if (!status) return;
    window.clearTimeout(clearTimer);
    status.textContent = text;
  }

  function expire() {
    presses = 0;
    pressTimer = null;
    announce(MESSAGES.expired);
    clearTimer = window.setTimeout(function () { announce(""); }, WINDOW_MS);
  }

  function shiftPressed() {
    presses += 1;
    window.clearTimeout(pressTimer);
    if (presses >= 3) {
      presses = 0;
      leave(exitUrl());
      return;
    }
    announce(presses === 1 ? MESSAGES.two : MESSAGES.one);
    pressTimer = window.setTimeout(expire, WINDOW_MS);
  }

  function breakSequence() {
    shiftAlone = false;
    if (presses) {
      window.clearTimeout(pressTimer);
      expire();
    }
  }

  function start() {
    button = document.querySelector(".sn-exit__button");
    if (!button) return;   // not a sensitive page
    status = document.querySelector(".sn-exit__status");
    // The page's language: the control carries the messages in it (theme/locale catalogues).
    var control = document.querySelector(".sn-exit[data-sn-messages]");
    if (control) {
      try {
        var own = JSON.parse(control.getAttribute("data-sn-messages"));
        Object.keys(MESSAGES).forEach(function (k) { if (own[k]) MESSAGES[k] = own[k]; });
      } catch (e) { /* keep the English messages */ }
    }
    document.querySelectorAll("[data-sn-exit]").forEach(function (link) {
      link.addEventListener("click", function (event) {
        event.preventDefault();
        leave(exitUrl());
      });
    });
    // Capture phase: the search box and other widgets cannot swallow the presses.
    document.addEventListener("keydown", function (event) {
      if (event.key === "Shift") {
        if (!event.repeat) shiftAlone = true;
      } else {
        breakSequence();   // any other key, including the letter of Shift+letter
      }
    }, true);
    document.addEventListener("keyup", function (event) {
      if (event.key === "Shift" && shiftAlone) {
        shiftAlone = false;
        shiftPressed();
      }
    }, true);
    document.addEventListener("pointerdown", function () { shiftAlone = false; }, true);  // Shift+click
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
