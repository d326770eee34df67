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

  // A text that fell back to another language carries it (WCAG 3.1.2).
  function inLanguage(tag, text, lang) {
    const element = document.createElement(tag);
    element.textContent = text;
    if (lang) { element.lang = lang; element.dir = "ltr"; } // English or German
    return element;
  }

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

  // Enough of an address to recognise it: "a•••@example.org", "+49 151 •••• 789"
  // (as confirmation.py masks them on the confirmation page).
  function maskEmail(email) {
    const at = email.lastIndexOf("@");
    return email.slice(0, Math.min(1, at)) + page.mask[0] + email.slice(at);
  }
  function maskPhone(phone) {
    const digits = phone.replace(/[^0-9]/g, "");
    const code = (phone.match(/^\+(1|7|2[07]|3[0-469]|4[013-9]|5[1-8]|6[0-6]|8[1246]|9[0-58]|\d{3})/) || [])[1];
    const national = code ? digits.slice(code.length) : digits;
    return (code ? "+" + code + " " : "") + national.slice(0, 3) + " " + page.mask[1] + " " + national.slice(-3);
  }

  function showSentTo() {
    const shown = [];
    if (booking.email) shown.push(maskEmail(booking.email));
    if (booking.phone) shown.push(maskPhone(booking.phone));
    const box = $("sent-to");
    box.textContent = "";
    if (!shown.length) return;
    const parts = texts.sent_to.split("{contacts}");
    const joined = new Intl.ListFormat(page.lang, { type: "conjunction" }).formatToParts(shown);
    box.append(parts[0]);
    joined.forEach(function (part) {
      if (part.type !== "element") { box.append(part.value); return; }
      const bdi = document.createElement("bdi");
      bdi.dir = "ltr";
      bdi.textContent = part.value;
      box.append(bdi);
    });
    box.append(parts[1] || "");
  }

  // Each site once: its address, a map link and its check-in window.
  function showPlaces() {
    const box = $("places");
    box.innerHTML = "";
    const seen = [];
    booking.appointments.forEach(function (a) {
      if (seen.indexOf(a.site) >= 0) return;
      seen.push(a.site);
      const place = document.createElement("div");
      place.className = "place";
      const where = document.createElement("p");
      const name = document.createElement("strong");
      name.textContent = a.site_name;
      const address = document.createElement("bdi");
      address.className = "address";
      address.textContent = a.address;
      where.append(name, document.createElement("br"), address);
      const link = document.createElement("a");
      link.className = "map";
      link.href = "https://www.openstreetmap.org/search?" + new URLSearchParams({ query: a.address });
      link.rel = "noopener";
      link.target = "_blank";
      link.textContent = texts.map;
      const hidden = document.createElement("span");
      hidden.className = "visually-hidden";
      hidden.textContent = " (" + texts.new_tab + ")";
      link.append(hidden);
      const linkRow = document.createElement("p");
      linkRow.append(link);
      place.append(where, linkRow);
      if (page.check_in[a.site]) {
        const window_ = document.createElement("p");
        window_.className = "check-in-window";
        window_.textContent = page.check_in[a.site];
        place.append(window_);
      }
      box.append(place);
    });
  }

  // A cancelled booking shows only that, and a way to book the same services again.
  function showCancelled() {
    $("booking").hidden = true;
    $("qr").hidden = true;
    $("reschedule").hidden = true;
    $("cancelled").hidden = false;
    const first = booking.appointments[0];
    if (!first) return;
    const query = new URLSearchParams();
    booking.appointments.forEach(function (a) { query.append("services", a.service); });
    $("book-again").href = "/" + page.lang + "/sites/" + encodeURIComponent(first.site) + "?" + query;
  }

  async function load() {
    if (!token) { $("missing").hidden = false; return; }
    const response = await fetch("/api/v1/bookings/" + reference, { headers: headers });
    if (!response.ok) { $("missing").hidden = false; return; }
    booking = await response.json();
    if (booking.status !== "confirmed") { showCancelled(); return; }
    $("cancelled").hidden = true;
    $("booking").hidden = false;
    $("qr").hidden = false;
    showSentTo();
    showPlaces();
    const list = $("appointments");
    list.innerHTML = "";
    const lists = $("bring-lists");
    lists.innerHTML = "";
    const several = booking.appointments.length > 1;
    booking.appointments.forEach(function (a, n) {
      const li = document.createElement("li");
      li.textContent = format(a.start) + " · ";
      li.append(inLanguage("span", a.service_name, a.text_languages.name), " · " + a.site_name);
      list.append(li);
      if (!a.bring.length) return;
      const items = inLanguage("ul", "", a.text_languages.bring);
      items.className = "bring";
      if (several) {  // a one-stop visit: one list per office, under its name
        const title = inLanguage("p", a.service_name, a.text_languages.name);
        title.className = "bring-title";
        title.id = "bring-" + n;
        items.setAttribute("aria-labelledby", title.id);
        lists.append(title);
      }
      a.bring.forEach(function (thing) {
        const item = document.createElement("li");
        item.textContent = thing;
        items.append(item);
      });
      lists.append(items);
    });
    $("bring-section").hidden = !lists.children.length || booking.status !== "confirmed";
    const languageName = new Intl.DisplayNames([page.lang], { type: "language" }).of(booking.advice_language);
    $("advice-language").textContent = texts.advice_language.replace("{language}", languageName);
    $("ics").onclick = downloadCalendar;
    const open = booking.status === "confirmed";
    $("cancel").hidden = !open;
    $("show-times").hidden = !open;
    if (!open) say(texts.status_cancelled);
    offerCheckIn();
  }

  // "I am here: check in": on the appointment's local day, where its site takes
  // check-ins from phones and is open now (the queue's public status, over HTTP).
  let checkInSite = null;
  async function offerCheckIn() {
    $("check-in-row").hidden = true;
    checkInSite = null;
    if (!booking || booking.status !== "confirmed") return;
    const sites = [];
    booking.appointments.forEach(function (a) { if (sites.indexOf(a.site) < 0) sites.push(a.site); });
    for (const site of sites) {
      const response = await fetch("/api/v1/sites/" + encodeURIComponent(site) + "/remote-tickets?lang=" + page.lang);
      if (!response.ok) continue;
      const status = await response.json();
      const today = booking.appointments.some(function (a) {
        return a.site === site && a.start.slice(0, 10) === status.today;
      });
      if (status.allowed && status.open && today) {
        checkInSite = site;
        $("check-in-row").hidden = false;
        return;
      }
    }
  }

  async function checkIn() {
    if (!checkInSite) return;
    const button = $("check-in");
    button.disabled = true;
    const r = await fetch("/api/v1/sites/" + encodeURIComponent(checkInSite) + "/remote-tickets", {
      method: "POST", headers: Object.assign({ "content-type": "application/json" }, headers),
      body: JSON.stringify({ reference: reference }),
    });
    const answer = await r.json().catch(function () { return null; });
    if (r.status === 201 && answer) {
      const url = new URL(answer.ticket_url, location.href);
      location.assign("/" + page.lang + url.pathname + url.hash);
      return;
    }
    button.disabled = false;
    const code = answer && answer.code;
    if (code === "too_early" && answer.opens_at) {
      const time = new Intl.DateTimeFormat(page.lang, { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Berlin" })
        .format(new Date(answer.opens_at));
      say(texts.too_early.replace("{time}", time));
    } else if (code === "checked_in_already") say(texts.checked_in_already);
    else if (code === "remote_queue_off" || code === "site_closed") say(texts.check_in_closed);
    else say(texts.failed);
  }

  async function showTimes() {
    const first = booking.appointments[0];
    const services = booking.appointments.map(function (a) { return a.service; });
    let choices = [];
    // The new times keep the language the visit is held in.
    const advice = booking.advice_language !== "de" ? "&advice_language=" + booking.advice_language : "";
    if (services.length === 1) {
      const r = await fetch("/api/v1/availability?site=" + first.site + "&service=" + services[0] + advice);
      choices = (await r.json()).slots.map(function (s) { return { ids: [s.id], start: s.start }; });
    } else {
      const r = await fetch("/api/v1/visits/options?limit=20&site=" + first.site + advice +
        (booking.package ? "&package=" + booking.package : "&services=" + services.join(",")));
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
  $("check-in").onclick = checkIn;
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
