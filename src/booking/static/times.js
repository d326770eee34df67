// The times and details steps: after a failed attempt, focus goes to what needs
// attention (the error summary sits right above the fields it names).
(function () {
  "use strict";
  const target = document.getElementById("errors") || document.getElementById("notice");
  if (target) target.focus();
})();
