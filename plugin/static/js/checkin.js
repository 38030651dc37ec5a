// A check-in's own part of the panel (panel.js mounts it for a check-in talk instead of the
// agreements list and the sign-off): the one agreement as it stands, and what the check-in
// agrees about it. One of the two writes a new date or new wording (PUT /api/check-ins/<id>/
// outcome), the other confirms it (POST …/outcome/confirm); only then does the agreement change.
// A check-in is never signed.

import { api, ApiError, OfflineError } from "./api.js";
import {
  announce, clearErrors, countCharacters, firstName, formatDate, h, showError, showFieldError, t, withinLimits,
} from "./ui.js";

/** The calendar day (YYYY-MM-DD) of a date or a moment, in the Netherlands. */
export function dayOf(iso) {
  if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) return iso;
  return new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit",
  }).format(new Date(iso));
}

/**
 * Mount the check-in part. `boot.check_in` is the check-in as the page was rendered; `boot.now`
 * the server's clock then (the outcome can be written once the check-in has started, on the
 * server's clock). Returns `{form, render(talk)}`: the outcome form (the agenda's "Make it an
 * agreement" fills its wording) and the drawing, called with the talk on every change.
 */
export function mountCheckIn({ boot }) {
  let checkIn = boot.check_in;
  let talk = boot.talk;
  let seen = talk.version;
  let dirty = false; // the form was typed in: a redraw keeps what is typed
  const url = `/api/check-ins/${encodeURIComponent(checkIn.id)}`;
  const skew = Date.parse(boot.now || new Date().toISOString()) - Date.now();
  const serverNow = () => Date.now() + skew;

  const card = document.getElementById("check-in-agreement");
  const outcome = document.getElementById("check-in-outcome");
  const form = document.getElementById("outcome-form");
  const what = form.elements.what;
  const due = form.elements.due;
  const submit = document.getElementById("outcome-submit");

  const me = boot.me.id;
  const otherName = () => firstName(talk.my_role === "lead" ? talk.learner.name : talk.lead.name);
  const nameOf = (id) => firstName(id === talk.lead.id ? talk.lead.name : talk.learner.name);
  const started = () => talk.status === "held" || (talk.status === "planned" && Date.parse(talk.starts_at) <= serverNow());
  const mayWrite = () => !talk.read_only && talk.status !== "cancelled" && checkIn.agreement.status === "open";

  // The form is the agreement as it would read: its wording and date, to change either. Its
  // owner goes along (hidden) so that "Is it concrete?" judges the whole agreement.
  // Typed, or filled by the agenda's "Make it an agreement": a redraw keeps it.
  let filling = false;
  for (const field of [what, due]) field.addEventListener("input", () => { if (!filling) dirty = true; });
  countCharacters(form);

  async function refresh() {
    try {
      checkIn = await api("GET", url);
    } catch (error) {
      if (!(error instanceof OfflineError)) console.error(error);
    }
    draw();
  }

  function proposal(o) {
    const lines = [];
    if (o.what) lines.push(h("p", {}, h("strong", {}, t("checkin.new.what.label")), " ", o.what));
    if (o.due) lines.push(h("p", {}, h("strong", {}, t("checkin.new.due.label")), " ", formatDate(o.due)));
    return lines;
  }

  function outcomeView() {
    const o = checkIn.outcome;
    if (talk.status === "cancelled") return h("p", { class: "status-bar" }, t("checkin.cancelled"));
    if (!started()) {
      return h("p", { class: "muted", id: "check-in-not-started" }, t("checkin.not.started"));
    }
    if (checkIn.agreement.status !== "open") {
      return h("p", { class: "muted" }, t(`checkin.closed.${checkIn.agreement.status}`));
    }
    if (!o) return null;
    if (o.confirmed_at) {
      return h("div", { class: "card", id: "check-in-confirmed" },
        h("p", {}, h("strong", {}, t("checkin.confirmed", { date: formatDate(dayOf(o.confirmed_at)) }))),
        ...proposal(o));
    }
    const mine = o.by === me;
    const box = h("div", { class: "card", id: "check-in-proposal" },
      h("p", {}, h("strong", {}, mine
        ? t("checkin.proposed.mine", { name: otherName() })
        : t("checkin.proposed.theirs", { name: nameOf(o.by) }))),
      ...proposal(o));
    if (!mine && mayWrite()) {
      box.append(h("div", { class: "actions" },
        h("button", { type: "button", id: "check-in-confirm", onclick: confirm }, t("checkin.confirm"))));
    }
    return box;
  }

  function draw() {
    const a = checkIn.agreement;
    card.replaceChildren(
      h("p", { class: "meta" }, t("checkin.agreement.now")),
      h("p", { class: "agreement-what", id: "check-in-what" }, a.what),
      h("p", { class: "meta", id: "check-in-due" }, t(`owner.${a.owner}`), a.due ? ` · ${t("due", { date: formatDate(a.due) })}` : ""),
    );
    const view = outcomeView();
    outcome.replaceChildren(...(view ? [view] : []));
    form.hidden = !(mayWrite() && started());
    submit.textContent = t("checkin.propose", { name: otherName() });
    form.elements.owner.value = a.owner;
    if (!dirty && (what.value !== a.what || due.value !== (a.due || ""))) {
      what.value = a.what;
      due.value = a.due || "";
      filling = true;
      what.dispatchEvent(new Event("input")); // the counter and the concreteness check follow
      filling = false;
    }
  }

  async function send(method, path, body, done) {
    clearErrors(form);
    try {
      checkIn = await api(method, path, body);
      done();
    } catch (error) {
      if (error instanceof OfflineError) {
        showError(form, { message: t("offline"), details: [] });
      } else if (error instanceof ApiError && error.code === "stale") {
        await refresh();
        announce(t("checkin.stale", { name: otherName() }));
        showError(form, { message: t("checkin.stale", { name: otherName() }), details: [] });
        return;
      } else if (error instanceof ApiError) {
        showError(form, error);
        announce(error.message);
      } else {
        throw error;
      }
    }
    draw();
  }

  function confirm() {
    send("POST", `${url}/outcome/confirm`, { version: checkIn.version }, () => {
      dirty = false;
      announce(t("checkin.confirmed.now"));
    });
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    clearErrors(form);
    if (!withinLimits(form)) return;
    const body = { version: checkIn.version };
    const wording = what.value.trim();
    if (wording && wording !== checkIn.agreement.what) body.what = wording;
    if (due.value && due.value !== checkIn.agreement.due) body.due = due.value;
    if (!body.what && !body.due) {
      showFieldError(due, t("checkin.nothing"), { focus: false });
      what.focus();
      return;
    }
    send("PUT", `${url}/outcome`, body, () => {
      dirty = false;
      announce(t("checkin.sent", { name: otherName() }));
    });
  });

  draw();
  // The check-in's start opens the outcome form without a reload.
  let wasStarted = started();
  setInterval(() => {
    if (started() !== wasStarted) {
      wasStarted = started();
      draw();
    }
  }, 5000);
  return {
    form,
    render(next) {
      talk = next;
      // The other's outcome, or its confirmation, moves the talk's version: read the check-in.
      if (next.version !== seen) {
        seen = next.version;
        refresh();
      } else {
        draw();
      }
    },
  };
}
