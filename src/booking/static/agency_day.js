// The printable day list: the day's people by time (name, time, service, reference,
// the visitor's language), per site, through the agency API with the portal's key.
(function () {
  "use strict";
  const $ = function (id) { return document.getElementById(id); };
  const texts = JSON.parse($("texts").textContent);
  const page = JSON.parse($("page").textContent);
  const lang = page.lang;
  const locale = lang === "en" ? "en-GB" : lang;
  const key = sessionStorage.getItem("wcr.agencyKey");
  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name] === undefined ? "" : values[name]; });
  }
  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") node.textContent = attrs.text;
      else if (name === "class") node.className = attrs.class;
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { node.append(child); });
    return node;
  }
  let names = null;
  try { names = new Intl.DisplayNames([locale], { type: "language" }); } catch (e) { names = null; }
  function languageName(code) { try { return (names && names.of(code)) || code; } catch (e) { return code; } }
  function shifted(days) {
    const d = new Date(page.day + "T12:00:00Z");
    d.setUTCDate(d.getUTCDate() + days);
    return "/" + lang + "/agency/day/" + d.toISOString().slice(0, 10);
  }
  $("previous-day").href = shifted(-1);
  $("next-day").href = shifted(1);
  $("print").addEventListener("click", function () { window.print(); });

  async function get(path) {
    const response = await fetch("/api/v1/agency" + path, { headers: { Authorization: "Bearer " + key } });
    if (!response.ok) throw new Error(String(response.status));
    return response.json();
  }

  async function load() {
    if (!key) { $("message").textContent = texts.sign_in; return; }
    const range = "?from=" + page.day + "&to=" + page.day + "&lang=" + lang;
    let me, slots, bookings;
    try {
      [me, slots, bookings] = await Promise.all([get("/me?lang=" + lang), get("/slots" + range), get("/bookings" + range)]);
    } catch (e) { $("message").textContent = texts.sign_in; return; }
    $("agency-name").textContent = me.name;
    const sheet = $("sheet");
    const live = slots.filter(function (s) { return !s.withdrawn; });
    me.site_details.forEach(function (site) {
      const here = live.filter(function (s) { return s.site === site.slug; });
      if (!here.length) return;
      const people = bookings.filter(function (b) { return b.site === site.slug; });
      const body = el("tbody");
      const capacity = here.reduce(function (sum, s) { return sum + s.capacity; }, 0);
      const free = here.reduce(function (sum, s) { return sum + Math.max(0, s.capacity - s.booked); }, 0);
      here.forEach(function (slot) {
        const time = slot.start.slice(11, 16) + "–" + slot.end.slice(11, 16);
        people.filter(function (b) { return b.slot_id === slot.id; }).forEach(function (b) {
          body.append(el("tr", {}, [
            el("td", { class: "time", text: time }),
            el("td", {}, [el("strong", { text: b.name })]),
            el("td", { text: b.service_name }),
            el("td", { class: "ref", text: b.reference }),
            el("td", { text: languageName(b.language) }),
          ]));
        });
      });
      const head = el("tr", {}, ["time", "name", "service", "reference", "language"].map(function (k) {
        return el("th", { scope: "col", text: texts[k] });
      }));
      sheet.append(el("section", {}, [
        el("h2", { text: site.name }),
        el("p", { class: "muted", text: fill(texts.count, { count: people.length }) + " · " +
          fill(texts.free, { count: free, capacity: capacity }) }),
        people.length ? el("table", {}, [el("thead", {}, [head]), body]) : el("p", { text: texts.nobody }),
      ]));
    });
    if (!sheet.children.length) sheet.append(el("p", { text: texts.nobody }));
  }
  load();
})();
