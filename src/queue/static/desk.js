// The front-desk console: everything goes through the JSON API with the session cookie.
(function () {
  "use strict";
  const $ = function (id) { return document.getElementById(id); };
  let me = null;
  let counters = [];
  let events = null;

  function say(text, ok) {
    $("message").textContent = text || "";
    $("message").className = "message" + (ok ? " ok" : "");
  }

  async function api(method, path, body) {
    const response = await fetch("/api/v1" + path, {
      method: method,
      // Every change as JSON: with the session cookie the server takes no other kind.
      headers: method !== "GET" || body ? { "content-type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined,
      credentials: "same-origin",
    });
    if (response.status === 204) return null;
    const data = await response.json().catch(function () { return {}; });
    if (!response.ok) {
      if (response.status === 401 && path !== "/auth/login") showLogin();
      throw new Error(data.detail || response.statusText);
    }
    return data;
  }

  const site = function () { return $("site").value; };
  const counter = function () { return counters.find(function (c) { return String(c.id) === $("counter").value; }); };

  function showLogin() {
    $("login").hidden = false;
    $("console").hidden = true;
    $("logout").hidden = true;
  }

  async function start() {
    try { me = await api("GET", "/auth/me"); } catch (e) { showLogin(); return; }
    $("who").textContent = me.username + (me.site ? " · " + me.site : " · admin");
    $("login").hidden = true;
    $("console").hidden = false;
    $("logout").hidden = false;
    if (me.site) { $("site").value = me.site; $("site").disabled = true; }
    await loadSite();
  }

  async function loadSite() {
    counters = await api("GET", "/sites/" + site() + "/counters");
    const chosen = localStorage.getItem("wcr.counter." + site());
    $("counter").innerHTML = "";
    counters.forEach(function (c) {
      const option = new Option(c.name + " (" + c.services.join(", ") + ")", c.id);
      $("counter").add(option);
    });
    if (chosen && counters.some(function (c) { return String(c.id) === chosen; })) $("counter").value = chosen;
    await refresh();
    listen();
  }

  function ticketLine(t) {
    const li = document.createElement("li");
    li.dataset.ticket = t.id;
    const wait = t.estimated_wait_minutes === null ? "" : " · ≈" + t.estimated_wait_minutes + " min";
    li.innerHTML = "<strong></strong> <span class=who></span> <small></small> <button type=button>Aufrufen · Call</button>";
    li.querySelector("strong").textContent = t.number + (t.priority ? " ★" : "");
    li.querySelector(".who").textContent = t.name || "";
    li.querySelector("small").textContent = (t.kind === "appointment" ? "Termin " + t.due.slice(11, 16) : "ohne Termin") + wait;
    li.querySelector("button").onclick = function () { act(function () {
      return api("POST", "/sites/" + site() + "/counters/" + counter().id + "/call", { ticket_id: t.id });
    }); };
    return li;
  }

  async function refresh() {
    const [queue, fresh] = await Promise.all([
      api("GET", "/sites/" + site() + "/queue"),
      api("GET", "/sites/" + site() + "/counters"),
    ]);
    counters = fresh;
    const board = $("queues");
    board.innerHTML = "";
    const services = $("walkin-services");
    const transfer = $("transfer-to");
    services.querySelectorAll("label").forEach(function (l) { l.remove(); });
    transfer.innerHTML = "";
    queue.queues.forEach(function (q) {
      const column = document.createElement("div");
      column.className = "queue";
      column.innerHTML = "<h3></h3><ol></ol>";
      column.querySelector("h3").textContent = q.letter + " · " + q.name + " (" + q.waiting.length + ")";
      q.waiting.forEach(function (t) { column.querySelector("ol").append(ticketLine(t)); });
      board.append(column);
      const label = document.createElement("label");
      label.className = "inline";
      label.innerHTML = "<input type=checkbox name=services> <span></span>";
      label.querySelector("input").value = q.service;
      label.querySelector("span").textContent = q.name;
      services.append(label);
      transfer.add(new Option(q.name, q.service));
    });
    const c = counter();
    $("serving").textContent = c && c.serving
      ? c.serving.number + " · " + (c.serving.name || "") + " · " + c.serving.queue_name
      : "–";
  }

  async function act(work) {
    try {
      const result = await work();
      say(result && result.ticket ? result.ticket.number + ": " + result.ticket.status : "", true);
      await refresh();
      return result;
    } catch (e) {
      say(e.message);
      return null;
    }
  }

  function serving() {
    const c = counter();
    if (!c || !c.serving) { say("Am Schalter ist niemand · Nobody at this counter"); return null; }
    return c.serving;
  }

  function listen() {
    if (events) events.close();
    events = new EventSource("/api/v1/sites/" + site() + "/events");
    events.addEventListener("ready", function () { $("live").classList.add("on"); });
    events.addEventListener("ticket", function () { refresh().catch(function () {}); });
    events.onerror = function () { $("live").classList.remove("on"); };
  }

  $("login-form").onsubmit = async function (e) {
    e.preventDefault();
    const form = new FormData(e.target);
    try {
      await api("POST", "/auth/login", { username: form.get("username"), password: form.get("password") });
      say("");
      await start();
    } catch (err) { say(err.message); }
  };
  $("logout").onclick = async function () { await api("POST", "/auth/logout"); showLogin(); };
  $("site").onchange = loadSite;
  $("counter").onchange = function () { localStorage.setItem("wcr.counter." + site(), $("counter").value); refresh(); };
  $("call-next").onclick = function () {
    act(async function () {
      const result = await api("POST", "/sites/" + site() + "/counters/" + counter().id + "/call-next");
      if (!result) say("Niemand wartet · Nobody is waiting", true);
      return result;
    });
  };
  ["recall", "finish", "no-show"].forEach(function (action) {
    $(action).onclick = function () {
      const t = serving();
      if (t) act(function () { return api("POST", "/tickets/" + t.id + "/" + action); });
    };
  });
  $("transfer").onclick = function () {
    const t = serving();
    if (t) act(function () { return api("POST", "/tickets/" + t.id + "/transfer", { service: $("transfer-to").value }); });
  };
  $("checkin-form").onsubmit = function (e) {
    e.preventDefault();
    const reference = new FormData(e.target).get("reference");
    act(function () { return api("POST", "/sites/" + site() + "/checkins", { reference: reference }); })
      .then(function (r) { if (r) e.target.reset(); });
  };
  $("walkin-form").onsubmit = function (e) {
    e.preventDefault();
    const form = new FormData(e.target);
    const body = { services: form.getAll("services"), priority: form.get("priority") === "on" };
    if (form.get("name")) body.name = form.get("name");
    if (form.get("phone")) body.phone = form.get("phone");
    act(function () { return api("POST", "/sites/" + site() + "/tickets", body); })
      .then(function (r) { if (r) e.target.reset(); });
  };
  start();
})();
