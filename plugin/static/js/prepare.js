// The preparation tab: goals of the talk, my checklist ticks and discussion points, the other's
// shared points and the open agreements from earlier talks. Built with h() only (text, never HTML).

import { api, ApiError, OfflineError, bootData } from "./api.js";
import { t, h, announce, formatDateTime } from "./ui.js";
import { canChange, talkActions } from "./talk_actions.js";
import { earlierSection } from "./prepare_earlier.js";
import { addPoint, pointsEditor } from "./prepare_points.js";
import { followTalk, ownGoalSection, sharedPointsOf } from "./prepare_live.js";

const boot = bootData();
const talk = boot.talk || {};
const root = document.getElementById("prep-root");
// Not const: the lead may cancel the talk from this page, which locks it.
let locked = root.dataset.locked === "true" || talk.read_only ||
  talk.status === "signed" || talk.status === "cancelled";
const prepUrl = `/api/talks/${encodeURIComponent(boot.talk_id)}/preparation`;
const AUTOSAVE_MS = 1000;

const when = document.getElementById("talk-when");
if (when && talk.starts_at) when.textContent = formatDateTime(talk.starts_at, boot.lang);

// -- moving and cancelling the talk (its lead) ---------------------------------------------

const actionsSlot = document.getElementById("talk-actions");
if (actionsSlot && canChange(talk)) {
  actionsSlot.append(talkActions(talk, {
    onMoved: (moved) => {
      when.setAttribute("datetime", moved.starts_at);
      when.textContent = formatDateTime(moved.starts_at, boot.lang);
    },
    onCancelled: showCancelled,
  }));
}

/** The talk was cancelled here: the page becomes what it is for a cancelled talk, read-only. */
function showCancelled() {
  locked = true;
  clearTimeout(state.timer);
  state.dirty = false;
  state.notice = null;
  actionsSlot.replaceChildren();
  document.getElementById("talk-calendar")?.replaceChildren(); // no meeting to join any more
  const notice = document.getElementById("cancelled-notice");
  notice.hidden = false;
  if (state.prep) render();
  notice.focus();
}

/** Nodes for append()/replaceChildren(), which (unlike h()) would turn null into "null". */
const keep = (...nodes) => nodes.flat().filter((n) => n !== null && n !== undefined && n !== false);

let keySeq = 0;
const newKey = () => `p${++keySeq}`;

const state = {
  prep: null,          // the last server answer
  ticked: new Set(),
  points: [],          // {key, id, text, shared}
  version: 0,
  dirty: false,
  change: 0,           // bumps on every local edit
  saving: false,
  again: false,        // another save is wanted once the current one ends
  editing: null,       // key of the point being edited
  errors: {},          // "points[2].text" -> message; "ticked" / "points" -> message
  leftovers: [],       // unsaved point texts after a stale conflict
  notice: null,        // {kind, text} for the status region
  timer: null,
};

// What the points editor and the earlier agreements need of this page.
const pointsPage = { state, changed, render, focusLater, newKey };
const earlierPage = { talk, lang: boot.lang, talkId: boot.talk_id, locked: () => locked };

// -- loading ----------------------------------------------------------------------------------

async function load() {
  try {
    const prep = await api("GET", prepUrl);
    adopt(prep);
    render();
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && talk.read_only) {
      await renderGoalsOnly();
      return;
    }
    root.replaceChildren(...keep(
      h("p", { class: "form-error", role: "alert" },
        `${t("loading_failed")} ${error instanceof OfflineError ? t("offline") : error.message}`),
      h("button", { type: "button", onclick: () => { root.replaceChildren(); load(); } }, t("retry")),
    ));
  }
}

function adopt(prep) {
  state.prep = prep;
  state.ticked = new Set(prep.mine.ticked);
  state.points = prep.mine.points.map((p) => ({ key: newKey(), id: p.id, text: p.text, shared: p.shared }));
  state.version = prep.mine.version;
  state.dirty = false;
  state.errors = {};
  state.editing = null;
}

