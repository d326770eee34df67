// The agency portal: everything through the agency API, with the key as bearer token
// (kept in this tab's session storage). Texts come from the page (the catalogs).
(function () {
  "use strict";
  const $ = function (id) { return document.getElementById(id); };
  const texts = JSON.parse($("texts").textContent);
  const page = JSON.parse($("page").textContent);
  const lang = page.lang;
  const locale = lang === "en" ? "en-GB" : lang;
  let key = sessionStorage.getItem("wcr.agencyKey");
  let me = null;
  let monday = startOfWeek(new Date());
  let current = { slots: [], people: {} };
  let openSlot = null;

  // --- small helpers --------------------------------------------------------------
  function startOfWeek(d) {
    const day = new Date(d.getFullYear(), d.getMonth(), d.getDate());
    day.setDate(day.getDate() - ((day.getDay() + 6) % 7));
    return day;
  }
  // Today where the agency's sites are (their zone, not the browser's, which may be
  // another or UTC): the week the portal opens on, "this week", the closure's default.
  function today() {
    const zone = me && me.site_details.length ? me.site_details[0].timezone : undefined;
    const date = new Intl.DateTimeFormat("en-CA", { timeZone: zone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date());
    return new Date(date + "T12:00:00"); // noon of that day in the browser's own zone
  }
  function iso(d) {
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }
  function addDays(d, n) { const copy = new Date(d); copy.setDate(copy.getDate() + n); return copy; }
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name] === undefined ? "" : values[name]; });
  }
  // Times come from the API in the site's zone ("2026-12-09T09:00:00+01:00"): the
  // wall time and date are the string's own.
  function dateOf(stamp) { return stamp.slice(0, 10); }
  function timeOf(stamp) { return stamp.slice(11, 16); }
  const dayFormat = new Intl.DateTimeFormat(locale, { weekday: "long", day: "numeric", month: "long", timeZone: "UTC" });
  const shortDayFormat = new Intl.DateTimeFormat(locale, { weekday: "short", day: "numeric", month: "short", timeZone: "UTC" });
  function dayLabel(date) { return dayFormat.format(new Date(date + "T12:00:00Z")); }
  function shortDay(date) { return shortDayFormat.format(new Date(date + "T12:00:00Z")); }
  // Times and ranges keep their left-to-right order inside right-to-left text.
  const rtl = document.documentElement.dir === "rtl";
  function iso8(text) { return rtl ? "\u2066" + text + "\u2069" : text; }
  function span(start, end) { return iso8(timeOf(start) + "\u2060–\u2060" + timeOf(end)); }
  function when(stamp) { return shortDay(dateOf(stamp)) + " " + iso8(timeOf(stamp)); }
  const comma = lang === "ar" ? "، " : ", ";
  let languageNames = null;
  try { languageNames = new Intl.DisplayNames([locale], { type: "language" }); } catch (e) { languageNames = null; }
  function languageName(code) {
    try { return (languageNames && languageNames.of(code)) || code; } catch (e) { return code; }
  }
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs.text;
      else if (name === "class") node.className = attrs.class;
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { if (child) node.append(child); });
    return node;
  }
  function show(target, text, ok) {
    const node = typeof target === "string" ? $(target) : target;
    node.textContent = text;
    node.classList.toggle("ok", !!ok);
    node.classList.toggle("bad", ok === false);
  }

  async function api(method, path, body) {
    const response = await fetch("/api/v1/agency" + path, {
      method: method,
      headers: Object.assign({ Authorization: "Bearer " + key }, body ? { "content-type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined,
    });
    if (response.status === 204) return null;
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) { const e = new Error(data.detail || response.statusText); e.status = response.status; e.data = data; throw e; }
    return data;
  }
  // A failed call, in the clerk's language: the API's code, else the field at fault
  // (named by its label in ``form``), else the kind of failure.
  function explain(error, form) {
    const data = error.data || {};
    if (data.code === "below_booked") return fill(texts.below_booked, { count: data.booked });
    if (data.code === "booked") return texts.booked_times;
    if (data.code === "withdrawn") return texts.slot_withdrawn;
    if (data.code && texts[data.code]) return texts[data.code];
    const field = data.errors && data.errors[0] && data.errors[0].field;
    if (field) {
      const input = form && form.querySelector("[name='" + field + "']");
      const label = input && input.closest("label");
      const legend = input && input.closest("fieldset") && input.closest("fieldset").querySelector("legend");
      const name = label ? label.firstChild.textContent.trim() : legend ? legend.textContent.trim() : field;
      return fill(texts.check_field, { field: name });
    }
    if (error.status === 403) return texts.forbidden;
    if (error.status === 404) return texts.not_found;
    return fill(texts.failed, { status: error.status || "?" });
  }

  // --- signing in -------------------------------------------------------------------
  async function start() {
    if (!key) return;
    try {
      me = await api("GET", "/me?lang=" + lang);
    } catch (e) {
      sessionStorage.removeItem("wcr.agencyKey");
      key = null;
      show("message", texts.bad_key, false);
      return;
    }
    $("agency-name").textContent = me.name;
    $("agency-sites").textContent = me.site_details.map(function (s) { return s.name; }).join(" · ");
    // Only the sites this agency serves: publishing anywhere else is refused.
    ["site", "closure-site"].forEach(function (id) {
      Array.from($(id).options).forEach(function (o) { if (me.sites.indexOf(o.value) < 0) o.remove(); });
    });
    $("service").innerHTML = "";
    me.services.forEach(function (s) { $("service").add(new Option(s.name, s.slug)); });
    $("signin").hidden = true;
    $("portal").hidden = false;
    show("message", "");
    $("closure-date").value = iso(today());
    monday = startOfWeek(today());
    await Promise.all([week(), closedDays()]);
  }

  // --- the week -----------------------------------------------------------------------
  let shown = 0; // the latest week asked for: a slower answer for an earlier one is dropped
  async function week() {
    const asked = ++shown;
    const sunday = addDays(monday, 6);
    $("week").textContent = shortDay(iso(monday)) + " – " + shortDay(iso(sunday));
    $("export-from").value = iso(monday);
    $("export-to").value = iso(sunday);
    const range = "?from=" + iso(monday) + "&to=" + iso(sunday) + "&lang=" + lang;
    // The waitlist's counts are a help, not the week: a failure leaves them out.
    const [slots, bookings, waiting] = await Promise.all([
      api("GET", "/slots" + range), api("GET", "/bookings" + range),
      api("GET", "/waitlist" + range).catch(function () { return null; }),
    ]);
    if (asked !== shown) return; // paged on meanwhile
    const people = {};
    bookings.forEach(function (b) { (people[b.slot_id] = people[b.slot_id] || []).push(b); });
    current = { slots: slots.filter(function (s) { return !s.withdrawn; }), people: people };
    render();
    renderWaiting(waiting);
  }

  // How many wait for a place of each service (and how many of them for a day of the
  // week shown): where more places would be taken.
  function renderWaiting(counts) {
    const box = $("week-waitlist");
    box.hidden = counts === null;
    const list = $("week-waitlist-list");
    list.innerHTML = "";
    if (!counts) return;
    const sites = new Set(counts.map(function (c) { return c.site; }));
    const siteNames = {};
    me.site_details.forEach(function (s) { siteNames[s.slug] = s.name; });
    counts.forEach(function (c) {
      const service = sites.size > 1 ? c.service_name + " (" + (siteNames[c.site] || c.site) + ")" : c.service_name;
      list.append(el("li", { "data-service": c.service, "data-site": c.site }, [
        el("strong", { text: service + ": " }),
        el("span", { text: fill(texts.waitlist_item, { waiting: c.waiting, week: c.waiting_these_days }) }),
      ]));
    });
    if (!counts.length) list.append(el("li", { class: "muted", text: texts.waitlist_none }));
  }

  function render() {
    const slots = current.slots;
    const days = [];
    for (let n = 0; n < 7; n++) days.push(iso(addDays(monday, n)));
    const shown = days.filter(function (d, n) {
      return n < 5 || slots.some(function (s) { return dateOf(s.start) === d; });
    });
    const booked = slots.reduce(function (sum, s) { return sum + s.booked; }, 0);
    const capacity = slots.reduce(function (sum, s) { return sum + s.capacity; }, 0);
    $("week-summary").textContent = slots.length
      ? fill(texts.week_summary, { slots: slots.length, booked: booked, capacity: capacity })
      : texts.no_slots;
    const services = new Set(slots.map(function (s) { return s.service; }));
    const sites = new Set(slots.map(function (s) { return s.site; }));
    const detail = { service: services.size > 1, site: sites.size > 1 };
    renderGrid(shown, slots, detail);
    renderDays(shown, slots, detail);
  }

  function dayHeading(tag, date, label) {
    return el(tag, { class: "day-head" }, [
      el("span", { text: label }),
      el("a", { href: "/" + lang + "/agency/day/" + date, class: "day-list", text: texts.day_list }),
    ]);
  }

  function renderGrid(days, slots, detail) {
    const grid = $("week-grid");
    grid.innerHTML = "";
    if (!slots.length) return;
    const times = Array.from(new Set(slots.map(function (s) { return timeOf(s.start); }))).sort();
    const head = el("tr", {}, [el("th", { scope: "col" }, [el("span", { class: "visually-hidden", text: texts.time })])]);
    days.forEach(function (d) {
      const th = el("th", { scope: "col" });
      th.append(dayHeading("div", d, shortDay(d)));
      head.append(th);
    });
    const body = el("tbody");
    times.forEach(function (t) {
      const row = el("tr", {}, [el("th", { scope: "row", text: t })]);
      days.forEach(function (d) {
        const cell = el("td");
        slots.filter(function (s) { return dateOf(s.start) === d && timeOf(s.start) === t; })
          .forEach(function (s) { cell.append(card(s, detail, false)); });
        row.append(cell);
      });
      body.append(row);
    });
    grid.append(el("table", { class: "week-table" }, [el("thead", {}, [head]), body]));
  }

  function renderDays(days, slots, detail) {
    const list = $("week-days");
    list.innerHTML = "";
    days.forEach(function (d) {
      const mine = slots.filter(function (s) { return dateOf(s.start) === d; });
      if (!mine.length) return;
      const items = el("ul", { class: "day-slots" });
      mine.forEach(function (s) { items.append(el("li", {}, [card(s, detail, true)])); });
      list.append(el("section", { class: "day" }, [dayHeading("h3", d, dayLabel(d)), items]));
    });
  }

  // One slot: its button (opens the dialog) and the people booked in it.
  function card(slot, detail, withTime) {
    const people = current.people[slot.id] || [];
    const full = slot.booked >= slot.capacity;
    const label = (withTime ? span(slot.start, slot.end) + " · " : "") + iso8(slot.booked + "/" + slot.capacity);
    // The visible "09:00 · 1/2" is part of the name a screen reader hears (WCAG 2.5.3).
    const hidden = texts.edit + ": " + dayLabel(dateOf(slot.start)) + comma + span(slot.start, slot.end) +
      comma + slot.service_name + comma + fill(texts.free_places, { booked: slot.booked, capacity: slot.capacity }) + ". ";
    const button = el("button", { type: "button", class: "slot-button" + (full ? " full" : slot.booked ? " some" : "") },
      [el("span", { class: "visually-hidden", text: hidden }), el("span", { text: label, "aria-hidden": "true" })]);
    button.addEventListener("click", function () { edit(slot); });
    const box = el("div", { class: "slot-card", "data-slot": String(slot.id) }, [button]);
    const what = [];
    if (detail.service) what.push(slot.service_name);
    if (detail.site) what.push(slot.site_name);
    if (what.length) box.append(el("div", { class: "slot-what", text: what.join(" · ") }));
    if (people.length) {
      box.append(el("ul", { class: "people" }, people.map(function (p) {
        return el("li", {}, [el("span", { class: "name", text: p.name }), el("span", { class: "ref", text: p.reference }),
          el("span", { class: "lang", text: languageName(p.language) })]);
      })));
    }
    return box;
  }

  // --- one slot: capacity, times, withdrawal ---------------------------------------------
  function edit(slot) {
    openSlot = slot;
    const people = current.people[slot.id] || [];
    $("slot-title").textContent = dayLabel(dateOf(slot.start)) + comma + span(slot.start, slot.end);
    $("slot-where").textContent = [slot.service_name, slot.site_name, fill(texts.free_places, { booked: slot.booked, capacity: slot.capacity })]
      .map(iso8).join(" · ");
    const list = $("slot-people");
    list.innerHTML = "";
    if (!people.length) list.append(el("li", { class: "muted", text: texts.nobody }));
    people.forEach(function (p) {
      list.append(el("li", {}, [el("span", { class: "name", text: p.name }), el("span", { class: "ref", text: p.reference }),
        el("span", { class: "lang", text: languageName(p.language) })]));
    });
    // The places taken that nobody booked are held for waitlist entries (offers).
    const held = slot.booked - people.length;
    if (held > 0) list.append(el("li", { class: "muted held", text: fill(texts.held_for_waitlist, { count: held }) }));
    $("slot-capacity").value = slot.capacity;
    $("slot-capacity").min = Math.max(1, slot.booked);
    $("slot-capacity-hint").textContent = slot.booked ? fill(texts.capacity_hint, { count: slot.booked }) : "";
    $("slot-start").value = timeOf(slot.start);
    $("slot-end").value = timeOf(slot.end);
    $("slot-start").disabled = $("slot-end").disabled = slot.booked > 0;
    $("slot-times-hint").textContent = slot.booked ? texts.times_hint_booked : "";
    $("slot-force").checked = false;
    // Force is for bookings; a place only held for somebody on the waitlist is no
    // booking, and the withdrawal ends that offer by itself.
    $("slot-force-label").hidden = people.length === 0;
    $("slot-force-text").textContent = fill(texts.force, { count: people.length });
    Array.from($("slot-form").elements).forEach(function (e) { if (e.id !== "slot-start" && e.id !== "slot-end") e.disabled = false; });
    show("slot-result", "");
    $("slot-dialog").showModal();
  }

  $("slot-form").addEventListener("submit", async function (e) {
    e.preventDefault();
    const slot = openSlot;
    const body = {};
    const capacity = Number($("slot-capacity").value);
    if (capacity !== slot.capacity) body.capacity = capacity;
    if (!slot.booked && ($("slot-start").value !== timeOf(slot.start) || $("slot-end").value !== timeOf(slot.end))) {
      body.start = dateOf(slot.start) + "T" + $("slot-start").value + ":00";
      body.end = dateOf(slot.start) + "T" + $("slot-end").value + ":00";
    }
    if (!Object.keys(body).length) { show("slot-result", texts.saved, true); return; }
    try {
      const changed = await api("PATCH", "/slots/" + slot.id + "?lang=" + lang, body);
      openSlot = changed;
      show("slot-result", texts.saved + " " + span(changed.start, changed.end) + " · " +
        fill(texts.free_places, { booked: changed.booked, capacity: changed.capacity }), true);
      await week();
    } catch (err) { show("slot-result", explain(err, $("slot-form")), false); }
  });

  $("slot-withdraw").addEventListener("click", async function () {
    const slot = openSlot;
    const booked = (current.people[slot.id] || []).length > 0;
    if (booked && !$("slot-force").checked) { show("slot-result", texts.force_needed, false); $("slot-force").focus(); return; }
    try {
      await api("DELETE", "/slots/" + slot.id + (booked ? "?force=true" : ""));
      show("slot-result", texts.withdrawn, true);
      Array.from($("slot-form").elements).forEach(function (e) { if (e.id !== "slot-close") e.disabled = true; });
      await week();
    } catch (err) {
      if (err.status === 409 && !booked) {
        // Somebody booked it since the week was shown: now it takes the force box.
        await week();
        $("slot-force-label").hidden = false;
        $("slot-force-text").textContent = fill(texts.force, { count: (current.people[slot.id] || []).length || 1 });
        show("slot-result", texts.force_needed, false);
        $("slot-force").focus();
        return;
      }
      show("slot-result", explain(err, $("slot-form")), false);
    }
  });
  $("slot-close").addEventListener("click", function () { $("slot-dialog").close(); });

  // --- a weekly pattern: preview while typing, then publish ------------------------------
  function patternBody() {
    const form = new FormData($("publish-form"));
    const body = {};
    ["site", "service", "from_date", "to_date", "start_time", "end_time"].forEach(function (k) { body[k] = form.get(k); });
    body.weekdays = form.getAll("weekdays").map(Number);
    body.slot_minutes = Number(form.get("slot_minutes"));
    body.capacity = Number(form.get("capacity"));
    return body;
  }
  function skippedList(skipped) {
    return el("ul", { class: "skipped" }, skipped.map(function (s) {
      const at = s.start ? shortDay(s.date) + " " + span(s.start, s.end) : shortDay(s.date);
      return el("li", { text: at + ": " + (texts["reason_" + s.reason] || s.reason) });
    }));
  }
  let previewTimer = null;
  function schedulePreview() {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(preview, 300);
  }
  async function preview() {
    const body = patternBody();
    const target = $("preview");
    if (!body.from_date || !body.to_date || !body.service) { target.textContent = ""; return; }
    try {
      const result = await api("POST", "/slots/preview", body);
      target.innerHTML = "";
      target.classList.remove("bad");
      target.append(el("span", {
        text: result.would_create
          ? fill(result.days === 1 ? texts.preview_one_day : texts.preview, { count: result.would_create, days: result.days,
            first: when(result.first), last: dateOf(result.first) === dateOf(result.last) ? iso8(timeOf(result.last)) : when(result.last) })
          : texts.preview_none,
      }));
      if (result.skipped_slots.length) {
        target.append(el("span", { text: " " + fill(texts.preview_skipped, { count: result.skipped_slots.length }) }));
        target.append(skippedList(result.skipped_slots));
      }
    } catch (err) {
      show(target, explain(err, $("publish-form")), false);
    }
  }
  $("publish-form").addEventListener("input", schedulePreview);
  $("publish-form").addEventListener("change", schedulePreview);
  $("publish-form").addEventListener("submit", async function (e) {
    e.preventDefault();
    const body = patternBody();
    const target = $("publish-result");
    try {
      const result = await api("POST", "/slots?lang=" + lang, body);
      target.innerHTML = "";
      target.className = "result ok";
      target.append(el("p", { text: fill(texts.published, { count: result.created }) }));
      if (result.skipped_slots.length) {
        target.append(el("p", { text: fill(texts.published_skipped, { count: result.skipped_slots.length }) }));
        target.append(skippedList(result.skipped_slots));
      }
      monday = startOfWeek(new Date(body.from_date + "T12:00:00"));
      await week();
      preview();
    } catch (err) {
      target.className = "result bad";
      target.textContent = explain(err, $("publish-form"));
    }
  });

  // --- closed days ----------------------------------------------------------------------
  let closing = null;
  function personLine(p, outcome) {
    const parts = [iso8(timeOf(p.start)), p.name, iso8(p.reference), p.service_name, languageName(p.language)];
    if (outcome) parts.push(outcome);
    return el("li", { text: parts.join(" · ") });
  }
  $("closure-form").addEventListener("submit", async function (e) {
    e.preventDefault();
    const form = new FormData(e.target);
    closing = { site: form.get("site"), date: form.get("date"), reason: form.get("reason") || "" };
    show("closure-result", "");
    try {
      const plan = await api("POST", "/closures?lang=" + lang, Object.assign({ dry_run: true }, closing));
      $("closure-summary").textContent = plan.people.length
        ? fill(texts.closure_summary, { free: plan.withdrawn.length, people: plan.people.length })
        : fill(texts.closure_none_booked, { free: plan.withdrawn.length });
      const list = $("closure-people");
      list.innerHTML = "";
      plan.people.forEach(function (p) { list.append(personLine(p)); });
      $("closure-choice").hidden = !plan.people.length;
      $("closure-plan").hidden = false;
      $("closure-confirm").focus();
    } catch (err) { $("closure-plan").hidden = true; show("closure-result", explain(err, $("closure-form")), false); }
  });
  $("closure-cancel").addEventListener("click", function () { $("closure-plan").hidden = true; closing = null; });
  $("closure-confirm").addEventListener("click", async function () {
    if (!closing) return;
    const choice = document.querySelector("#closure-choice input:checked");
    const target = $("closure-result");
    try {
      const done = await api("POST", "/closures?lang=" + lang, Object.assign({ bookings: choice ? choice.value : "keep" }, closing));
      $("closure-plan").hidden = true;
      target.innerHTML = "";
      target.className = "result ok";
      target.append(el("p", { text: dayLabel(done.date) + comma + done.site_name + ": " + fill(texts.closed, { free: done.withdrawn.length }) }));
      if (done.people.length) {
        target.append(el("ul", { class: "people" }, done.people.map(function (p) {
          const outcome = p.outcome === "moved" ? fill(texts.outcome_moved, { time: when(p.new_start) }) : texts["outcome_" + p.outcome];
          return personLine(p, outcome);
        })));
      }
      closing = null;
      await Promise.all([week(), closedDays()]);
    } catch (err) { target.className = "result bad"; target.textContent = explain(err, $("closure-form")); }
  });

  async function closedDays() {
    const days = await api("GET", "/closures");
    const list = $("closed-days");
    list.innerHTML = "";
    if (!days.length) list.append(el("li", { class: "muted", text: texts.no_closed_days }));
    const names = {};
    me.site_details.forEach(function (s) { names[s.slug] = s.name; });
    days.forEach(function (d) {
      const button = el("button", { type: "button", text: texts.reopen, "aria-label": texts.reopen + ": " + dayLabel(d.date) + comma + (names[d.site] || d.site) });
      const note = el("span", { class: "result", role: "status" });
      button.addEventListener("click", async function () {
        try { await api("DELETE", "/closures/" + d.id); button.disabled = true; show(note, texts.reopened, true); }
        catch (err) { show(note, explain(err), false); }
      });
      list.append(el("li", {}, [el("span", { text: dayLabel(d.date) + " · " + (names[d.site] || d.site) + (d.reason ? " · " + d.reason : "") + " " }), button, note]));
    });
  }

  // --- export -----------------------------------------------------------------------------
  $("export-form").addEventListener("submit", async function (e) {
    e.preventDefault();
    const from = $("export-from").value, to = $("export-to").value;
    const response = await fetch("/api/v1/agency/bookings.csv?from=" + from + "&to=" + to + "&lang=" + lang, { headers: { Authorization: "Bearer " + key } });
    if (!response.ok) {
      const data = await response.json().catch(function () { return {}; });
      show("export-result", explain({ status: response.status, data: data }, $("export-form")), false);
      return;
    }
    const text = await response.text();
    const link = el("a", { href: URL.createObjectURL(new Blob([text], { type: "text/csv" })), download: "bookings-" + from + "-" + to + ".csv" });
    document.body.append(link);
    link.click();
    link.remove();
    show("export-result", fill(texts.downloaded, { count: Math.max(0, text.trim().split("\n").length - 1) }), true);
  });

  // --- paging and signing in and out -----------------------------------------------------
  $("signin-form").addEventListener("submit", function (e) {
    e.preventDefault();
    key = $("key").value.trim();
    sessionStorage.setItem("wcr.agencyKey", key);
    start();
  });
  $("signout").addEventListener("click", function () { sessionStorage.removeItem("wcr.agencyKey"); location.reload(); });
  $("previous").addEventListener("click", function () { monday = addDays(monday, -7); week(); });
  $("next").addEventListener("click", function () { monday = addDays(monday, 7); week(); });
  $("this-week").addEventListener("click", function () { monday = startOfWeek(today()); week(); });
  start();
})();
