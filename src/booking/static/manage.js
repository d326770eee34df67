// The manage page: the token rides in the URL fragment (#t=…), never sent to a server
// except as the Authorization header of the API calls below.
(function () {
  "use strict";
  const $ = function (id) { return document.getElementById(id); };
  const texts = JSON.parse($("texts").textContent);
  const page = JSON.parse($("page").textContent);
  const reference = page.reference;
  const token = new URLSearchParams(location.hash.replace(/^#/, "")).get("t");
  const headers = { Authorization: "Bearer " + token };
  let booking = null;

  function say(text) { $("status").textContent = text; }

  function format(iso) {
    const zone = "Europe/Berlin";
    return new Intl.DateTimeFormat(page.lang, {
      weekday: "long", day: "numeric", month: "long", hour: "2-digit", minute: "2-digit", timeZone: zone,
    }).format(new Date(iso));
  }

  // The token goes in a header, never in the URL: fetch the file, then hand it over.
  async function downloadCalendar(event) {
    event.preventDefault();
    const response = await fetch("/api/v1/bookings/" + reference + "/calendar.ics", { headers: headers });
    if (!response.ok) return;
    const link = document.createElement("a");
    link.href = URL.createObjectURL(await response.blob());
    link.download = reference + ".ics";
    link.click();
    URL.revokeObjectURL(link.href);
  }

  async function load() {
    if (!token) { $("missing").hidden = false; return; }
    const response = await fetch("/api/v1/bookings/" + reference, { headers: headers });
    if (!response.ok) { $("missing").hidden = false; return; }
    booking = await response.json();
    $("booking").hidden = false;
    const list = $("appointments");
    list.innerHTML = "";
    booking.appointments.forEach(function (a) {
      const li = document.createElement("li");
      li.textContent = format(a.start) + " · " + a.service_name + " · " + a.site_name;
      list.append(li);
    });
    $("ics").onclick = downloadCalendar;
    const open = booking.status === "confirmed";
    $("cancel").hidden = !open;
    $("show-times").hidden = !open;
    if (!open) say(texts.status_cancelled);
  }

  async function showTimes() {
    const first = booking.appointments[0];
    const services = booking.appointments.map(function (a) { return a.service; });
    let choices = [];
    if (services.length === 1) {
      const r = await fetch("/api/v1/availability?site=" + first.site + "&service=" + services[0]);
      choices = (await r.json()).slots.map(function (s) { return { ids: [s.id], start: s.start }; });
    } else {
      const r = await fetch("/api/v1/visits/options?limit=20&site=" + first.site + "&services=" + services.join(","));
      choices = (await r.json()).options.map(function (o) { return { ids: o.slot_ids, start: o.start }; });
    }
    const box = $("choices");
    box.innerHTML = "";
    $("no-times").hidden = choices.length > 0;
    choices.slice(0, 40).forEach(function (c) {
      const label = document.createElement("label");
      label.className = "slot";
      label.innerHTML = "<input type=radio name=choice> <span class=when></span>";
      label.querySelector("input").value = c.ids.join(",");
      label.querySelector(".when").textContent = format(c.start);
      box.append(label);
    });
    $("reschedule").hidden = false;
    $("reschedule-title").focus();
  }

  $("cancel").onclick = async function () {
    if (!window.confirm(texts.confirm_cancel)) return;
    const r = await fetch("/api/v1/bookings/" + reference + "/cancel", { method: "POST", headers: headers });
    await load();
    say(r.ok ? texts.cancelled : texts.failed);
  };
  $("show-times").onclick = showTimes;
  $("reschedule-form").onsubmit = async function (e) {
    e.preventDefault();
    const picked = document.querySelector("input[name=choice]:checked");
    if (!picked) { say(texts.choose); return; }
    const ids = picked.value.split(",").map(Number);
    const body = ids.length === 1 ? { slot_id: ids[0] } : { slot_ids: ids };
    // The proof of work the page solved meanwhile (challenge.js), when it asks for one.
    const altcha = window.wcrChallenge ? await window.wcrChallenge.take(this) : "";
    if (altcha) body.altcha = altcha;
    const r = await fetch("/api/v1/bookings/" + reference + "/reschedule", {
      method: "POST", headers: Object.assign({ "content-type": "application/json" }, headers),
      body: JSON.stringify(body),
    });
    if (r.ok) { say(texts.moved); $("reschedule").hidden = true; await load(); }
    else if (r.status === 409) { say(texts.taken); await showTimes(); }
    else { say(texts.failed); }
  };
  // Switching language must keep the token, which lives in the fragment.
  document.querySelectorAll(".languages a").forEach(function (a) { a.href += location.hash; });
  load();
})();
