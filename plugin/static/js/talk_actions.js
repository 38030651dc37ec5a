// Moving and cancelling a talk from its pages (the lead, while the talk is planned): the two
// buttons, a small inline form for the new time and an in-page confirmation for cancelling.
// Shared by the preparation page and the overview. The server keeps the rules; this module
// shows its answers where they belong and never loses what was typed.

import { api, ApiError, OfflineError, withCurrentVersion } from "./api.js";
import { amsterdamIso, amsterdamParts } from "./time.js";
import { announce, clearErrors, h, showError, t } from "./ui.js";

/** The lengths the plan page offers; a talk of another length keeps its own as a choice. */
const DURATIONS = [30, 45, 60, 90];
/** Refusals that mean the talk cannot be moved or cancelled any more (held, signed, cancelled). */
const GONE = new Set(["not_planned", "cancelled", "locked"]);

/** Whether the viewer may move and cancel this talk: its lead, while it is planned. */
export function canChange(talk) {
  return talk.my_role === "lead" && talk.status === "planned" && !talk.read_only;
}

/** "woensdag 3 maart 2027" and "10:00": the talk's time in the Netherlands, written out. */
export function spelledOut(iso) {
  const lang = document.documentElement.lang;
  const zone = { timeZone: "Europe/Amsterdam" };
  return {
    date: new Intl.DateTimeFormat(lang, { ...zone, weekday: "long", day: "numeric", month: "long", year: "numeric" }).format(new Date(iso)),
    time: new Intl.DateTimeFormat(lang, { ...zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(new Date(iso)),
  };
}

function minutesOf(talk) {
  return Math.round((new Date(talk.ends_at) - new Date(talk.starts_at)) / 60000);
}

/**
 * The lead's Move and Cancel for one talk, as an element to place on the page.
 *
 * - `onMoved(talk)`: the talk as the server answered after the move.
 * - `onCancelled(talk)`: the talk, now cancelled; the page shows it as such.
 * - `describedBy`: the id of the talk's title, so "Move" says which talk (the overview).
 * - `notice`: a message to show at once (the overview redraws after a move).
 */
export function talkActions(talk, { onMoved, onCancelled, describedBy = null, notice = null } = {}) {
  const url = `/api/talks/${encodeURIComponent(talk.id)}`;
  const key = `talk-${talk.id.replace(/[^\w-]/g, "-")}`;
  // The version this page last saw; a change based on it survives a background change.
  let version = talk.version;

  const status = h("p", { class: "status-bar talk-actions-status", id: `${key}-status`, role: "status", hidden: true });
  const moveButton = h("button", { type: "button", class: "secondary", id: `${key}-move`, "aria-describedby": describedBy, onclick: openMove }, t("move"));
  const cancelButton = h("button", { type: "button", class: "danger", id: `${key}-cancel`, "aria-describedby": describedBy, onclick: openConfirm }, t("cancel_talk"));
  const buttons = h("div", { class: "actions talk-actions-buttons" }, moveButton, cancelButton);
  const box = h("div", { class: "talk-actions no-print", "data-talk-id": talk.id }, buttons, status);
  let open = null; // the form or the confirmation shown now
  if (notice) say(notice, "ok");

  function say(text, kind = "") {
    status.className = `status-bar talk-actions-status ${kind}`.trim();
    status.textContent = text;
    status.hidden = !text;
  }

  function close(focus = true) {
    open?.remove();
    open = null;
    buttons.hidden = buttons.childElementCount === 0;
    if (focus) (moveButton.isConnected ? moveButton : cancelButton).focus();
  }

  /** The server says this talk cannot change any more: no more buttons, only its reason. */
  function gone(error) {
    close(false);
    buttons.remove();
    say(error.message, "offline");
    status.tabIndex = -1;
    status.focus();
  }

  function escapeCloses(event) {
    if (event.key === "Escape") { event.preventDefault(); event.stopPropagation(); close(); }
  }

  // -- moving -----------------------------------------------------------------------------------

  function openMove() {
    say("");
    const { date, time } = amsterdamParts(talk.starts_at);
    const minutes = minutesOf(talk);
    const lengths = DURATIONS.includes(minutes) ? DURATIONS : [...DURATIONS, minutes].sort((a, b) => a - b);
    const form = h("form", { class: "talk-move", id: `${key}-form`, novalidate: true, onkeydown: escapeCloses, onsubmit: saveMove },
      h("fieldset", {},
        h("legend", {}, t("move_legend")),
        h("p", { class: "form-error", role: "alert", hidden: true }),
        h("div", { class: "row" },
          h("div", { class: "field" },
            h("label", { for: `${key}-date` }, t("date")),
            h("input", { type: "date", id: `${key}-date`, name: "starts_at", value: date, required: true })),
          h("div", { class: "field" },
            h("label", { for: `${key}-time` }, t("time")),
            h("input", { type: "time", id: `${key}-time`, name: "time", value: time, step: 300, required: true, "aria-describedby": `${key}-zone` })),
          h("div", { class: "field" },
            h("label", { for: `${key}-duration` }, t("duration")),
            h("select", { id: `${key}-duration`, name: "duration_minutes" },
              lengths.map((m) => h("option", { value: m, selected: m === minutes }, t("minutes", { minutes: m })))))),
        h("p", { class: "hint", id: `${key}-zone` }, t("time_zone")),
        h("div", { class: "actions" },
          h("button", { type: "submit" }, t("move_save")),
          h("button", { type: "button", class: "secondary", onclick: () => close() }, t("close"))),
      ));
    show(form);
    form.elements.starts_at.focus();
  }

  function show(element) {
    open?.remove();
    open = element;
    buttons.hidden = true;
    box.insertBefore(element, status);
  }

  async function saveMove(event) {
    event.preventDefault();
    const form = event.currentTarget;
    clearErrors(form);
    const date = form.elements.starts_at.value;
    const time = form.elements.time.value;
    if (!date) return showError(form, { field: "starts_at", message: t("date_required"), details: [] });
    if (!time) return showError(form, { field: "time", message: t("time_required"), details: [] });
    const body = { starts_at: amsterdamIso(date, time), duration_minutes: Number(form.elements.duration_minutes.value) };
    const submit = form.querySelector('button[type="submit"]');
    submit.disabled = true;
    announce(t("moving"));
    let moved;
    try {
      moved = await withCurrentVersion(version, (v) => api("PATCH", url, { ...body, version: v }));
    } catch (error) {
      submit.disabled = false;
      if (error instanceof OfflineError) return showError(form, { message: t("move_offline"), details: [] });
      if (error instanceof ApiError && error.code === "move_in_outlook") {
        // Its time is the Outlook appointment's: this page cannot move it, ever.
        close(false);
        moveButton.remove();
        say(error.message, "offline");
        status.tabIndex = -1;
        status.focus();
        return;
      }
      if (error instanceof ApiError && GONE.has(error.code)) return gone(error);
      // Everything typed stays; the message sits at the field it names, or on top.
      return showError(form, error);
    }
    version = moved.version;
    Object.assign(talk, moved);
    close();
    const when = spelledOut(moved.starts_at);
    say(t("moved", when), "ok");
    announce(t("moved", when));
    onMoved?.(moved);
  }

  // -- cancelling -------------------------------------------------------------------------------

  function openConfirm() {
    say("");
    const question = h("p", { id: `${key}-question` }, t("cancel_confirm", { name: talk.learner?.name || "" }));
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    const yes = h("button", { type: "button", class: "danger", onclick: confirmCancel }, t("cancel_yes"));
    const no = h("button", { type: "button", class: "secondary", "aria-describedby": `${key}-question`, onclick: () => close() }, t("cancel_no"));
    const confirm = h("div", { class: "talk-confirm", role: "group", "aria-labelledby": `${key}-question`, onkeydown: escapeCloses },
      question, error, h("div", { class: "actions" }, yes, no));
    show(confirm);
    // The safe answer has the focus; the question is read with it.
    no.focus();

    async function confirmCancel() {
      error.hidden = true;
      yes.disabled = true;
      announce(t("cancelling"));
      let cancelled;
      try {
        cancelled = await withCurrentVersion(version, (v) => api("POST", `${url}/cancel`, { version: v }));
      } catch (err) {
        yes.disabled = false;
        if (err instanceof ApiError && GONE.has(err.code)) return gone(err);
        error.textContent = err instanceof OfflineError ? t("move_offline") : err.message;
        error.hidden = false;
        yes.focus();
        return;
      }
      version = cancelled.version;
      Object.assign(talk, cancelled);
      close(false);
      buttons.remove();
      const text = t("cancelled_done", spelledOut(cancelled.starts_at));
      say(text, "ok");
      announce(text);
      onCancelled?.(cancelled);
    }
  }

  return box;
}