async function renderGoalsOnly() {
  // A supervisor the talk is shared with: the goals, but not the participants' private notes.
  let checklist = null;
  try { checklist = await api("GET", `/api/checklist?talk_id=${encodeURIComponent(boot.talk_id)}`); } catch { /* show ids-less goals */ }
  root.replaceChildren(...keep(
    goalsSection({ checklist: checklist || { sections: [] }, goals: talk.goals || [], own_goal: talk.own_goal }),
    h("p", { class: "muted" }, t("not_participant")),
    checklist ? credit(checklist) : null,
  ));
}

// -- rendering --------------------------------------------------------------------------------

function render() {
  const prep = state.prep;
  const focusId = document.activeElement && document.activeElement.id;
  const earlier = prep.earlier_agreements || [];
  root.replaceChildren(...keep(
    goalsSection(prep),
    locked ? null : ownGoal(),
    earlier.length ? earlierSection(earlier, earlierPage) : null,
    locked ? lockedPreparation(prep) : preparationForm(prep),
    otherSection(prep.other),
    credit(prep.checklist),
  ));
  if (focusId) document.getElementById(focusId)?.focus();
}

// The own-goal form is made once: a live change redraws the goals, never what is being typed.
let ownGoalForm = null;
const ownGoal = () => (ownGoalForm ||= ownGoalSection(talk));

function goalsSection({ checklist, goals, own_goal: ownGoal }) {
  const texts = new Map();
  for (const section of checklist.sections || []) for (const item of section.items) texts.set(item.id, item.text);
  const items = (goals || []).filter((id) => id !== "goals.own").map((id) => h("li", {}, texts.get(id) || id));
  if (ownGoal) items.push(h("li", {}, t("own_goal_of", { name: talk.lead?.name || "", text: ownGoal })));
  if (talk.learner_goal) items.push(h("li", {}, t("own_goal_of", { name: talk.learner?.name || "", text: talk.learner_goal })));
  return h("section", { "aria-labelledby": "goals-heading", id: "goals-section" },
    h("h2", { id: "goals-heading" }, t("goals_heading")),
    talk.lead ? h("p", { class: "meta" }, t("goals_intro", { name: talk.lead.name })) : null,
    items.length ? h("ul", { class: "prep-goals" }, items) : h("p", { class: "muted" }, t("goals_none")),
  );
}

function preparationForm(prep) {
  const form = h("form", { id: "prep-form", novalidate: true, onsubmit: (e) => { e.preventDefault(); save(true); } });
  form.append(...keep(
    h("h2", { id: "checklist-heading" }, t("checklist_heading")),
    h("p", { class: "hint" }, t("checklist_intro")),
    state.errors.ticked ? h("p", { class: "field-error", role: "alert" }, state.errors.ticked) : null,
    ...prep.checklist.sections.map((section) => checklistFieldset(section, false)),
    pointsEditor(prep.other.name, pointsPage),
    saveBar(),
  ));
  return form;
}

function checklistFieldset(section, readOnly) {
  return h("fieldset", { class: `prep-section prep-${section.kind}` },
    h("legend", {}, section.title),
    section.intro ? h("p", { class: "hint" }, section.intro) : null,
    h("ul", { class: "prep-items" }, section.items.map((item) => {
      const id = `item-${item.id.replace(/[^\w-]/g, "-")}`;
      const help = item.help ? h("p", { class: "hint", id: `${id}-help` }, item.help) : null;
      if (readOnly) {
        const done = state.ticked.has(item.id);
        return h("li", { class: "prep-item" },
          h("p", { class: "prep-item-text" },
            h("span", { class: `badge ${done ? "ok" : ""}` }, done ? t("ticked") : t("not_ticked")), " ", item.text),
          help);
      }
      return h("li", { class: "prep-item" },
        h("label", { class: "check", for: id },
          h("input", {
            type: "checkbox", id, name: "ticked", value: item.id,
            checked: state.ticked.has(item.id),
            "aria-describedby": help ? `${id}-help` : null,
            onchange: (e) => {
              if (e.target.checked) state.ticked.add(item.id); else state.ticked.delete(item.id);
              changed(true);
            },
          }),
          h("span", {}, item.text)),
        help);
    })),
  );
}

