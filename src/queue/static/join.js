// Joining a walk-in line from one's phone: the form goes as JSON to the remote-tickets
// endpoint with the invisible proof of work (challenge.js); on success the visitor is
// taken to the ticket page in the page's language (the ticket's token rides in the
// fragment of the link the server answers with). A problem is shown next to the field
// it names, in the visitor's language, by its field or its machine code.
(function () {
  "use strict";
  const $ = function (id) { return document.getElementById(id); };
  const data = JSON.parse($("join-data").textContent);
  const texts = data.texts;
  const form = $("join-form");
  const button = $("join-button");
  const picked = []; // the services in the order they were ticked

  // The order of several services is the order of ticking: each shows its number.
  function showOrder() {
    form.querySelectorAll("input[name=services]").forEach(function (box) {
      const mark = box.closest("label").querySelector(".order");
      const place = picked.indexOf(box.value);
      mark.textContent = place >= 0 && picked.length > 1 ? String(place + 1) : "";
    });
  }
  form.querySelectorAll("input[name=services]").forEach(function (box) {
    box.addEventListener("change", function () {
      const at = picked.indexOf(box.value);
      if (box.checked && at < 0) picked.push(box.value);
      if (!box.checked && at >= 0) picked.splice(at, 1);
      showOrder();
      clear("services");
      if (FIELDS.every(function (f) { return $(f + "-error").hidden; })) general("", false);
    });
  });

  const FIELDS = ["services", "name", "phone", "email"];

  function clear(field) {
    const error = $(field + "-error");
    error.hidden = true;
    error.textContent = "";
    const input = field === "services" ? $("services") : $(field);
    input.removeAttribute("aria-invalid");
    if (field === "services") input.setAttribute("aria-describedby", "services-hint");
    else if (field === "name") input.removeAttribute("aria-describedby");
    else input.setAttribute("aria-describedby", "contact-hint");
  }

  function mark(field, text) {
    const error = $(field + "-error");
    error.textContent = text;
    error.hidden = false;
    const input = field === "services" ? $("services") : $(field);
    input.setAttribute("aria-invalid", "true");
    const hint = field === "services" ? "services-hint " : field === "name" ? "" : "contact-hint ";
    input.setAttribute("aria-describedby", hint + field + "-error");
  }

  // Typing in a field takes its error away (a missing contact is both fields' error).
  ["name", "phone", "email"].forEach(function (field) {
    $(field).addEventListener("input", function () {
      if (field === "name") clear("name");
      else { clear("phone"); clear("email"); }
      if (FIELDS.every(function (f) { return $(f + "-error").hidden; })) general("", false);
    });
  });

  function general(text, focus) {
    const box = $("form-error");
    box.textContent = text;
    box.hidden = !text;
    if (text && focus !== false) box.focus();
  }

  function reset() {
    FIELDS.forEach(clear);
    general("");
  }

  function firstInvalid() {
    const first = FIELDS.find(function (field) { return !$(field + "-error").hidden; });
    if (!first) return;
    (first === "services" ? form.querySelector("input[name=services]") : $(first)).focus();
  }

  function value(id) { return $(id).value.trim(); }

  // What the page can tell before asking the server.
  function checked() {
    let ok = true;
    if (!picked.length) { mark("services", texts.services); ok = false; }
    if (!value("name")) { mark("name", texts.name); ok = false; }
    if (!value("phone") && !value("email")) {
      mark("phone", texts.contact);
      mark("email", texts.contact);
      ok = false;
    }
    return ok;
  }

  function problem(status, body) {
    const code = body && body.code;
    const errors = (body && body.errors) || [];
    if (code === "remote_ticket_exists") {
      mark(value("phone") ? "phone" : "email", texts.remote_ticket_exists);
      return;
    }
    if (code === "remote_queue_off" || code === "site_closed") {
      general(texts[code]);
      return;
    }
    const fields = errors.map(function (e) { return e.field; });
    if (fields.indexOf("phone") >= 0 && fields.indexOf("email") >= 0) {
      mark("phone", texts.contact);
      mark("email", texts.contact);
      return;
    }
    let shown = false;
    fields.forEach(function (field) {
      if (field === "service" || field === "services") { mark("services", texts.services); shown = true; }
      else if (field === "name" || field === "phone" || field === "email") { mark(field, texts[field]); shown = true; }
      else if (field === "altcha") { general(texts.altcha); shown = true; }
    });
    if (!shown) general(texts.failed);
  }

  // The ticket page in this page's language, on this server, with the token.
  function ticketPage(link) {
    const url = new URL(link, location.href);
    return "/" + data.lang + url.pathname + url.hash;
  }

  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    if (button.getAttribute("aria-busy") === "true") return;
    reset();
    if (!checked()) { general(texts.check); firstInvalid(); return; }
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
    try {
      const body = { services: picked.slice(), name: value("name"), language: data.lang };
      if (value("phone")) body.phone = value("phone");
      if (value("email")) body.email = value("email");
      const altcha = window.wcrChallenge ? await window.wcrChallenge.take(form) : "";
      if (altcha) body.altcha = altcha;
      const response = await fetch("/api/v1/sites/" + encodeURIComponent(data.site) + "/remote-tickets", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      const answer = await response.json().catch(function () { return null; });
      if (response.status === 201 && answer) {
        location.assign(ticketPage(answer.ticket_url));
        return;
      }
      problem(response.status, answer);
      firstInvalid();
    } catch (error) {
      general(texts.failed);
    }
    button.removeAttribute("aria-busy");
    button.disabled = false;
  });
})();
