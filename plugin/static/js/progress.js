// Progress on an agreement after sign-off, one way for every page that offers it (the signed
// form, the overview): its state, who may change it, the latest step, and the small form that
// records a step with POST /api/agreements/<id>/progress. The page keeps its list and draws it.

import { api, ApiError, OfflineError } from "./api.js";
import { announce, characterCounter, clearErrors, firstName, formatDate, h, showError, t, withinLimits } from "./ui.js";

export const PROGRESS_NOTE_MAX = 1000;

/** agreement id → the message its form shows when drawn again (it changed meanwhile). */
const errors = new Map();

/** Whether someone in `myRole` may change the agreement's state: its owner (both: either),
 * or the lead (domain/rules.py: MARK_DONE, MARK_STUCK, MARK_DROPPED, REOPEN). A note is for either. */
export function mayChangeState(agreement, myRole) {
  return myRole === "lead" || agreement.owner === "both" || agreement.owner === myRole;
}

export function stateOf(agreement) {
  if (agreement.status !== "open") return agreement.status;
  return agreement.stuck ? "stuck" : "open";
}

/** The state's badge ("Loopt vast"); none while it simply runs. */
export function stateBadge(state) {
  if (state === "open") return null;
  return h("span", { class: `badge ${state === "done" ? "ok" : "warn"}` }, t(`progress.state.${state}`));
}

/** The calendar day of a moment in Amsterdam, as YYYY-MM-DD. */
function dayOf(iso) {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit",
  }).formatToParts(new Date(iso));
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

/** The latest step in a line ("Loopt vast · 3 dec 2026: de cursus zit vol"), or null. */
export function latestStep(agreement) {
  const entries = agreement.progress || [];
  if (!entries.length) return null;
  const entry = entries[entries.length - 1];
  return h("p", { class: "meta progress-latest" },
    h("strong", {}, t(`progress.kind.${entry.kind}`)), ` · ${formatDate(dayOf(entry.created_at))}`,
    entry.note ? `: ${entry.note}` : "");
}

/** What can happen next from each state (domain/agreement_progress.py refuses the rest). */
const NEXT = {
  open: ["done", "stuck", "dropped"],
  stuck: ["done", "reopened", "dropped"],
  done: ["reopened"],
  dropped: ["reopened"],
};

/**
 * The form that records a step: an explanation, "Add progress", and the state changes `myRole`
 * may make. `onUpdate(agreement)` gets the agreement as it is now (after my step, or changed by
 * someone else meanwhile) and draws the page again; it may return a promise.
 */
export function progressForm(agreement, { myRole, leadName, onUpdate }) {
  const noteId = `progress-note-${agreement.id}`;
  const hintId = `${noteId}-hint`;
  const area = h("textarea", {
    id: noteId, name: "note", rows: 2, "data-maxlength": PROGRESS_NOTE_MAX, "aria-describedby": hintId,
  });
  const error = errors.get(agreement.id);
  const form = h("form", { class: "progress-form no-print", novalidate: true });
  const send = (kind) => (event) => {
    event.preventDefault();
    record(agreement, kind, form, onUpdate);
  };
  const buttons = [h("button", { type: "submit" }, t("progress.add"))];
  const mayChange = mayChangeState(agreement, myRole);
  if (mayChange) {
    for (const kind of NEXT[stateOf(agreement)]) {
      buttons.push(h("button", { type: "button", class: "secondary", onclick: send(kind) }, t(`progress.${kind}`)));
    }
  }
  form.addEventListener("submit", send("note"));
  // Not form.append(): it would write a left-out part (null) as the text "null".
  form.append(...[
    h("div", { class: "field" },
      h("label", { for: noteId }, t("progress.note")),
      h("p", { class: "hint", id: hintId }, t("progress.note.hint", { max: PROGRESS_NOTE_MAX })),
      area, characterCounter(area)),
    h("p", { class: "form-error", role: "alert", hidden: !error }, error || ""),
    mayChange ? null : h("p", { class: "muted" }, t("progress.others", { name: firstName(leadName) })),
    h("div", { class: "actions" }, buttons),
  ].filter(Boolean));
  return form;
}

async function record(agreement, kind, form, onUpdate) {
  const area = form.elements.note;
  clearErrors(form);
  if (!withinLimits(form)) return;
  errors.delete(agreement.id);
  form.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  let updated;
  try {
    updated = await api("POST", `/api/agreements/${encodeURIComponent(agreement.id)}/progress`,
      { version: agreement.version, kind, note: area.value });
  } catch (error) {
    form.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    if (error instanceof ApiError && error.status === 409 && error.current) {
      // Changed meanwhile (by the other, or in another tab): show it as it is now, keep my text.
      const typed = area.value;
      errors.set(agreement.id, t("progress.changed"));
      await onUpdate(error.current);
      const again = document.getElementById(`progress-note-${agreement.id}`);
      if (again) {
        again.value = typed;
        again.dispatchEvent(new Event("input"));
        again.focus();
      }
      return;
    }
    showError(form, error instanceof OfflineError ? { message: t("offline"), details: [] } : error);
    return;
  }
  await onUpdate(updated);
  announce(t(`progress.saved.${kind}`));
}
