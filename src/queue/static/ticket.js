// A visitor's ticket: place in line and estimated wait, refreshed on every event.
(function () {
  "use strict";
  const id = JSON.parse(document.getElementById("page").textContent).ticket;
  const token = decodeURIComponent(location.hash.replace(/^#/, ""));
  const text = {
    waiting: "Bitte warten Sie · Please wait",
    called: "Sie sind dran! · It's your turn!",
    done: "Erledigt – vielen Dank · Done – thank you",
    no_show: "Nicht erschienen · Missed",
  };
  let source = null;

  async function refresh() {
    // The token goes in a header, never in the URL (URLs end up in access logs).
    const response = await fetch("/api/v1/tickets/" + id + "/public", {
      headers: { Authorization: "Bearer " + token },
    });
    if (!response.ok) {
      document.getElementById("status").textContent = "Ticket nicht gefunden · Ticket not found";
      return null;
    }
    const t = await response.json();
    document.getElementById("number").textContent = t.number;
    document.getElementById("queue").textContent = t.queue_name;
    document.getElementById("ahead").textContent = t.position ? String(t.position - 1) : "–";
    document.getElementById("wait").textContent =
      t.estimated_wait_minutes === null ? "–" : "≈ " + t.estimated_wait_minutes + " min";
    let status = text[t.status] || t.status;
    if (t.status === "called" && t.counter) status += " → " + t.counter;
    document.getElementById("status").textContent = status;
    document.body.dataset.status = t.status;
    return t;
  }

  refresh().then(function (t) {
    if (!t) return;
    source = new EventSource("/api/v1/sites/" + encodeURIComponent(t.site) + "/events");
    source.addEventListener("ticket", refresh);
  });
})();
