// A visitor's ticket: number, place in line, estimate, the day's itinerary; live from
// the site's event stream. When the number is called: the title, a vibration, a sound
// (once the visitor has tapped the page) and the counter in large letters.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("page").textContent);
  const id = data.ticket;
  const texts = data.texts;
  const token = decodeURIComponent(location.hash.replace(/^#/, ""));
  const ALMOST = 2; // "almost your turn" with this many or fewer ahead
  const $ = function (name) { return document.getElementById(name); };
  let source = null;
  let site = null;
  let zone = null;
  let last = null; // the view shown before
  let audio = null;
  let soundOn = false;
  let pending = null;
  let alerted = {};
  try { alerted = JSON.parse(sessionStorage.getItem("wcr.ticket." + id) || "{}"); } catch (e) { alerted = {}; }

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  function remember(key, value) {
    alerted[key] = value;
    try { sessionStorage.setItem("wcr.ticket." + id, JSON.stringify(alerted)); } catch (e) { /* none */ }
  }

  // The language links keep the token (it is in the fragment, which links lose).
  document.querySelectorAll("a.switch").forEach(function (link) {
    link.href = link.getAttribute("href").split("#")[0] + location.hash;
  });

  // --- sound -------------------------------------------------------------------------

  function unlock() {
    if (soundOn) return;
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.resume) audio.resume();
      soundOn = true;
      $("sound").hidden = true;
      $("sound-on").hidden = false;
    } catch (e) { audio = null; }
  }

  function tone(pattern) {
    if (!soundOn || !audio) return;
    try {
      pattern.forEach(function (hz, i) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        const start = audio.currentTime + i * 0.22;
        osc.frequency.value = hz;
        gain.gain.setValueAtTime(0.3, start);
        gain.gain.exponentialRampToValueAtTime(0.001, start + 0.35);
        osc.connect(gain).connect(audio.destination);
        osc.start(start);
        osc.stop(start + 0.4);
      });
    } catch (e) { /* no sound: the page still shows it */ }
  }

  function vibrate(pattern) {
    if (navigator.vibrate) {
      try { navigator.vibrate(pattern); } catch (e) { /* not here */ }
    }
  }

  // The first tap anywhere turns the sound on (browsers allow sound only after one);
  // on "click", so that the hint it shows cannot move a button under the finger.
  document.addEventListener("click", unlock, { once: true });
  $("sound").addEventListener("click", function () { unlock(); tone([523, 659]); });

  // --- the view ------------------------------------------------------------------------

  function siteOf(view) {
    const s = view.site;
    if (s && typeof s === "object") return s;
    return { slug: s, name: null, timezone: null };
  }

  function tick() {
    const options = { hour: "2-digit", minute: "2-digit", hourCycle: "h23" };
    if (zone) options.timeZone = zone;
    try {
      $("time").textContent = new Intl.DateTimeFormat(data.lang + "-u-nu-latn", options).format(new Date());
    } catch (e) {
      $("time").textContent = new Date().toTimeString().slice(0, 5);
    }
  }

  function ahead(view) {
    if (typeof view.ahead === "number") return view.ahead;
    return typeof view.position === "number" ? view.position - 1 : null;
  }

  function nextService(view) {
    const steps = Array.isArray(view.steps) ? view.steps : [];
    const now = steps.find(function (s) { return s.state === "now"; });
    return now ? now.name : null;
  }

  function statusText(view) {
    if (view.status === "called") {
      return view.counter ? format(texts.go_to, { counter: view.counter }) : texts.called;
    }
    if (view.status === "waiting") {
      const done = (view.steps || []).some(function (s) { return s.state === "done"; });
      const service = nextService(view);
      return done && service ? format(texts.next_service, { service: service }) : texts.waiting;
    }
    return texts[view.status] || view.status;
  }

  function renderSteps(view) {
    const steps = Array.isArray(view.steps) ? view.steps : [];
    const list = $("itinerary");
    list.textContent = "";
    $("visit").hidden = steps.length < 2; // one service: nothing to plan
    steps.forEach(function (step) {
      const item = document.createElement("li");
      item.className = "step " + step.state;
      if (step.state === "now") item.setAttribute("aria-current", "step");
      const mark = document.createElement("span");
      mark.className = "mark";
      mark.setAttribute("aria-hidden", "true");
      mark.textContent = step.state === "done" ? "✓" : step.state === "now" ? "▶" : "○";
      const name = document.createElement("span");
      name.className = "step-name";
      name.textContent = step.name || step.service;
      const state = document.createElement("span");
      state.className = "step-state";
      state.textContent = texts["state_" + step.state] || step.state;
      item.append(mark, name, state);
      list.append(item);
    });
  }

  function render(view) {
    const s = siteOf(view);
    $("number").textContent = view.number;
    $("queue").textContent = view.queue_name || "";
    $("site").textContent = s.name || s.slug || "–";
    $("brand").textContent = s.name || texts.title;
    zone = s.timezone || zone;
    tick();
    const waiting = view.status === "waiting";
    const before = ahead(view);
    $("ahead").textContent = waiting && before !== null ? String(before) : "–";
    const minutes = view.estimated_wait_minutes;
    $("wait").textContent = !waiting || minutes === null || minutes === undefined
      ? "–"
      : minutes <= 0 ? texts.soon : format(texts.minutes, { minutes: minutes });
    $("ahead-row").hidden = !waiting;
    $("wait-row").hidden = !waiting;
    $("status").textContent = statusText(view);
    document.body.dataset.status = view.status;
    renderSteps(view);
    $("leave").hidden = view.can_leave !== true;

    const called = view.status === "called";
    $("turn").hidden = !called;
    $("turn-counter").textContent = view.counter || "";
    document.title = called
      ? format(texts.called_title, { number: view.number, counter: view.counter || "" })
      : view.number + " · " + texts.title;

    const almost = waiting && before !== null && before <= ALMOST;
    $("almost").hidden = !almost;
    if (almost && !alerted.almost) {
      remember("almost", true);
      vibrate(200);
      tone([587]);
    }
    // Each call (and recall) once: by the time of the call when the view gives it.
    const callKey = called ? String(view.called_at || view.counter || "called") : null;
    if (called && alerted.called !== callKey) {
      remember("called", callKey);
      vibrate([400, 150, 400, 150, 400]);
      tone([660, 880, 660, 880]);
      $("turn").scrollIntoView({ block: "start" });
    }
    last = view;
  }

  async function refresh() {
    pending = null;
    // The token goes in a header, never in the URL (URLs end up in access logs).
    let response;
    try {
      response = await fetch("/api/v1/tickets/" + id + "/public?lang=" + encodeURIComponent(data.lang), {
        headers: { Authorization: "Bearer " + token },
      });
    } catch (e) {
      return last;
    }
    if (!response.ok) {
      $("status").textContent = texts.not_found;
      document.body.dataset.status = "missing";
      return null;
    }
    const view = await response.json();
    // Without a language in the address, the page follows the ticket's own language.
    if (!data.prefixed && view.language && view.language !== data.lang
        && data.languages.indexOf(view.language) >= 0) {
      location.replace("/" + view.language + "/ticket/" + id + location.hash);
      return null;
    }
    render(view);
    return view;
  }

  function soon() {
    if (!pending) pending = setTimeout(refresh, 150);
  }

  function connect() {
    source = new EventSource("/api/v1/sites/" + encodeURIComponent(site) + "/events");
    source.addEventListener("ready", soon); // what changed while the stream was away
    source.addEventListener("ticket", soon);
    source.onerror = function () {
      if (source.readyState === EventSource.CLOSED) {
        $("status").textContent = texts.lost;
        setTimeout(connect, 3000);
      }
    };
  }

  // --- leaving -------------------------------------------------------------------------

  const dialog = $("leave-dialog");
  $("leave").addEventListener("click", function () {
    if (dialog.showModal) dialog.showModal();
  });
  dialog.addEventListener("close", async function () {
    if (dialog.returnValue !== "leave") return;
    const response = await fetch("/api/v1/tickets/" + id + "/leave", {
      method: "POST",
      headers: { Authorization: "Bearer " + token },
    });
    if (!response.ok) {
      $("status").textContent = texts.leave_failed;
      return;
    }
    await refresh();
    $("main").focus();
  });

  if (!token) {
    $("status").textContent = texts.not_found;
    document.body.dataset.status = "missing";
    return;
  }
  refresh().then(function (view) {
    if (!view) return;
    site = siteOf(view).slug;
    connect();
    setInterval(tick, 15000);
    setInterval(soon, 60000); // a safety net should an event be missed
  });
})();
