// The slip page on its own: a button to print it, and a page as long as the slip.
(function () {
  "use strict";
  const MM = 96 / 25.4; // CSS pixels per millimetre

  // "@page { size: 80mm L }" with L the slip's own length (plus the page margins).
  function fitPage(slip) {
    const sheet = Array.prototype.find.call(document.styleSheets, function (s) {
      return s.href && s.href.indexOf("/static/slip.css") >= 0;
    });
    if (!sheet || !slip) return;
    const length = Math.ceil(slip.getBoundingClientRect().height / MM) + 8;
    sheet.insertRule("@page { size: 80mm " + length + "mm; }", sheet.cssRules.length);
  }

  fitPage(document.querySelector(".slip"));
  const button = document.getElementById("print");
  if (button) button.addEventListener("click", function () { window.print(); });
})();