function saveBar() {
  const notice = state.notice || (state.dirty ? { kind: "", text: t("unsaved") } : null);
  return h("div", { class: "prep-savebar" },
    h("div", { class: "actions" },
      h("button", { type: "submit", id: "save-prep", disabled: state.saving }, state.saving ? t("saving") : t("save"))),
    h("p", {
      id: "prep-status", role: "status", "aria-live": "polite",
      class: `status-bar prep-status ${notice ? notice.kind : ""}`,
    }, notice ? notice.text : ""),
  );
}

function setNotice(kind, text) {
  state.notice = text ? { kind, text } : null;
  const region = document.getElementById("prep-status");
  if (region) {
    region.className = `status-bar prep-status ${kind}`;
    region.textContent = text || (state.dirty ? t("unsaved") : "");
  }
  const button = document.getElementById("save-prep");
  if (button) {
    button.disabled = state.saving;
    button.textContent = state.saving ? t("saving") : t("save");
  }
}

function lockedPreparation(prep) {
  return h("section", { "aria-labelledby": "checklist-heading" },
    h("h2", { id: "checklist-heading" }, t("checklist_heading")),
    ...prep.checklist.sections.map((section) => checklistFieldset(section, true)),
    h("h2", { id: "points-heading" }, t("points_heading")),
    state.points.length
      ? h("ol", { class: "prep-points" }, state.points.map((p) => h("li", { class: "card prep-point" },
        h("p", { class: "prep-point-text" }, p.text),
        h("p", { class: "meta" }, p.shared ? t("shared_with", { name: prep.other.name }) : t("private")))))
      : h("p", { class: "muted" }, t("points_none")),
  );
}

function otherSection(other) {
  return h("section", { "aria-labelledby": "other-heading", id: "other-section", "aria-live": "polite" },
    h("h2", { id: "other-heading" }, t("other_heading", { name: other.name })),
    other.points.length
      ? h("ul", { class: "prep-points prep-other" }, other.points.map((p) => h("li", { class: "card" }, p.text)))
      : h("p", { class: "muted" }, t("other_none", { name: other.name })),
  );
}

