// The proof of work of a form, without the visitor doing anything: the ALTCHA widget
// in the form (display "invisible", auto "off") is started here as soon as the page is
// open, solves in Web Workers (/static/altcha-sha.js), and puts the solution into the
// form's hidden "altcha" field. An expired one is solved again; a form sent before it
// is ready waits for it. Loaded as a module after /static/altcha.min.js; everything
// comes from this server, nothing from elsewhere, no cookie.
"use strict";

const altcha = globalThis.$altcha;
if (altcha) {
  altcha.algorithms.set("SHA-256", () => new Worker("/static/altcha-sha.js"));
}

const solvers = new Map(); // form -> solver

function solver(widget) {
  const form = widget.closest("form");
  let pending = null;

  const current = () => {
    const input = form.querySelector("input[name=altcha]");
    return input ? input.value : "";
  };
  const attempt = () => Promise.resolve(widget.verify()).catch(() => null);
  const solve = () => {
    if (!pending) {
      // One more try when the first ends without a solution: on a busy server the
      // challenge's fetch can fail once, and the visitor should not see an error for it.
      pending = attempt()
        .then(() => current() || (widget.reset(), attempt()))
        .then(() => {
          pending = null;
          return current();
        });
    }
    return pending;
  };
  const ready = () => (current() ? Promise.resolve(current()) : solve());
  const renew = () => {
    widget.reset();
    solve();
  };

  widget.addEventListener("expired", renew);
  addEventListener("pageshow", (event) => {
    if (event.persisted) renew(); // back from the cache: the old one may be spent
  });
  // A plain form (the booking page) waits for the solution; a script-driven one (the
  // manage page) takes it itself with take().
  form.addEventListener("submit", (event) => {
    if (current() || form.dataset.challenge === "manual") return;
    event.preventDefault();
    const button = event.submitter;
    if (button) button.setAttribute("aria-busy", "true");
    ready().then((payload) => {
      if (button) button.removeAttribute("aria-busy");
      // Without a solution the server answers why; the form is not left stuck.
      if (payload) form.requestSubmit(button || undefined);
      else form.submit();
    });
  });
  solve();
  return {
    // The solution for one request, and a fresh one started for the next.
    take: () =>
      ready().then((payload) => {
        renew();
        return payload;
      }),
  };
}

function start(widget) {
  const form = widget.closest("form");
  if (form && !solvers.has(form)) solvers.set(form, solver(widget));
}

document.querySelectorAll("altcha-widget").forEach((widget) => {
  if (!altcha) return; // the widget did not load: the server says what is missing
  if (widget.verify) start(widget);
  else widget.addEventListener("load", () => start(widget), { once: true });
});

// For scripts that send a form themselves (manage.js): "" when the form has no challenge.
globalThis.wcrChallenge = {
  take(form) {
    const found = solvers.get(form);
    return found ? found.take() : Promise.resolve("");
  },
};
