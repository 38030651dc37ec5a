// "Pick a time yourself" for a proposed check-in for which no time free for both was found in
// the 5 working days: the lead chooses a day and a time, and POST /api/check-ins/<id>/accept
// {version, starts_at} books the 15 minutes at that time in both calendars, as it is. For the
// overview's check-in to-do (overview.js places it on the card). Strings:
// templates/pages/_talk_action_strings.html.

import { api, ApiError, OfflineError } from "./api.js";
import { amsterdamIso } from "./time.js";
import { announce, clearErrors, h, showError, showFieldError, t } from "./ui.js";

/** Whether the lead should be offered to pick a time: none free for both was found. */
export function needsPickedTime(offer) {
  return offer.state === "proposed" && !offer.starts_at && offer.problem === "no_free_slot";
}

/**
 * The button and, once pressed, the form. `onBooked(answer)` gets the check-in as accepted
 * (the worker books it next); it may return a promise. `describedBy`: the id of the to-do's
 * title, so that the button says which check-in.
 */
export function pickTime(offer, { onBooked, describedBy = null }) {
  const key = `check-in-${offer.id.replace(/[^\w-]/g, "-")}-pick`;
  const open = h("button", { type: "button", id: `${key}-open`, "aria-describedby": describedBy, onclick: show }, t("check_in_pick"));
  const box = h("div", { class: "check-in-pick" }, open);
  let form = null;

  function close() {
    form?.remove();
    form = null;
    open.hidden = false;
    open.focus();
  }

  function show() {
    open.hidden = true;
    const date = h("input", { type: "date", id: `${key}-date`, name: "starts_at", required: true });
    const time = h("input", { type: "time", id: `${key}-time`, name: "time", step: 900, required: true, "aria-describedby": `${key}-zone` });
    form = h("form", { id: key, novalidate: true, onsubmit: save, onkeydown: (e) => { if (e.key === "Escape") { e.preventDefault(); close(); } } },
      h("fieldset", {},
        h("legend", {}, t("check_in_pick_legend")),
        h("p", { class: "form-error", role: "alert", hidden: true }),
        h("div", { class: "row" },
          h("div", { class: "field" }, h("label", { for: date.id }, t("date")), date),
          h("div", { class: "field" }, h("label", { for: time.id }, t("time")), time)),
        h("p", { class: "hint", id: `${key}-zone` }, t("check_in_pick_hint"), " ", t("time_zone")),
        h("div", { class: "actions" },
          h("button", { type: "submit" }, t("check_in_pick_save")),
          h("button", { type: "button", class: "secondary", onclick: close }, t("close")))));
    box.append(form);
    date.focus();
  }

  async function save(event) {
    event.preventDefault();
    clearErrors(form);
    const date = form.elements.starts_at;
    const time = form.elements.time;
    if (!date.value) { showFieldError(date, t("date_required")); return; }
    if (!time.value) { showFieldError(time, t("time_required")); return; }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    announce(t("check_in_picking"));
    try {
      const answer = await api("POST", `/api/check-ins/${encodeURIComponent(offer.id)}/accept`, {
        version: offer.version, starts_at: amsterdamIso(date.value, time.value),
      });
      await onBooked(answer);
    } catch (error) {
      button.disabled = false;
      if (error instanceof OfflineError) {
        showError(form, { message: t("move_offline"), details: [] });
      } else if (error instanceof ApiError && error.code === "outside_working_hours") {
        // The server's sentence for this code is a general one: say what is wanted here.
        showFieldError(time, t("check_in_pick_outside"));
      } else if (error instanceof ApiError) {
        showError(form, error);
      } else {
        throw error;
      }
    }
  }

  return box;
}
