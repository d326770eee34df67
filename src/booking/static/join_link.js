// The site page's "Here today? Join the walk-in queue" link: hidden unless the queue's
// public status says the site takes remote check-ins and is open now. Only HTTP: the
// booking feature knows nothing of the queue's code.
(function () {
  "use strict";
  const link = document.getElementById("remote-join");
  if (!link || !window.fetch) return;
  const url = "/api/v1/sites/" + encodeURIComponent(link.dataset.site) +
    "/remote-tickets?lang=" + encodeURIComponent(link.dataset.lang);
  fetch(url)
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (status) {
      if (status && status.allowed && status.open && status.services.length) link.hidden = false;
    })
    .catch(function () { /* no link then */ });
})();
