// The call display: the last calls large (each number once), the waits per queue and
// the counters' state; chimes and speaks once a person has turned the sound on, and
// reconnects by itself. Its clock runs in the site's time zone, not the screen's.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("page").textContent);
  const site = data.site;
  const words = data.words; // the page's language first, then the others
  let board = data.board;
  const SHOW = 4; // calls shown large at once
  const ROTATE_MS = 4000;
  const GONE = ["no_show", "left", "parked", "cancelled"]; // off the board at once
  const CALLS = ["called", "recalled"];
  const recent = document.getElementById("recent");
  const noCalls = document.getElementById("no-calls");
  const connection = document.getElementById("connection");
  const soundButton = document.getElementById("sound");
  const known = new Map(); // ticket id → {id, number, counter, at (ms), shown}
  let turn = 0;
  let ready = false;
  let audio = null;
  let soundOn = false;
  let refreshing = null;
  let stale = false;

  function format(template, values) {
    return template.replace(/\{(\w+)\}/g, function (all, key) {
      return key in values ? values[key] : all;
    });
  }

  function say(element, word) {
    element.textContent = word.text;
    element.lang = word.code;
    element.dir = word.dir;
  }

  // The language of every rotating text: the page's first, then the five others.
  function heading() { return words[turn % words.length]; }

  function counterOf(name) {
    return (board.counters || []).find(function (c) { return c.name === name; }) || null;
  }

  function counterLabel(name, code) {
    const counter = counterOf(name);
    return (counter && counter.labels && counter.labels[code]) || name || "";
  }

  // --- the calls -------------------------------------------------------------------

  function remember(id, change, at) {
    const before = known.get(id);
    if (before && before.at > at) return false; // an older event, replayed on connect
    known.set(id, Object.assign({ id: id, at: at }, before || {}, change, { at: at }));
    return true;
  }

  function shown() {
    return Array.from(known.values())
      .filter(function (c) { return c.shown; })
      .sort(function (a, b) { return b.at - a.at; })
      .slice(0, SHOW);
  }

  function renderCalls(fresh) {
    const calls = shown();
    recent.textContent = "";
    calls.forEach(function (call, index) {
      const item = document.createElement("li");
      item.className = "call" + (index === 0 ? " latest" : "") + (fresh === call.id ? " fresh" : "");
      item.dataset.number = call.number;
      item.dataset.ticket = String(call.id);
      const number = document.createElement("span");
      number.className = "number";
      number.dir = "ltr";
      number.textContent = call.number;
      const arrow = document.createElement("span");
      arrow.className = "arrow";
      arrow.setAttribute("aria-hidden", "true");
      arrow.textContent = "→";
      const counter = document.createElement("span");
      counter.className = "counter";
      counter.textContent = call.counter || "";
      const direction = document.createElement("span");
      direction.className = "direction";
      direction.setAttribute("aria-hidden", "true"); // rotates: not for screen readers
      if (index === 0) {
        number.id = "current-number";
        counter.id = "current-counter";
      }
      item.append(number, arrow, counter, direction);
      recent.append(item);
    });
    noCalls.hidden = calls.length > 0;
    rotateCalls();
  }

  function rotateCalls() {
    const word = heading();
    recent.querySelectorAll(".call").forEach(function (item) {
      const call = known.get(Number(item.dataset.ticket));
      const label = counterLabel(call.counter, word.code);
      say(item.querySelector(".direction"), {
        text: format(word.go_to, { counter: label }),
        code: word.code,
        dir: word.dir,
      });
    });
  }

  function announce(call) {
    const live = document.getElementById("announce");
    live.textContent = call.number + " → " + (call.counter || "");
    const item = recent.querySelector(".call.fresh");
    if (item) {
      setTimeout(function () { item.classList.remove("fresh"); }, 6000);
    }
    if (!soundOn) return;
    chime();
    speak(call);
  }

  function onTicket(event) {
    const ticket = event.ticket || {};
    const at = Date.parse(event.at) || Date.now();
    if (CALLS.indexOf(event.type) >= 0) {
      const before = known.get(ticket.id);
      const changed = remember(ticket.id, { number: ticket.number, counter: ticket.counter, shown: true }, at);
      // A reread of the page may have learnt of this call a moment before its event
      // (with the call's own time, which can be a little later): still its first word.
      const unannounced = Boolean(before && before.fromPage && !before.announced);
      if (!changed && !unannounced) return;
      // History is replayed right after "ready": only later calls chime.
      const fresh = ready && Date.now() - at < 60000;
      renderCalls(fresh ? ticket.id : null);
      if (fresh) {
        const call = known.get(ticket.id);
        call.announced = true;
        announce(call);
      }
    } else if (GONE.indexOf(event.type) >= 0 || GONE.indexOf(ticket.status) >= 0) {
      if (remember(ticket.id, { number: ticket.number, shown: false }, at)) renderCalls(null);
    } else if (event.type === "counter") {
      onCounter(event.counter || event);
      return;
    }
    scheduleRefresh();
  }

  // --- sound and speech ---------------------------------------------------------------

  function chime() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [660, 880].forEach(function (hz, i) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        const start = audio.currentTime + i * 0.25;
        osc.frequency.value = hz;
        gain.gain.setValueAtTime(0.25, start);
        gain.gain.exponentialRampToValueAtTime(0.001, start + 0.4);
        osc.connect(gain).connect(audio.destination);
        osc.start(start);
        osc.stop(start + 0.45);
      });
    } catch (e) { /* no sound on this screen: the board still shows the call */ }
  }

  function spoken(number) {
    // "A001" is said "A 1": a letter and a number every voice reads the same way.
    const match = /^([A-Za-z]+)0*(\d+)$/.exec(number || "");
    return match ? match[1] + " " + match[2] : number;
  }

  function speak(call) {
    if (!("speechSynthesis" in window) || typeof SpeechSynthesisUtterance === "undefined") return;
    const voices = window.speechSynthesis.getVoices();
    [["de", "de-DE"], ["en", "en-GB"]].forEach(function (pair) {
      const template = board.speech && board.speech[pair[0]];
      if (!template) return;
      const text = format(template, {
        number: spoken(call.number),
        counter: counterLabel(call.counter, pair[0]),
      });
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = pair[1];
      const voice = voices.find(function (v) { return v.lang && v.lang.indexOf(pair[0]) === 0; });
      if (voice) utterance.voice = voice;
      window.speechSynthesis.speak(utterance);
    });
  }

  function turnSoundOn() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      if (audio.resume) audio.resume();
    } catch (e) { audio = null; }
    soundOn = true;
    soundButton.hidden = true;
    try { localStorage.setItem("wcr.display.sound", "on"); } catch (e) { /* private mode */ }
    chime();
  }

  function soundOnLoad() {
    let wanted = false;
    try { wanted = localStorage.getItem("wcr.display.sound") === "on"; } catch (e) { /* none */ }
    if (!wanted) return;
    // A kiosk browser that lets pages play sound (autoplay allowed) needs no touch again.
    try {
      audio = new (window.AudioContext || window.webkitAudioContext)();
      if (audio.state === "running") {
        soundOn = true;
        soundButton.hidden = true;
      }
    } catch (e) { audio = null; }
  }

  // --- the queues and counters --------------------------------------------------------

  function renderQueues() {
    const list = document.getElementById("queues");
    list.textContent = "";
    (board.queues || []).forEach(function (queue) {
      const item = document.createElement("li");
      item.className = "queue";
      item.dataset.service = queue.service;
      const name = document.createElement("span");
      name.className = "queue-name";
      const count = document.createElement("span");
      count.className = "queue-count";
      const number = document.createElement("strong");
      number.className = "waiting";
      number.textContent = String(queue.waiting);
      const label = document.createElement("span");
      label.className = "waiting-label";
      count.append(number, " ", label);
      const wait = document.createElement("span");
      wait.className = "wait";
      item.append(name, count, wait);
      list.append(item);
    });
    rotateQueues();
  }

  // Queue names, the "waiting" label and the wait turn through the six languages.
  function rotateQueues() {
    const word = heading();
    document.querySelectorAll("#queues .queue").forEach(function (item) {
      const queue = (board.queues || []).find(function (q) { return q.service === item.dataset.service; });
      if (!queue) return;
      const lang = { code: word.code, dir: word.dir };
      say(item.querySelector(".queue-name"),
        Object.assign({ text: (queue.names && queue.names[word.code]) || queue.service }, lang));
      say(item.querySelector(".waiting-label"), Object.assign({ text: word.waiting }, lang));
      const minutes = queue.wait_minutes;
      say(item.querySelector(".wait"), Object.assign({
        text: minutes === null || minutes === undefined
          ? (queue.waiting ? "" : word.no_wait)
          : format(word.minutes, { minutes: minutes }),
      }, lang));
    });
    fit();
  }

  // However many queues and however long their names: shrink the list until it fits.
  function fit() {
    const list = document.getElementById("queues");
    let scale = 1;
    list.style.setProperty("--fit", "1");
    while (list.scrollHeight > list.clientHeight + 1 && scale > 0.55) {
      scale -= 0.05;
      list.style.setProperty("--fit", scale.toFixed(2));
    }
  }

  // Only counters that are not open are listed: "Schalter 5 · Pause".
  function renderCounters() {
    const list = document.getElementById("counters");
    const here = heading();
    list.textContent = "";
    (board.counters || []).forEach(function (counter) {
      const state = counter.state || "open";
      if (state === "open") return;
      const item = document.createElement("li");
      item.className = "counter-state " + state;
      item.dataset.counter = String(counter.id);
      const name = document.createElement("span");
      name.className = "counter-name";
      name.textContent = counter.name;
      const what = document.createElement("span");
      what.className = "counter-what";
      say(what, { text: (state === "paused" ? "‖ " : "✕ ") + (here[state] || state), code: here.code, dir: here.dir });
      item.append(name, what);
      list.append(item);
    });
  }

  function onCounter(counter) {
    if (!counter || (counter.id === undefined && !counter.name)) return;
    const list = board.counters || (board.counters = []);
    const found = list.find(function (c) { return c.id === counter.id || c.name === counter.name; });
    if (found) Object.assign(found, counter);
    else list.push(Object.assign({ labels: {} }, counter));
    renderCounters();
  }

  function rotate() {
    turn += 1;
    const word = heading();
    document.querySelectorAll(".rotating[data-word]").forEach(function (element) {
      say(element, { text: word[element.dataset.word], code: word.code, dir: word.dir });
    });
    rotateCalls();
    rotateQueues();
    renderCounters();
  }

  // The waiting counts are part of the page: re-read the page's own data block.
  function scheduleRefresh() {
    // A change during a read may be missing from it: read once more afterwards.
    if (refreshing) { stale = true; return; }
    refreshing = setTimeout(refresh, 800);
  }

  async function refresh() {
    try {
      const response = await fetch(location.pathname + location.search, { headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const html = new DOMParser().parseFromString(await response.text(), "text/html");
      const next = JSON.parse(html.getElementById("page").textContent).board;
      next.calls.forEach(function (call) {
        if (!known.has(call.id)) {
          remember(call.id, { number: call.number, counter: call.counter, shown: true, fromPage: true }, Date.parse(call.at) || 0);
        }
      });
      board = next;
      renderQueues();
      renderCalls(null);
      renderCounters();
    } catch (e) { /* keep what is shown; the next event tries again */ }
    finally {
      refreshing = null;
      if (stale) { stale = false; scheduleRefresh(); }
    }
  }

  // --- the stream ---------------------------------------------------------------------

  function connect() {
    const source = new EventSource("/api/v1/sites/" + encodeURIComponent(site) + "/events");
    source.addEventListener("ready", function () {
      connection.textContent = "";
      connection.classList.remove("lost");
      setTimeout(function () { ready = true; }, 300);
      scheduleRefresh(); // what changed while the stream was away
    });
    source.addEventListener("ticket", function (message) {
      onTicket(JSON.parse(message.data));
    });
    source.addEventListener("counter", function (message) {
      const event = JSON.parse(message.data);
      onCounter(event.counter || event);
      scheduleRefresh(); // the page's data, so a read under way cannot bring back the old state
    });
    source.onerror = function () {
      ready = false;
      connection.textContent = document.getElementById("lost-text").textContent;
      connection.classList.add("lost");
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, 3000);
      }
    };
  }

  // --- the clock, in the site's zone ------------------------------------------------

  const locale = data.lang + "-u-nu-latn"; // the same digits as the ticket numbers
  const clockFormat = new Intl.DateTimeFormat(locale, {
    timeZone: board.timezone, hour: "2-digit", minute: "2-digit", hourCycle: "h23",
  });
  function tick() {
    const clock = document.getElementById("clock");
    const moment = new Date();
    clock.textContent = clockFormat.format(moment);
    clock.dateTime = moment.toISOString();
  }

  (board.calls || []).forEach(function (call) {
    remember(call.id, { number: call.number, counter: call.counter, shown: true }, Date.parse(call.at) || 0);
  });
  soundButton.addEventListener("click", turnSoundOn);
  window.addEventListener("resize", fit);
  soundOnLoad();
  renderCalls(null);
  renderQueues();
  renderCounters();
  tick();
  setInterval(tick, 5000);
  setInterval(rotate, ROTATE_MS);
  setInterval(scheduleRefresh, 60000);
  connect();
})();
