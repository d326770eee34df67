// The front-desk console. Everything goes through the JSON API with the session cookie;
// the texts come translated from the page's data block (#desk-texts).
//
// Live updates never take away what a worker is doing: each part of the screen is
// rendered only when its own data changed, lines are updated in place (a focused
// button stays focused), and the walk-in services ticked, the transfer target chosen
// and a note being typed are kept.
//
// Keyboard: F2 call next, F3 recall, F4 finish, F8 no-show, F9 park. They act unless
// the worker is typing in a field (the empty scanner field counts as not typing). A
// QR scanner types like a keyboard and ends with Enter: the scanner field (#scan) has
// the focus whenever no other field does, so a scan always lands there.
(function () {
  "use strict";
  const $ = function (id) { return document.getElementById(id); };
  const T = JSON.parse($("desk-texts").textContent);
  const LANG = T.lang || document.documentElement.lang || "de";
  const UNDO_SECONDS = 60;
  const SHORTCUTS = { F2: "call-next", F3: "recall", F4: "finish", F8: "no-show", F9: "park" };

  let me = null;
  let counters = [];
  let queueData = null;
  let events = null;
  let refreshTimer = null;
  let servingId = null;
  let servingSince = null;
  let lastTicket = null; // the ticket of the last action, for "Print slip"
  let undo = null; // {ticket, until, timer}
  let ticked = []; // walk-in services in the order they were ticked
  let stateBusy = false;
  const shown = {}; // signatures of what is on screen, per part

  function fmt(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (whole, key) {
      return values && values[key] !== undefined && values[key] !== null ? String(values[key]) : whole;
    });
  }

  function changed(part, data) {
    const signature = JSON.stringify(data);
    if (shown[part] === signature) return false;
    shown[part] = signature;
    return true;
  }

  // --- talking to the API ------------------------------------------------------------

  function ApiError(status, problem) {
    this.status = status;
    this.problem = problem || {};
    this.code = this.problem.code || null;
  }

  async function api(method, path, body) {
    let response;
    try {
      response = await fetch("/api/v1" + path, {
        method: method,
        // Every change as JSON: with the session cookie the server takes no other kind.
        headers: method !== "GET" ? { "content-type": "application/json" } : {},
        body: method !== "GET" ? JSON.stringify(body || {}) : undefined,
        credentials: "same-origin",
      });
    } catch (e) {
      throw new ApiError(0, { code: "network" });
    }
    if (response.status === 204) return null;
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      if (response.status === 401 && path !== "/auth/login") showLogin();
      throw new ApiError(response.status, data);
    }
    return data;
  }

  // A translated text for any failure: by the problem's code, else by its status.
  function explain(error) {
    const errors = T.errors;
    if (!(error instanceof ApiError)) return errors.generic;
    const field = error.problem.errors && error.problem.errors[0] && error.problem.errors[0].field;
    if (field && T.fields[field] && (!error.code || error.code === "invalid_input")) {
      return fmt(T.check_field, { field: T.fields[field] });
    }
    if (error.code && errors[error.code]) {
      const problem = error.problem;
      // The ticket's status (the problem's own "status" is the HTTP status).
      const status = T.statuses[problem.ticket_status] || T.statuses[problem.status];
      if (error.code === "ticket_wrong_state" && !status) return errors.conflict;
      if (error.code === "too_early" && !problem.opens_at) return errors.generic;
      return fmt(errors[error.code], { status: status, time: clock(problem.opens_at) });
    }
    const byStatus = {
      0: "network", 401: "sign_in", 403: "forbidden", 404: "not_found",
      409: "conflict", 422: "invalid_input", 400: "invalid_input", 429: "too_many_requests",
    };
    return errors[byStatus[error.status]] || errors.generic;
  }

  const site = function () { return $("site").value; };
  const counter = function () {
    return counters.find(function (c) { return String(c.id) === $("counter").value; });
  };

  // --- the result area: the number just issued or called, large ----------------------

  function say(text) {
    $("message").textContent = text || "";
  }

  function showResult(kind, ticket, values) {
    say("");
    clearUndo();
    lastTicket = ticket || lastTicket;
    $("result").dataset.kind = kind;
    $("result-number").textContent = ticket ? ticket.number : "";
    const template = T.result[kind] || "{number}";
    $("result-text").textContent = ticket ? fmt(template, Object.assign({
      number: ticket.number, queue: ticket.queue_name, counter: ticket.counter || "",
    }, values || {})) : "";
    $("print-slip").hidden = !lastTicket;
  }

  function showError(error) {
    $("result").dataset.kind = "error";
    say(explain(error));
  }

  function clearUndo() {
    if (undo) clearInterval(undo.timer);
    undo = null;
    $("undo").hidden = true;
  }

  function offerUndo(ticket) {
    clearUndo();
    undo = { ticket: ticket, until: Date.now() + UNDO_SECONDS * 1000, timer: null };
    const tick = function () {
      const left = Math.ceil((undo.until - Date.now()) / 1000);
      if (left <= 0) { clearUndo(); return; }
      $("undo").textContent = fmt(T.undo_left, { seconds: left });
    };
    $("undo").hidden = false;
    tick();
    undo.timer = setInterval(tick, 1000);
  }

  // --- signing in ---------------------------------------------------------------------

  function showLogin() {
    $("login").hidden = false;
    $("console").hidden = true;
    $("place").hidden = true;
    $("logout").hidden = true;
    if (events) { events.close(); events = null; }
  }

  async function start() {
    try { me = await api("GET", "/auth/me"); } catch (e) { showLogin(); return; }
    $("who").textContent = me.username + (me.site ? " · " + me.site : "");
    $("who").title = fmt(T.signed_in, { user: me.username });
    $("login").hidden = true;
    $("console").hidden = false;
    $("place").hidden = false;
    $("logout").hidden = false;
    if (me.site) { $("site").value = me.site; $("site").disabled = true; }
    $("auto-print").checked = localStorage.getItem("wcr.desk.print") === "1";
    await loadSite();
    $("scan").focus();
  }

  async function loadSite() {
    Object.keys(shown).forEach(function (part) { delete shown[part]; });
    ticked = [];
    servingId = null;
    await refresh();
    listen();
  }

  // --- what is on screen --------------------------------------------------------------

  function queueName(slug) {
    const q = queueData && queueData.queues.find(function (x) { return x.service === slug; });
    return q ? q.name : slug;
  }

  function languageName(code) {
    try {
      return new Intl.DisplayNames([LANG], { type: "language" }).of(code) || code;
    } catch (e) {
      return code;
    }
  }

  function clock(iso) {
    return iso ? String(iso).slice(11, 16) : "";
  }

  function renderCounters() {
    const names = counters.map(function (c) {
      return { id: c.id, label: c.name + (c.services.length ? " · " + c.services.map(queueName).join(", ") : "") };
    });
    if (!changed("counters", names)) return;
    const select = $("counter");
    const chosen = select.value || localStorage.getItem("wcr.counter." + site());
    select.replaceChildren();
    names.forEach(function (c) { select.add(new Option(c.label, c.id)); });
    if (chosen && counters.some(function (c) { return String(c.id) === String(chosen); })) select.value = chosen;
  }

  function renderServices() {
    const services = queueData.queues.map(function (q) { return [q.service, q.name]; });
    if (changed("services", services)) {
      const box = $("walkin-services");
      box.querySelectorAll("label").forEach(function (l) { l.remove(); });
      services.forEach(function (pair) {
        const label = document.createElement("label");
        label.className = "inline service-choice";
        const input = document.createElement("input");
        input.type = "checkbox";
        input.name = "services";
        input.value = pair[0];
        input.checked = ticked.indexOf(pair[0]) >= 0;
        const name = document.createElement("span");
        name.textContent = pair[1];
        const order = document.createElement("span");
        order.className = "order";
        order.setAttribute("aria-hidden", "true");
        label.append(input, " ", name, order);
        box.append(label);
      });
      ticked = ticked.filter(function (slug) { return services.some(function (p) { return p[0] === slug; }); });
      showOrder();
      const transfer = $("transfer-to");
      const target = transfer.value;
      transfer.replaceChildren();
      services.forEach(function (pair) { transfer.add(new Option(pair[1], pair[0])); });
      if (target && services.some(function (p) { return p[0] === target; })) transfer.value = target;
    }
  }

  function showOrder() {
    $("walkin-services").querySelectorAll("label").forEach(function (label) {
      const place = ticked.indexOf(label.querySelector("input").value);
      label.querySelector(".order").textContent = place >= 0 && ticked.length > 1 ? String(place + 1) : "";
    });
  }

  function nextNames(t) {
    if (t.next_service_names && t.next_service_names.length) return t.next_service_names;
    return (t.next_services || []).map(queueName);
  }

  function lineFacts(t) {
    const facts = [];
    if (t.waited_minutes !== undefined && t.waited_minutes !== null) facts.push(fmt(T.waited, { minutes: t.waited_minutes }));
    if (t.booked_at) facts.push(fmt(T.booked, { time: clock(t.booked_at) }));
    else if (t.kind === "appointment") facts.push(fmt(T.booked, { time: clock(t.due) }));
    else facts.push(T.walkin);
    const next = nextNames(t);
    if (next.length) facts.push(fmt(T.then, { services: next.join(" → ") }));
    return facts.join(" · ");
  }

  // One line of a list, updated in place (so a focused button keeps its focus).
  function fillLine(li, t, action, label) {
    if (!li.firstChild) {
      li.innerHTML = "<span class=line-main><strong class=number></strong> <span class=lang></span> " +
        "<span class=who></span></span><small class=facts></small><button type=button></button>";
      li.querySelector("button").onclick = function () { action(li.ticket); };
    }
    li.ticket = t;
    li.querySelector(".number").textContent = t.number + (t.priority ? " ★" : "");
    const lang = li.querySelector(".lang");
    lang.textContent = t.language ? t.language.toUpperCase() : "";
    lang.title = t.language ? languageName(t.language) : "";
    lang.hidden = !t.language;
    li.querySelector(".who").textContent = (t.name || "") + (t.note ? " · " + t.note : "");
    li.querySelector(".facts").textContent = lineFacts(t);
    const button = li.querySelector("button");
    button.textContent = label.text;
    button.setAttribute("aria-label", fmt(label.name, { number: t.number }));
  }

  function reconcile(list, tickets, action, label) {
    const existing = {};
    Array.prototype.forEach.call(list.children, function (li) { existing[li.dataset.ticket] = li; });
    let at = list.firstElementChild;
    tickets.forEach(function (t) {
      let li = existing[String(t.id)];
      delete existing[String(t.id)];
      if (!li) { li = document.createElement("li"); li.dataset.ticket = t.id; }
      fillLine(li, t, action, label);
      if (li !== at) list.insertBefore(li, at); else at = at.nextElementSibling;
    });
    const focused = document.activeElement;
    let lostFocus = false;
    Object.keys(existing).forEach(function (id) {
      if (existing[id].contains(focused)) lostFocus = true;
      existing[id].remove();
    });
    if (lostFocus) $("scan").focus();
  }

  function renderQueues() {
    const board = $("queues");
    const columns = {};
    Array.prototype.forEach.call(board.children, function (col) { columns[col.dataset.service] = col; });
    queueData.queues.forEach(function (q, index) {
      let column = columns[q.service];
      delete columns[q.service];
      if (!column) {
        column = document.createElement("section");
        column.className = "queue";
        column.dataset.service = q.service;
        column.innerHTML = "<h3></h3><ol></ol>";
        column.querySelector("h3").id = "queue-" + q.service;
        column.querySelector("ol").setAttribute("aria-labelledby", "queue-" + q.service);
      }
      if (board.children[index] !== column) board.insertBefore(column, board.children[index] || null);
      column.querySelector("h3").textContent = q.letter + " · " + q.name + " (" + q.waiting.length + ")";
      if (!changed("queue:" + q.service, q.waiting)) return;
      reconcile(column.querySelector("ol"), q.waiting, callTicket, { text: T.call_label || "Call", name: T.call_ticket });
    });
    Object.keys(columns).forEach(function (slug) { columns[slug].remove(); });
  }

  function renderParked() {
    const parked = (queueData && queueData.parked) || [];
    if (!changed("parked", parked)) return;
    reconcile($("parked"), parked, unparkTicket, { text: T.back_label || "↩", name: T.back_ticket });
    $("parked-empty").hidden = parked.length > 0;
  }

  function renderServing() {
    const c = counter();
    const t = c && c.serving ? c.serving : null;
    if (!t) {
      $("serving").textContent = "";
      $("serving-detail").textContent = T.nobody_serving;
    } else {
      $("serving").textContent = t.number + (t.priority ? " ★" : "");
      const parts = [t.queue_name];
      if (t.name) parts.push(t.name);
      if (t.language) parts.push(languageName(t.language));
      if (t.kind === "appointment" || t.booked_at) parts.push(fmt(T.booked, { time: clock(t.booked_at || t.due) }));
      const next = nextNames(t);
      if (next.length) parts.push(fmt(T.then, { services: next.join(" → ") }));
      $("serving-detail").textContent = parts.join(" · ");
    }
    const id = t ? t.id : null;
    if (id !== servingId) {
      servingId = id;
      servingSince = t ? (t.called_at ? Date.parse(t.called_at) : Date.now()) : null;
      $("note").value = t && t.note ? t.note : "";
      tickTimer();
    }
    ["recall", "finish", "no-show", "park", "transfer", "reprint"].forEach(function (b) { $(b).disabled = !t; });
    $("note").disabled = !t;
    $("note-form").querySelector("button").disabled = !t;
    const state = (c && c.state) || "open";
    if (!stateBusy) {
      document.querySelectorAll("input[name=counter-state]").forEach(function (r) { r.checked = r.value === state; });
    }
    document.body.dataset.counterState = state;
    const closed = $("counter-closed");
    closed.hidden = state === "open";
    closed.textContent = state === "paused" ? T.counter_paused : state === "closed" ? T.counter_closed : "";
  }

  function tickTimer() {
    $("timer-line").hidden = !servingSince;
    if (!servingSince) { $("timer").textContent = ""; return; }
    const seconds = Math.max(0, Math.floor((Date.now() - servingSince) / 1000));
    const m = Math.floor(seconds / 60);
    const s = seconds % 60;
    $("timer").textContent = m + ":" + (s < 10 ? "0" : "") + s;
  }

  function renderToday(today) {
    if (!today || !changed("today", today)) return;
    const minutes = function (value) {
      return value === null || value === undefined ? "–" : fmt(T.minutes, { minutes: Math.round(value) });
    };
    $("today-served").textContent = today.served;
    $("today-waiting").textContent = today.waiting;
    $("today-no-shows").textContent = today.no_shows;
    $("today-median").textContent = minutes(today.median_wait_minutes);
    $("today-longest").textContent = minutes(today.longest_wait_now_minutes);
  }

  async function refresh() {
    const results = await Promise.allSettled([
      // Names of queues and services in the desk's language.
      api("GET", "/sites/" + site() + "/queue?lang=" + LANG),
      api("GET", "/sites/" + site() + "/counters?lang=" + LANG),
      api("GET", "/sites/" + site() + "/today?lang=" + LANG),
    ]);
    if (results[0].status === "fulfilled") queueData = results[0].value;
    if (results[1].status === "fulfilled") counters = results[1].value;
    if (!queueData) throw results[0].reason;
    renderServices();
    renderCounters();
    renderQueues();
    renderParked();
    renderServing();
    $("today").hidden = results[2].status !== "fulfilled";
    if (results[2].status === "fulfilled") renderToday(results[2].value);
  }

  function refreshSoon() {
    clearTimeout(refreshTimer);
    refreshTimer = setTimeout(function () { refresh().catch(function () {}); }, 80);
  }

  function listen() {
    if (events) events.close();
    events = new EventSource("/api/v1/sites/" + encodeURIComponent(site()) + "/events");
    const live = function (on) {
      $("live").classList.toggle("on", on);
      $("live").setAttribute("aria-label", on ? T.live_on : T.live_off);
    };
    events.addEventListener("ready", function () { live(true); refreshSoon(); });
    events.addEventListener("ticket", refreshSoon);
    events.onerror = function () { live(false); };
  }

  // --- actions ------------------------------------------------------------------------

  // Back to the scanner field unless the worker is in another field.
  function backToScanner() {
    const active = document.activeElement;
    const typing = active && active.matches && active.matches("input:not([type=checkbox]):not([type=radio]), textarea, select");
    if (!typing) $("scan").focus();
  }

  async function act(work, kind, after) {
    try {
      const result = await work();
      const ticket = result && result.ticket ? result.ticket : null;
      if (ticket) {
        const resultKind = typeof kind === "function" ? kind(ticket) : kind;
        showResult(resultKind, ticket);
        if (after) after(ticket);
      }
      await refresh();
      return result;
    } catch (e) {
      showError(e);
      return null;
    } finally {
      backToScanner();
    }
  }

  function serving() {
    const c = counter();
    if (!c || !c.serving) { $("result").dataset.kind = "error"; say(T.nobody_serving); return null; }
    return c.serving;
  }

  function counterPath() {
    return "/sites/" + site() + "/counters/" + $("counter").value;
  }

  function callTicket(t) {
    act(function () { return api("POST", counterPath() + "/call", { ticket_id: t.id }); }, "called");
  }

  function unparkTicket(t) {
    act(function () { return api("POST", "/tickets/" + t.id + "/unpark"); }, "unparked");
  }

  function ticketAction(action, kind, after) {
    const t = serving();
    if (t) act(function () { return api("POST", "/tickets/" + t.id + "/" + action); }, kind, after);
  }

  // --- the printable slip -------------------------------------------------------------

  async function printSlip(ticket) {
    if (!ticket) return;
    try {
      const response = await fetch("/ticket/" + ticket.id + "/slip", { credentials: "same-origin" });
      if (!response.ok) throw new ApiError(response.status, await response.json().catch(function () { return {}; }));
      const doc = new DOMParser().parseFromString(await response.text(), "text/html");
      const slip = doc.querySelector(".slip");
      if (!slip) throw new ApiError(500, {});
      $("print-area").replaceChildren(document.importNode(slip, true));
      fitPage($("print-area").querySelector(".slip"));
      document.body.dataset.printed = String(ticket.id);
      window.print();
    } catch (e) {
      showError(e);
    }
  }

  // The receipt is as long as the slip: "@page { size: 80mm L }" (see slip.css).
  function fitPage(slip) {
    const sheet = Array.prototype.find.call(document.styleSheets, function (s) {
      return s.href && s.href.indexOf("/static/slip.css") >= 0;
    });
    if (!sheet || !slip) return;
    const length = Math.ceil(slip.getBoundingClientRect().height / (96 / 25.4)) + 8;
    sheet.insertRule("@page { size: 80mm " + length + "mm; }", sheet.cssRules.length);
  }

  function printIfWanted(ticket) {
    if ($("auto-print").checked) printSlip(ticket);
  }

  // --- wiring -------------------------------------------------------------------------

  $("login-form").onsubmit = async function (e) {
    e.preventDefault();
    const form = new FormData(e.target);
    try {
      await api("POST", "/auth/login", { username: form.get("username"), password: form.get("password") });
      $("login-message").textContent = "";
      e.target.reset();
      await start();
    } catch (err) {
      $("login-message").textContent = err.status === 401 ? T.errors.bad_login : explain(err);
    }
  };
  $("logout").onclick = async function () {
    try { await api("POST", "/auth/logout"); } catch (e) { /* signed out anyway */ }
    showLogin();
  };
  $("site").onchange = loadSite;
  $("counter").onchange = function () {
    localStorage.setItem("wcr.counter." + site(), $("counter").value);
    renderServing();
  };
  document.querySelectorAll("input[name=counter-state]").forEach(function (radio) {
    radio.onchange = async function () {
      if (!radio.checked) return;
      stateBusy = true;
      try {
        await api("POST", counterPath() + "/state", { state: radio.value });
        showResult("none", null);
        $("result-text").textContent = fmt(T.state_changed, { state: T["state_" + radio.value] });
        await refresh();
      } catch (err) {
        showError(err);
      } finally {
        stateBusy = false;
        renderServing();
      }
    };
  });
  $("call-next").onclick = function () {
    act(async function () {
      const result = await api("POST", counterPath() + "/call-next");
      if (!result) { showResult("none", null); $("result-text").textContent = T.nobody_waiting; }
      return result;
    }, "called");
  };
  $("recall").onclick = function () {
    ticketAction("recall", function (t) { return t.status === "no_show" ? "no_show" : "recalled"; });
  };
  $("finish").onclick = function () {
    ticketAction("finish", function (t) { return t.status === "waiting" ? "moved_on" : "finished"; });
  };
  $("no-show").onclick = function () {
    ticketAction("no-show", "no_show", offerUndo);
  };
  $("park").onclick = function () { ticketAction("park", "parked"); };
  $("undo").onclick = function () {
    if (!undo) return;
    const t = undo.ticket;
    act(function () { return api("POST", "/tickets/" + t.id + "/undo-no-show"); }, "undone");
  };
  $("transfer").onclick = function () {
    const t = serving();
    const target = $("transfer-to").value;
    if (t) act(function () { return api("POST", "/tickets/" + t.id + "/transfer", { service: target }); }, "transferred");
  };
  $("reprint").onclick = function () { const t = serving(); if (t) printSlip(t); };
  $("print-slip").onclick = function () { printSlip(lastTicket); };
  $("auto-print").onchange = function () {
    localStorage.setItem("wcr.desk.print", $("auto-print").checked ? "1" : "0");
  };
  $("note-form").onsubmit = function (e) {
    e.preventDefault();
    const t = serving();
    if (!t) return;
    const note = $("note").value;
    act(function () { return api("POST", "/tickets/" + t.id + "/note", { note: note }); }, "none")
      .then(function (r) {
        if (!r) return;
        $("result-text").textContent = fmt(T.note_saved, { number: t.number });
        $("scan").focus();
      });
  };
  $("call-number-form").onsubmit = function (e) {
    e.preventDefault();
    const number = $("call-number").value.trim().toUpperCase();
    if (!number) return;
    // The shortcuts work again at once: the called ticket may show (its live event)
    // before this answer, and F4 right then must not count as typing a number.
    $("scan").focus();
    act(function () { return api("POST", counterPath() + "/call", { number: number }); }, "called")
      .then(function (r) {
        if (r) $("call-number").value = "";
        else $("call-number").focus(); // refused: the number is there to correct
      });
  };
  $("checkin-form").onsubmit = function (e) {
    e.preventDefault();
    const reference = $("scan").value.trim();
    if (!reference) return;
    act(function () { return api("POST", "/sites/" + site() + "/checkins", { reference: reference }); },
      "checked_in", printIfWanted)
      .then(function (r) { if (r) $("scan").value = ""; $("scan").focus(); });
  };
  $("walkin-services").addEventListener("change", function (e) {
    const input = e.target;
    if (input.name !== "services") return;
    ticked = ticked.filter(function (slug) { return slug !== input.value; });
    if (input.checked) ticked.push(input.value);
    showOrder();
  });
  $("walkin-form").onsubmit = function (e) {
    e.preventDefault();
    const form = new FormData(e.target);
    if (!ticked.length) { $("result").dataset.kind = "error"; say(T.no_service_chosen); return; }
    const body = { services: ticked.slice(), priority: form.get("priority") === "on" };
    if (form.get("name")) body.name = form.get("name");
    if (form.get("phone")) body.phone = form.get("phone");
    if (form.get("language")) body.language = form.get("language");
    act(function () { return api("POST", "/sites/" + site() + "/tickets", body); }, "issued", printIfWanted)
      .then(function (r) {
        if (!r) return;
        e.target.reset();
        ticked = [];
        showOrder();
        e.target.querySelector("select[name=language]").value = LANG;
      });
  };

  document.addEventListener("keydown", function (e) {
    const id = SHORTCUTS[e.key];
    if (!id || e.ctrlKey || e.altKey || e.metaKey || $("console").hidden) return;
    const active = document.activeElement;
    const field = active && active.matches && active.matches("input:not([type=checkbox]):not([type=radio]), textarea, select, [contenteditable]");
    if (field && !(active === $("scan") && active.value === "")) return; // typing: not a shortcut
    e.preventDefault();
    if (e.repeat) return;
    const button = $(id);
    if (!button.disabled) button.click();
  });

  setInterval(tickTimer, 1000);
  // Waited minutes move on without events: a quiet refresh once a minute.
  setInterval(function () { if (!$("console").hidden) refreshSoon(); }, 60000);
  start();
})();
