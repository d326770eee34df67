// The agency portal: all through the agency API with the key as bearer token.
(function () {
  "use strict";
  const $ = function (id) { return document.getElementById(id); };
  const texts = JSON.parse($("texts").textContent);
  const lang = JSON.parse($("page").textContent).lang;
  let key = sessionStorage.getItem("wcr.agencyKey");
  let monday = startOfWeek(new Date());

  function startOfWeek(d) {
    const day = new Date(d.getFullYear(), d.getMonth(), d.getDate());
    day.setDate(day.getDate() - ((day.getDay() + 6) % 7));
    return day;
  }
  function iso(d) {
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }
  function say(text) { $("message").textContent = text; }

  async function api(method, path, body) {
    const response = await fetch("/api/v1/agency" + path, {
      method: method,
      headers: Object.assign({ Authorization: "Bearer " + key }, body ? { "content-type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 204) return null;
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) { const e = new Error(data.detail || response.statusText); e.status = response.status; throw e; }
    return data;
  }

  async function start() {
    if (!key) return;
    try {
      const me = await api("GET", "/me");
      $("agency-name").textContent = me.name;
      // Only the sites this agency serves: publishing anywhere else is refused.
      Array.from($("site").options).forEach(function (o) {
        if (me.sites.indexOf(o.value) < 0) o.remove();
      });
      const services = await (await fetch("/api/v1/services?lang=" + lang)).json();
      $("service").innerHTML = "";
      services.filter(function (s) { return s.agency === me.slug; }).forEach(function (s) {
        $("service").add(new Option(s.name, s.slug));
      });
    } catch (e) {
      sessionStorage.removeItem("wcr.agencyKey");
      key = null;
      say(texts.bad_key);
      return;
    }
    $("signin").hidden = true;
    $("portal").hidden = false;
    await week();
  }

  async function week() {
    const sunday = new Date(monday);
    sunday.setDate(sunday.getDate() + 6);
    $("week").textContent = iso(monday) + " – " + iso(sunday);
    const range = "?from=" + iso(monday) + "&to=" + iso(sunday);
    const [slots, bookings] = await Promise.all([api("GET", "/slots" + range), api("GET", "/bookings" + range)]);
    const people = {};
    bookings.forEach(function (b) { (people[b.slot_id] = people[b.slot_id] || []).push(b.name + " (" + b.reference + ")"); });
    const body = $("slots");
    body.innerHTML = "";
    const format = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Berlin" });
    slots.filter(function (s) { return !s.withdrawn; }).forEach(function (s) {
      const row = document.createElement("tr");
      row.dataset.slot = s.id;
      [format.format(new Date(s.start)), s.service, s.site, s.booked + " / " + s.capacity, (people[s.id] || []).join(", ")].forEach(function (text) {
        const cell = document.createElement("td");
        cell.textContent = text;
        row.append(cell);
      });
      const cell = document.createElement("td");
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = texts.withdraw;
      button.setAttribute("aria-label", texts.withdraw + " " + format.format(new Date(s.start)));
      button.onclick = function () { withdraw(s); };
      cell.append(button);
      row.append(cell);
      body.append(row);
    });
  }

  async function withdraw(slot) {
    let force = false;
    if (slot.booked > 0) {
      if (!window.confirm(texts.confirm_force)) return;
      force = true;
    }
    try { await api("DELETE", "/slots/" + slot.id + (force ? "?force=true" : "")); say(texts.withdrawn); }
    catch (e) { say(e.message); }
    await week();
  }

  $("signin-form").onsubmit = function (e) {
    e.preventDefault();
    key = $("key").value.trim();
    sessionStorage.setItem("wcr.agencyKey", key);
    start();
  };
  $("signout").onclick = function () { sessionStorage.removeItem("wcr.agencyKey"); location.reload(); };
  $("previous").onclick = function () { monday.setDate(monday.getDate() - 7); week(); };
  $("next").onclick = function () { monday.setDate(monday.getDate() + 7); week(); };
  $("publish-form").onsubmit = async function (e) {
    e.preventDefault();
    const form = new FormData(e.target);
    const body = {};
    ["site", "service", "from_date", "to_date", "start_time", "end_time"].forEach(function (k) { body[k] = form.get(k); });
    body.weekdays = form.getAll("weekdays").map(Number);
    body.slot_minutes = Number(form.get("slot_minutes"));
    body.capacity = Number(form.get("capacity"));
    try {
      const result = await api("POST", "/slots", body);
      say(texts.published.replace("%(count)s", result.created));
      monday = startOfWeek(new Date(body.from_date + "T12:00:00"));
      await week();
    } catch (err) { say(err.message); }
  };
  start();
})();
