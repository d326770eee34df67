// The times page: after a failed attempt, focus goes to what needs attention.
(function () {
  "use strict";
  const target = document.getElementById("errors") || document.getElementById("notice");
  if (target) target.focus();
})();
