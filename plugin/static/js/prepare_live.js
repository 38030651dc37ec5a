// The preparation page, live: what the other shares (points, goals, own goals) appears without
// reloading, through the same conditional poll as the panel; and each person writes their own
// goal for the talk here (the lead's and the learner's are two fields).

import { api, ApiError, OfflineError } from "./api.js";
import { LivePoller } from "./live.js";
import { announce, characterCounter, h, lengthProblem, t } from "./ui.js";

/** Follow the talk; `onChange(detail)` gets each new state (the panel's answer). */
export function followTalk(talkId, onChange) {
  const poller = new LivePoller(`/api/talks/${encodeURIComponent(talkId)}/live`, { interval: 1000, onChange });
  poller.start();
  return poller;
}

/** The other's shared points, from the talk's agenda. */
export function sharedPointsOf(detail, personId) {
  return (detail.agenda?.items || []).filter((i) => i.kind === "point" && i.by === personId).map((i) => ({ text: i.text }));
}

/** My own goal for the talk, saved on its own (not with the autosaved preparation). */
export function ownGoalSection(talk) {
  const mine = talk.my_role === "lead" ? talk.own_goal : talk.learner_goal;
  const input = h("textarea", { id: "own-goal", name: "text", rows: 2, "data-maxlength": 500 }, mine || "");
  const status = h("p", { class: "meta", role: "status", id: "own-goal-status" });
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h("form", { id: "own-goal-form", novalidate: true },
    h("div", { class: "field" }, h("label", { for: input.id }, t("own_goal_label")),
      h("p", { class: "hint", id: "own-goal-hint" }, t("own_goal_hint")), input, characterCounter(input)),
    error,
    h("div", { class: "actions" }, h("button", { type: "submit" }, t("own_goal_save")), status));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    const problem = lengthProblem(input);
    if (problem) { error.hidden = false; error.textContent = problem; input.focus(); return; }
    try {
      await api("PUT", `/api/talks/${encodeURIComponent(talk.id)}/own-goal`, { text: input.value });
      status.textContent = t("own_goal_saved");
      announce(t("own_goal_saved"));
    } catch (e) {
      error.hidden = false;
      error.textContent = e instanceof OfflineError ? t("offline") : (e instanceof ApiError ? e.message : String(e));
    }
  });
  return h("section", { "aria-labelledby": "own-goal-heading" },
    h("h2", { id: "own-goal-heading" }, t("own_goal_heading")), form);
}
