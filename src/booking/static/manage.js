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
  const WEEK = 7;
  const MAX_WEEKS = 26;  // how far ahead the strip pages
  let booking = null;
  const toldCaption = $("qr-caption").textContent;

  function say(text) { $("status").textContent = text; }

  function element(tag, className, text) {
    const made = document.createElement(tag);
    if (className) made.className = className;
    if (text !== undefined) made.textContent = text;
    return made;
  }

  // A text in another language than the page's says so (WCAG 3.1.2).
  function inLanguage(tag, text, lang) {
    const made = element(tag, "", text);
    if (lang && lang !== page.lang) { made.lang = lang; made.dir = lang === "ar" ? "rtl" : "ltr"; }
    return made;
  }

  function isolated(text) {
    const bdi = element("bdi", "", text);
    bdi.dir = "ltr";
    return bdi;
  }

  // --- Days and times as the locale writes them: the patterns Babel uses on the other
  // pages (short time, the locale's interval, its full date), in Latin digits as Babel
  // writes them, in the site's zone.
  function zoneOf(site) { return page.zones[site] || "Europe/Berlin"; }
  const LATIN = { numberingSystem: "latn" };
  const formats = {};
  function formatter(key, options) {
    if (!formats[key]) formats[key] = new Intl.DateTimeFormat(page.lang, Object.assign({}, LATIN, options));
    return formats[key];
  }
  function clock(zone) {
    return { hour: page.hour24 ? "2-digit" : "numeric", minute: "2-digit", hourCycle: page.hour24 ? "h23" : "h12", timeZone: zone };
  }
  function time(iso, zone) {
    return formatter("t" + zone, { timeStyle: "short", timeZone: zone }).format(new Date(iso));
  }
  function timeSpan(start, end, zone) {
    return formatter("s" + zone, clock(zone)).formatRange(new Date(start), new Date(end));
  }
  // A site's day (YYYY-MM-DD) as an instant that every zone puts on that day.
  function noon(day) { return new Date(day + "T12:00:00Z"); }
  function fullDay(day) { return formatter("d", { dateStyle: "full", timeZone: "UTC" }).format(noon(day)); }
  function numericDay(day) { return formatter("n", { day: "numeric", month: "numeric", timeZone: "UTC" }).format(noon(day)); }
  function daySpan(first, last) {
    return formatter("r", { day: "numeric", month: "short", timeZone: "UTC" }).formatRange(noon(first), noon(last));
  }
  function weekday(day) { return page.weekdays[(noon(day).getUTCDay() + 6) % 7]; }
  function moment(iso, zone) {
    return page.moment.replace("{1}", fullDay(dayOf(iso, zone))).replace("{0}", time(iso, zone));
  }
  function dayOf(iso, zone) {  // the site's day of an instant, YYYY-MM-DD
    const parts = {};
    formatter("l" + zone, { year: "numeric", month: "2-digit", day: "2-digit", timeZone: zone })
      .formatToParts(new Date(iso))
      .forEach(function (p) { parts[p.type] = p.value; });
    return parts.year + "-" + parts.month + "-" + parts.day;
  }
  function addDays(day, n) {
    const moved = noon(day);
    moved.setUTCDate(moved.getUTCDate() + n);
    return moved.toISOString().slice(0, 10);
  }
  function minutesBetween(end, start) { return Math.round((new Date(start) - new Date(end)) / 60000); }
  function minutesText(template, n) { return template.replace("%(minutes)d", String(n)); }

  // A service's name and what to bring in the page's language; a service the page
  // does not know (added since it loaded) as the API gives it, in the booking's.
  function content(appointment) {
    const known = page.services[appointment.service];
    if (known) return known;
    const fell = appointment.text_languages || {};
    return {
      name: appointment.service_name || appointment.service,
      name_lang: fell.name || booking.language,
      bring: appointment.bring || [],
      bring_lang: fell.bring || booking.language,
    };
  }

  // --- An itinerary: each stop's time, service and with whom, the waits between (the
  // place is the booking's, said once under "How to get there").
  function itinerary(list, stops, zone) {
    list.innerHTML = "";
    stops.forEach(function (stop, n) {
      if (n > 0) {
        const wait = minutesBetween(stops[n - 1].end, stop.start);
        if (wait > 0) list.append(element("li", "wait", minutesText(texts.wait, wait)));
      }
      const li = element("li", "stop");
      const service = content(stop);
      const named = inLanguage("span", service.name, service.name_lang);
      named.className = "service";
      const withWhom = element("span", "with");
      withWhom.append(isolated(page.agencies[stop.agency] || stop.agency));
      li.append(element("span", "time", timeSpan(stop.start, stop.end, zone)), " ", named, " ", withWhom);
      list.append(li);
    });
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

  // Where the confirmation went, masked by the server as on the confirmation page; a
  // phone that gets no SMS is not among them, and a note says why.
  function showSentTo() {
    const shown = [];
    if (booking.masked_email) shown.push(booking.masked_email);
    if (booking.masked_phone && booking.sms) shown.push(booking.masked_phone);
    const box = $("sent-to");
    box.textContent = "";
    $("qr-caption").textContent = shown.length ? toldCaption : texts.not_told;
    if (shown.length) {
      const parts = texts.sent_to.split("{contacts}");
      const joined = new Intl.ListFormat(page.lang, { type: "conjunction" }).formatToParts(shown);
      box.append(parts[0]);
      joined.forEach(function (part) { box.append(part.type === "element" ? isolated(part.value) : part.value); });
      box.append(parts[1] || "");
    }
    const note = $("no-sms");
    note.textContent = "";
    const warning = (booking.warnings || []).filter(function (w) { return w.field === "phone"; })[0];
    note.hidden = !(booking.masked_phone && !booking.sms);
    if (!note.hidden) {
      note.append(isolated(booking.masked_phone), ": ", (warning && texts.no_sms[warning.code]) || (warning && warning.message) || "");
    }
  }

  // Each site once: its address, a map link and its check-in window.
  function showPlaces() {
    const box = $("places");
    box.innerHTML = "";
    const seen = [];
    booking.appointments.forEach(function (a) {
      if (seen.indexOf(a.site) >= 0) return;
      seen.push(a.site);
      const place = element("div", "place");
      const where = document.createElement("p");
      const address = element("bdi", "address", a.address);
      where.append(element("strong", "", a.site_name), document.createElement("br"), address);
      const link = element("a", "map", texts.map);
      link.href = "https://www.openstreetmap.org/search?" + new URLSearchParams({ query: a.address });
      link.rel = "noopener";
      link.target = "_blank";
      link.append(element("span", "visually-hidden", " (" + texts.new_tab + ")"));
      const linkRow = document.createElement("p");
      linkRow.append(link);
      place.append(where, linkRow);
      if (page.check_in[a.site]) place.append(element("p", "check-in-window", page.check_in[a.site]));
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

  function showAppointments() {
    const zone = zoneOf(booking.appointments[0].site);
    const days = booking.appointments.map(function (a) { return dayOf(a.start, zone); });
    const oneDay = days.every(function (d) { return d === days[0]; });
    $("visit-day").textContent = oneDay ? fullDay(days[0]) : "";
    $("visit-day").hidden = !oneDay;
    const list = $("appointments");
    itinerary(list, booking.appointments, zone);
    if (!oneDay) {  // a visit over several days (an old booking): each stop says its day
      list.querySelectorAll(".stop .time").forEach(function (span, n) {
        span.textContent = moment(booking.appointments[n].start, zone);
      });
    }
  }

  function showBring() {
    const lists = $("bring-lists");
    lists.innerHTML = "";
    const several = booking.appointments.length > 1;
    booking.appointments.forEach(function (a, n) {
      const service = content(a);
      if (!service.bring.length) return;
      const items = inLanguage("ul", "", service.bring_lang);
      items.className = "bring";
      if (several) {  // a one-stop visit: one list per office, under its name
        const title = inLanguage("p", service.name, service.name_lang);
        title.className = "bring-title";
        title.id = "bring-" + n;
        items.setAttribute("aria-labelledby", title.id);
        lists.append(title);
      }
      service.bring.forEach(function (thing) { items.append(element("li", "", thing)); });
      lists.append(items);
    });
    $("bring-section").hidden = !lists.children.length;
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
    showAppointments();
    showBring();
    const languageName = new Intl.DisplayNames([page.lang], { type: "language" }).of(booking.advice_language);
    $("advice-language").textContent = texts.advice_language.replace("{language}", languageName);
    $("ics").onclick = downloadCalendar;
    offerCheckIn();
  }

  // "I am here: check in": on the appointment's local day, where its site takes
  // check-ins from phones and is open now (the queue's public status, over HTTP).
  let checkInSite = null;
  async function offerCheckIn() {
    $("check-in-row").hidden = true;
    checkInSite = null;
    if (!booking || booking.status !== "confirmed") return;
    // Only a site with an appointment today (its own day) is asked: most visits of
    // this page are days ahead, and then it costs no request.
    const sites = [];
    booking.appointments.forEach(function (a) {
      const today = new Intl.DateTimeFormat("en-CA", { timeZone: zoneOf(a.site) }).format(new Date());
      if (a.start.slice(0, 10) === today && sites.indexOf(a.site) < 0) sites.push(a.site);
    });
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
      say(texts.too_early.replace("{time}", time(answer.opens_at, zoneOf(checkInSite))));
    } else if (code === "checked_in_already") say(texts.checked_in_already);
    else if (code === "remote_queue_off" || code === "site_closed") say(texts.check_in_closed);
    else say(texts.failed);
  }

  // --- Rescheduling: a week of days (each with its number of free times), the chosen
  // day's times, then "Move my booking". The same services: one service's free slots,
  // or a visit's one-stop options (a package's, on its weekdays), in the visit's
  // language of advice.
  const moving = { today: null, first: null, day: null, days: [] };

  function wanted() {
    const first = booking.appointments[0];
    const query = new URLSearchParams({ site: first.site });
    const services = booking.appointments.map(function (a) { return a.service; });
    if (booking.package) query.set("package", booking.package);
    else if (services.length > 1) query.set("services", services.join(","));
    else query.set("service", services[0]);
    if (booking.advice_language && booking.advice_language !== "de") query.set("advice_language", booking.advice_language);
    return query;
  }
  function isVisit() { return !!booking.package || booking.appointments.length > 1; }

  async function showWeek(first) {
    const query = wanted();
    if (first) { query.set("from", first); query.set("to", addDays(first, WEEK - 1)); }
    const r = await fetch("/api/v1/availability/days?" + query);
    if (!r.ok) { say(texts.failed); return; }
    moving.days = (await r.json()).days;
    moving.first = moving.days[0].date;
    if (!moving.today) moving.today = moving.first;  // asked without "from": today's week
    const free = moving.days.filter(function (d) { return d.free > 0; });
    const keep = free.some(function (d) { return d.date === moving.day; });
    moving.day = keep ? moving.day : (free[0] ? free[0].date : null);
    drawWeek();
    await showDay();
  }

  function drawWeek() {
    const last = moving.days[moving.days.length - 1].date;
    $("week").textContent = daySpan(moving.first, last);
    $("earlier").disabled = moving.first <= moving.today;
    $("later").disabled = moving.first >= addDays(moving.today, WEEK * (MAX_WEEKS - 1));
    const strip = $("days");
    strip.innerHTML = "";
    moving.days.forEach(function (d) {
      const li = document.createElement("li");
      li.dataset.date = d.date;
      const inner = element(d.free ? "button" : "span");
      inner.append(element("span", "weekday", weekday(d.date)), " ", element("span", "date", numericDay(d.date)), " ");
      const count = element("span", "count");
      if (d.free) {
        inner.type = "button";
        count.append(element("span", "visually-hidden", fullDay(d.date) + ", " + texts.free_times + " "), String(d.free));
        inner.onclick = function () { moving.day = d.date; drawWeek(); showDay(); };
        if (d.date === moving.day) inner.setAttribute("aria-current", "date");
      } else {
        li.className = "none";
        const dash = element("span", "", "–");
        dash.setAttribute("aria-hidden", "true");
        count.append(dash, element("span", "visually-hidden", " " + texts.no_free_times));
      }
      inner.append(count);
      li.append(inner);
      strip.append(li);
    });
    // The visually hidden full date already names the day for screen readers.
    strip.querySelectorAll("button .weekday, button .date").forEach(function (s) { s.setAttribute("aria-hidden", "true"); });
  }

  function held(ids) {
    const now = booking.appointments.map(function (a) { return a.slot_id; }).sort().join(",");
    return ids.slice().sort().join(",") === now;
  }

  async function showDay() {
    const grid = $("choices");
    grid.querySelectorAll(".slot, .option").forEach(function (n) { n.remove(); });
    $("picked").textContent = "";
    const none = $("no-times");
    const zone = zoneOf(booking.appointments[0].site);
    if (!moving.day) {
      $("day-label").textContent = texts.none_week;
      none.hidden = true;
      $("move").hidden = true;
      return;
    }
    $("day-label").textContent = fullDay(moving.day);
    const query = wanted();
    query.set("from", moving.day);
    query.set("to", moving.day);
    grid.setAttribute("aria-busy", "true");
    let choices = [];
    if (isVisit()) {
      query.set("limit", "20");
      query.set("per_day", "20"); // the whole day's grid, not a spread over days
      const r = await fetch("/api/v1/visits/options?" + query);
      const found = r.ok ? (await r.json()).options : [];
      choices = found.map(function (o) {
        return { ids: o.slot_ids, start: o.start, end: o.end, idle: o.idle_minutes, stops: o.appointments };
      });
    } else {
      const r = await fetch("/api/v1/availability?" + query);
      const found = r.ok ? (await r.json()).slots : [];
      choices = found.map(function (s) { return { ids: [s.id], start: s.start, end: s.end }; });
    }
    grid.setAttribute("aria-busy", "false");
    choices = choices.filter(function (c) { return !held(c.ids); });
    none.hidden = choices.length > 0;
    none.textContent = texts.none_day;
    $("move").hidden = !choices.length;
    grid.classList.toggle("options", isVisit());
    choices.forEach(function (c, n) {
      const label = element("label", "slot");
      const input = document.createElement("input");
      input.type = "radio";
      input.name = "choice";
      input.value = c.ids.join(",");
      input.dataset.start = c.start;
      label.append(input, " ");
      if (!c.stops) {
        label.append(element("span", "when", time(c.start, zone)));
        grid.append(label);
        return;
      }
      label.append(element("span", "when", timeSpan(c.start, c.end, zone)), " ",
        element("span", "detail", c.idle ? minutesText(texts.waiting, c.idle) : texts.no_waiting));
      const option = element("div", "option");
      const list = element("ol", "itinerary");
      list.id = "option-" + n;
      input.setAttribute("aria-describedby", list.id);
      itinerary(list, c.stops, zone);
      list.onclick = function () { input.checked = true; input.dispatchEvent(new Event("change", { bubbles: true })); };
      option.append(label, list);
      grid.append(option);
    });
  }

  async function showTimes() {
    $("reschedule").hidden = false;
    $("reschedule-title").focus();
    moving.today = null;
    moving.day = null;
    await showWeek(null);
  }

  $("earlier").onclick = function () {
    const first = addDays(moving.first, -WEEK);
    showWeek(first < moving.today ? moving.today : first);
  };
  $("later").onclick = function () { showWeek(addDays(moving.first, WEEK)); };
  $("choices").addEventListener("change", function (e) {
    const zone = zoneOf(booking.appointments[0].site);
    $("picked").textContent = texts.picked.replace("{when}", moment(e.target.dataset.start, zone));
  });

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
    if (r.ok) {
      say(texts.moved);
      $("reschedule").hidden = true;
      await load();
      $("appointments-title").scrollIntoView();
    } else if (r.status === 409) { say(texts.taken); await showWeek(moving.first); }
    else { say(texts.failed); }
  };
  // Switching language must keep the token, which lives in the fragment.
  document.querySelectorAll(".languages a").forEach(function (a) { a.href += location.hash; });
  load();
})();
