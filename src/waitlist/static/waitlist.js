// The waitlist page: the token rides in the URL fragment (#t=…), never sent to a
// server except as the Authorization header of the API calls below.
(function () {
  "use strict";
  const $ = function (id) { return document.getElementById(id); };
  const texts = JSON.parse($("texts").textContent);
  const page = JSON.parse($("page").textContent);
  const token = new URLSearchParams(location.hash.replace(/^#/, "")).get("t");
  const api = "/api/v1/waitlist/" + encodeURIComponent(page.reference);
  const headers = { Authorization: "Bearer " + token };
  const STATES = ["waiting", "offered", "booked", "left", "lapsed"];

  function say(text) { $("status").textContent = text; }
  function missing() { $("entry").hidden = true; $("missing").hidden = false; say(""); }

  // Days and times as the locale writes them (the patterns Babel uses on the other
  // pages), in Latin digits, in the site's zone.
  const LATIN = { numberingSystem: "latn" };
  function format(options) { return new Intl.DateTimeFormat(page.lang, Object.assign({}, LATIN, options)); }
  function noon(day) { return new Date(day + "T12:00:00Z"); }
  function time(iso, zone) { return format({ timeStyle: "short", timeZone: zone }).format(new Date(iso)); }
  function timeSpan(start, end, zone) {
    const clock = { hour: page.hour24 ? "2-digit" : "numeric", minute: "2-digit", hourCycle: page.hour24 ? "h23" : "h12", timeZone: zone };
    return format(clock).formatRange(new Date(start), new Date(end));
  }
  function clock(hhmm) {
    const options = { hour: page.hour24 ? "2-digit" : "numeric", minute: "2-digit", hourCycle: page.hour24 ? "h23" : "h12", timeZone: "UTC" };
    return format(options).format(new Date("2000-01-01T" + hhmm + ":00Z"));
  }
  function timesText(earliest, latest) {
    const t = page.times, start = earliest ? clock(earliest) : "", end = latest ? clock(latest) : "";
    const text = earliest && latest ? t.both : earliest ? t.start : latest ? t.end : "";
    return text.replace("%(start)s", start).replace("%(end)s", end);
  }
  function fullDay(iso, zone) { return format({ dateStyle: "full", timeZone: zone }).format(new Date(iso)); }
  function daySpan(first, last) {
    const days = format({ day: "numeric", month: "short", timeZone: "UTC" });
    return first === last ? days.format(noon(first)) : days.formatRange(noon(first), noon(last));
  }

  function inLanguage(node, text, lang) {
    node.textContent = text;
    if (lang && lang !== page.lang) { node.lang = lang; node.dir = lang === "ar" ? "rtl" : "ltr"; }
  }

  function manageLink(reference, hash) {
    return "/" + page.lang + "/manage/" + encodeURIComponent(reference) + hash;
  }

  function showBooked(reference, hash) {
    $("booking-reference").textContent = reference;
    if (hash) $("manage").href = manageLink(reference, hash);
    else $("manage").hidden = true;
  }

  function item(tag, text, lang, className) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    inLanguage(node, text, lang);
    return node;
  }

  function serviceOf(slug, entry) {
    return page.services[slug] || { name: slug === entry.service ? entry.service_name || slug : slug, bring: [] };
  }

  // What the entry waits for: one service, or a one-stop visit's services (and its
  // package's name above them).
  function showWanted(entry, slugs) {
    const dd = $("service");
    dd.textContent = "";
    dd.removeAttribute("lang");
    dd.removeAttribute("dir");
    if (slugs.length < 2) {
      const service = serviceOf(entry.service, entry);
      inLanguage(dd, service.name, service.name_lang);
      return;
    }
    $("service-label").textContent = texts.services;
    if (entry.package) {
      const known = page.packages[entry.package] || { name: entry.package_name || entry.package };
      dd.append(item("strong", known.name, known.name_lang));
    }
    const list = document.createElement("ul");
    list.className = "wanted-services";
    slugs.forEach(function (slug) { const s = serviceOf(slug, entry); list.append(item("li", s.name, s.name_lang)); });
    dd.append(list);
  }

  // A one-stop offer, stop by stop with the waits between (the classes of the
  // itinerary macro, booking's _itinerary.html), and what to bring for each.
  function showItinerary(entry, stops, zone) {
    const list = $("offer-itinerary");
    list.textContent = "";
    $("bring-each").textContent = "";
    stops.forEach(function (stop, i) {
      if (i > 0) {
        const gap = Math.round((new Date(stop.starts_at) - new Date(stops[i - 1].ends_at)) / 60000);
        if (gap > 0) list.append(item("li", page.wait.replace("%(minutes)d", String(gap)), null, "wait"));
      }
      const service = serviceOf(stop.service, entry);
      const li = document.createElement("li");
      li.className = "stop";
      li.append(item("span", timeSpan(stop.starts_at, stop.ends_at, zone), null, "time"), " ",
        item("span", page.services[stop.service] ? service.name : stop.service_name, service.name_lang, "service"));
      if (stop.agency_name) { const who = item("span", "", null, "with"); who.append(item("bdi", stop.agency_name)); li.append(who); }
      list.append(li);
      if ((service.bring || []).length) {
        const title = "bring-" + i;
        const heading = item("p", service.name, service.name_lang, "bring-of");
        heading.id = title;
        const bring = document.createElement("ul");
        bring.className = "bring";
        bring.setAttribute("aria-labelledby", "bring-title " + title);
        service.bring.forEach(function (text) { bring.append(item("li", text, service.bring_lang)); });
        $("bring-each").append(heading, bring);
      }
    });
    list.hidden = false;
    $("bring").hidden = true;
    $("bring-section").hidden = $("bring-each").childElementCount === 0;
  }

  function show(entry) {
    const site = page.sites[entry.site] || { name: entry.site_name || entry.site, zone: entry.timezone };
    const slugs = (entry.services || []).length > 1 ? entry.services : [entry.service];
    const service = serviceOf(entry.service, entry);
    const zone = site.zone || entry.timezone || "Europe/Berlin";
    showWanted(entry, slugs);
    $("site").textContent = site.name;
    $("days").textContent = daySpan(entry.first_day, entry.last_day);
    const times = timesText(entry.earliest, entry.latest);
    $("times").textContent = times;
    $("times").hidden = $("times-label").hidden = !times;
    STATES.forEach(function (state) { $(state).hidden = state !== entry.status; });
    const open = entry.status === "waiting" || entry.status === "offered";
    $("leave-row").hidden = !open;
    if (entry.status === "offered" && entry.offer) {
      const offer = entry.offer;
      $("offered-title").textContent = texts.held_until.replace("{time}", time(offer.expires_at, zone));
      if (offer.starts_at) {
        $("offer-when").textContent = page.moment
          .replace("{1}", fullDay(offer.starts_at, zone))
          .replace("{0}", timeSpan(offer.starts_at, offer.ends_at || offer.starts_at, zone));
      }
      const where = (page.sites[offer.site] || site);
      $("offer-where").textContent = [where.name, where.address || offer.address].filter(Boolean).join(" · ");
      const stops = offer.appointments || [];
      if (stops.length > 1) {
        showItinerary(entry, stops, zone);
      } else {
        const bring = service.bring || [];
        $("bring").innerHTML = "";
        bring.forEach(function (text) { $("bring").append(item("li", text)); });
        if (service.bring_lang) { $("bring").lang = service.bring_lang; $("bring").dir = service.bring_lang === "ar" ? "rtl" : "ltr"; }
        $("bring-section").hidden = bring.length === 0;
      }
    } else if (entry.status === "offered") {
      $("offered").hidden = true;
      $("waiting").hidden = false;
    }
    $("offer-withdrawn").hidden = !entry.offer_withdrawn;
    if (entry.status === "booked" && entry.booking_reference) {
      const hash = entry.manage_url ? entry.manage_url.slice(entry.manage_url.indexOf("#")) : "";
      showBooked(entry.booking_reference, entry.manage_url && entry.manage_url.includes("#") ? hash : "");
    }
    $("entry").hidden = false;
  }

  async function load() {
    if (!token) { missing(); return null; }
    const response = await fetch(api, { headers: headers });
    if (response.status === 404) { missing(); return null; }
    if (!response.ok) { say(texts.failed); return null; }
    const entry = await response.json();
    show(entry);
    return entry;
  }

  async function claim() {
    $("claim").disabled = true;
    say(texts.booking);
    try {
      const response = await fetch(api + "/claim", { method: "POST", headers: headers });
      if (response.status === 201) {
        const made = await response.json();
        STATES.forEach(function (state) { $(state).hidden = state !== "booked"; });
        $("leave-row").hidden = true;
        showBooked(made.reference, "#t=" + made.manage_token);
        $("booked-when").textContent = $("offer-when").textContent;
        $("booked-when").hidden = !$("offer-when").textContent;
        $("booked-itinerary").innerHTML = $("offer-itinerary").innerHTML;
        $("booked-itinerary").hidden = $("offer-itinerary").hidden;
        say("");  // the heading says it, and takes the focus
        $("booked-title").focus();
        return;
      }
      if (response.status === 404) { missing(); return; }
      await load();
      say(response.status === 409 ? texts.ran_out : texts.failed);
    } catch (error) {
      say(texts.failed);
    } finally {
      $("claim").disabled = false;
    }
  }

  function askLeave(open) {
    $("confirm-leave").hidden = !open;
    $("leave").setAttribute("aria-expanded", String(open));
    (open ? $("leave-yes") : $("leave")).focus();
  }

  async function leave() {
    $("leave-yes").disabled = true;
    try {
      const response = await fetch(api, { method: "DELETE", headers: headers });
      if (response.status === 404) { missing(); return; }
      const entry = await load();
      if (response.status === 204) {
        say("");
        $("left-title").focus();
      } else if (response.status === 409) {
        say(entry && entry.status === "booked" ? "" : texts.ended);
      } else {
        say(texts.failed);
      }
    } catch (error) {
      say(texts.failed);
    } finally {
      $("leave-yes").disabled = false;
      $("confirm-leave").hidden = true;
      $("leave").setAttribute("aria-expanded", "false");
    }
  }

  // Another language keeps the token: the links take the fragment along.
  document.querySelectorAll(".languages a").forEach(function (a) { a.href += location.hash; });
  $("claim").addEventListener("click", claim);
  $("leave").addEventListener("click", function () { askLeave($("confirm-leave").hidden); });
  $("leave-no").addEventListener("click", function () { askLeave(false); });
  $("leave-yes").addEventListener("click", leave);
  load().catch(function () { say(texts.failed); });
})();