function credit(checklist) {
  const source = checklist.source;
  if (!source || !source.credit) return null;
  return h("p", { class: "meta prep-credit" }, source.credit, " ",
    source.url ? h("a", { href: source.url, rel: "noopener" }, source.url.replace(/^https?:\/\//, "")) : null);
}

function focusLater(id) {
  requestAnimationFrame(() => document.getElementById(id)?.focus());
}

// -- editing ----------------------------------------------------------------------------------

function changed(autosave) {
  state.dirty = true;
  state.change += 1;
  if (!state.notice || state.notice.kind !== "offline") setNotice("", t("unsaved"));
  if (autosave) {
    clearTimeout(state.timer);
    state.timer = setTimeout(save, AUTOSAVE_MS);
  }
}

// -- saving -----------------------------------------------------------------------------------

async function save(explicit = false) {
  clearTimeout(state.timer);
  if (locked) return;
  if (state.saving) { state.again = true; return; }
  // Text still in the "new point" box counts: the user pressed Save, not "Add point".
  const pending = document.getElementById("new-point");
  if (explicit && pending && pending.value.trim()) addPoint(pointsPage);
  state.saving = true;
  state.again = false;
  const sent = state.points.slice();
  const startedAt = state.change;
  setNotice("", t("saving"));
  try {
    const prep = await api("PUT", prepUrl, {
      ticked: [...state.ticked],
      points: sent.map((p) => (p.id ? { id: p.id, text: p.text, shared: p.shared } : { text: p.text, shared: p.shared })),
      version: state.version,
    });
    state.saving = false;
    if (state.change === startedAt) {
      const editing = state.editing;
      const keys = sent.map((p) => p.key);
      const drafts = sent.map((p) => p.draft);
      adopt(prep);
      // Keep the same keys so focus and any open editor stay where they were, with its text.
      state.points.forEach((p, i) => {
        if (keys[i]) p.key = keys[i];
        if (drafts[i] !== undefined) p.draft = drafts[i];
      });
      state.editing = state.points.some((p) => p.key === editing) ? editing : null;
    } else {
      // Edited while saving: take the new version and the ids of new points, keep the local edits.
      state.prep = prep;
      state.version = prep.mine.version;
      prep.mine.points.forEach((p, i) => { if (sent[i] && !sent[i].id) sent[i].id = p.id; });
      state.again = true;
    }
    // The saved points are fine now; the "new point" box was not part of this save.
    const newPointError = state.errors["new-point"];
    state.errors = newPointError ? { "new-point": newPointError } : {};
    const time = new Intl.DateTimeFormat(boot.lang || document.documentElement.lang,
      { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Amsterdam" }).format(new Date());
    state.notice = state.again ? null : { kind: "ok", text: t("saved_at", { time }) };
    render();
    if (state.again) save();
  } catch (error) {
    state.saving = false;
    handleSaveError(error);
  }
}

function handleSaveError(error) {
  if (error instanceof OfflineError) {
    state.notice = { kind: "offline", text: t("offline") };
    setNotice("offline", t("offline"));
    return;
  }
  if (error instanceof ApiError && error.code === "stale") {
    reloadAfterStale();
    return;
  }
  const details = error.details && error.details.length ? error.details : [{ field: error.field, message: error.message }];
  state.errors = {};
  let firstField = null;
  for (const item of details) {
    const field = normaliseField(item.field);
    if (!field) continue;
    const match = /^points\[(\d+)\]\.(text|id|shared)$/.exec(field);
    if (match && state.points[Number(match[1])]) {
      const key = `points[${match[1]}].text`;
      state.errors[key] = state.errors[key] || item.message;
      firstField = firstField || `point-${state.points[Number(match[1])].key}-text`;
    } else if (field.startsWith("ticked")) {
      state.errors.ticked = item.message;
    } else if (field.startsWith("points")) {
      state.errors.points = item.message;
    }
  }
  const fieldErrors = Object.keys(state.errors).length > 0;
  state.notice = { kind: "", text: fieldErrors ? t("fix_errors") : t("save_failed", { message: error.message }) };
  render();
  if (firstField) focusLater(firstField);
}

/** "points.2.text" and "points[2].text" both become "points[2].text". */
function normaliseField(field) {
  if (!field) return "";
  return String(field).replace(/\.(\d+)(?=\.|$)/g, "[$1]");
}

async function reloadAfterStale() {
  const mine = state.points.map((p) => p.text);
  let prep;
  try {
    prep = await api("GET", prepUrl);
  } catch (error) {
    state.notice = { kind: "", text: t("save_failed", { message: error.message }) };
    setNotice("", state.notice.text);
    return;
  }
  const saved = new Set(prep.mine.points.map((p) => p.text));
  const typed = (state.newText || "").trim();
  const leftovers = mine.filter((text) => !saved.has(text));
  if (typed && !saved.has(typed) && !leftovers.includes(typed)) leftovers.push(typed);
  adopt(prep);
  state.leftovers = [...new Set([...state.leftovers, ...leftovers])];
  state.notice = { kind: "offline", text: t("stale") };
  render();
  focusLater(state.leftovers.length ? "leftovers" : "prep-status");
}

// -- lifecycle --------------------------------------------------------------------------------

window.addEventListener("online", () => {
  if (state.dirty && !locked) save();
});
window.addEventListener("beforeunload", (event) => {
  if (state.dirty && !locked) { event.preventDefault(); event.returnValue = t("leave_warning"); }
});

/** What the other shares, the goals and own goals, as they change: redrawn in place. */
function onLive(detail) {
  Object.assign(talk, {
    goals: detail.goals, own_goal: detail.own_goal, learner_goal: detail.learner_goal, status: detail.status,
  });
  if (!state.prep || talk.read_only) return;
  const otherId = state.prep.other.id;
  const points = sharedPointsOf(detail, otherId);
  const changed = JSON.stringify(points) !== JSON.stringify(state.prep.other.points);
  state.prep.goals = detail.goals;
  state.prep.own_goal = detail.own_goal;
  state.prep.other.points = points;
  document.getElementById("goals-section")?.replaceWith(goalsSection(state.prep));
  document.getElementById("other-section")?.replaceWith(otherSection(state.prep.other));
  if (changed) announce(t("other_changed", { name: state.prep.other.name }));
}

load().then(() => { if (!talk.read_only) followTalk(boot.talk_id, onLive); });
