// The call display: shows calls as they happen, chimes, and reconnects by itself.
(function () {
  "use strict";
  const site = JSON.parse(document.getElementById("page").textContent).site;
  const recent = document.getElementById("recent");
  const number = document.getElementById("current-number");
  const counter = document.getElementById("current-counter");
  const connection = document.getElementById("connection");
  const seen = new Set(); // history is replayed on reconnect: show each call once
  const KEEP = 8;
  let audio = null;

  function chime() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      [660, 880].forEach(function (hz, i) {
        const osc = audio.createOscillator();
        const gain = audio.createGain();
        osc.frequency.value = hz;
        gain.gain.setValueAtTime(0.2, audio.currentTime + i * 0.25);
        gain.gain.exponentialRampToValueAtTime(0.001, audio.currentTime + i * 0.25 + 0.4);
        osc.connect(gain).connect(audio.destination);
        osc.start(audio.currentTime + i * 0.25);
        osc.stop(audio.currentTime + i * 0.25 + 0.45);
      });
    } catch (e) { /* no sound on this screen: the board still shows the call */ }
  }

  function show(ticket, fresh) {
    number.textContent = ticket.number;
    counter.textContent = ticket.counter || "";
    const item = document.createElement("li");
    item.dataset.number = ticket.number;
    item.innerHTML = "<span class=number></span><span class=counter></span>";
    item.querySelector(".number").textContent = ticket.number;
    item.querySelector(".counter").textContent = ticket.counter || "";
    recent.prepend(item);
    while (recent.children.length > KEEP) recent.lastChild.remove();
    if (fresh) {
      document.body.classList.remove("flash");
      void document.body.offsetWidth;
      document.body.classList.add("flash");
      chime();
    }
  }

  function connect() {
    const source = new EventSource("/api/v1/sites/" + encodeURIComponent(site) + "/events");
    let ready = false;
    source.addEventListener("ready", function () {
      connection.textContent = "";
      connection.classList.remove("lost");
      // Replayed history arrives right after "ready"; only later calls chime.
      setTimeout(function () { ready = true; }, 300);
    });
    source.addEventListener("ticket", function (message) {
      const event = JSON.parse(message.data);
      if (event.type !== "called" && event.type !== "recalled") return;
      const key = event.ticket.id + "@" + event.at;
      if (seen.has(key)) return;
      seen.add(key);
      show(event.ticket, ready);
    });
    source.onerror = function () {
      connection.textContent = "Verbindung unterbrochen – neuer Versuch … · Reconnecting …";
      connection.classList.add("lost");
      if (source.readyState === EventSource.CLOSED) {
        setTimeout(connect, 3000);
      }
    };
  }

  function tick() {
    document.getElementById("clock").textContent =
      new Date().toLocaleTimeString("de-DE", { hour: "2-digit", minute: "2-digit" });
  }
  tick();
  setInterval(tick, 10000);
  connect();
})();
