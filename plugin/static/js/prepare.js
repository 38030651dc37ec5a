// The preparation tab: goals of the talk, my checklist ticks and discussion points, the other's
// shared points and the open agreements from earlier talks. Built with h() only (text, never HTML).

import { api, ApiError, OfflineError, bootData } from "./api.js";
import { t, h, announce, characterCounter, formatDateTime, formatDate, lengthProblem } from "./ui.js";
import { canChange, talkActions } from "./talk_actions.js";
import { mayCloseEarlier } from "./agenda.js";
import { followTalk, ownGoalSection, sharedPointsOf } from "./prepare_live.js";

const boot = bootData();
const talk = boot.talk || {};
const root = document.getElementById("prep-root");
// Not const: the lead may cancel the talk from this page, which locks it.
let locked = root.dataset.locked === "true" || talk.read_only ||
  talk.status === "signed" || talk.status === "cancelled";
const prepUrl = `/api/talks/${encodeURIComponent(boot.talk_id)}/preparation`;
const AUTOSAVE_MS = 1000;
const MAX_POINT = 500; // characters in a discussion point (domain/preparation.py)

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
  try { checklist = await api("GET", "/api/checklist"); } catch { /* show ids-less goals */ }
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
    earlier.length ? earlierSection(earlier) : null,
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
    pointsEditor(prep.other.name),
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

function pointsEditor(otherName) {
  const list = h("ol", { class: "prep-points", id: "my-points" });
  state.points.forEach((point, index) => list.append(pointItem(point, index, otherName)));
  const newError = state.errors["new-point"];
  const input = h("input", {
    type: "text", id: "new-point", name: "new-point", "data-maxlength": MAX_POINT, autocomplete: "off",
    "aria-invalid": newError ? "true" : null, "aria-describedby": newError ? "new-point-error" : null,
    onkeydown: (e) => { if (e.key === "Enter") { e.preventDefault(); addPoint(); } },
  });
  input.value = state.newText || "";
  input.addEventListener("input", () => { state.newText = input.value; });
  const counter = characterCounter(input, { onCross: (over) => { if (!over) delete state.errors["new-point"]; } });
  return h("section", { "aria-labelledby": "points-heading", class: "prep-points-section" },
    h("h2", { id: "points-heading" }, t("points_heading")),
    h("p", { class: "hint" }, t("points_intro", { name: otherName })),
    state.errors.points ? h("p", { class: "field-error", role: "alert" }, state.errors.points) : null,
    state.points.length ? list : h("p", { class: "muted", id: "my-points-empty" }, t("points_none")),
    leftoversBox(),
    h("div", { class: "field prep-new" },
      h("label", { for: "new-point" }, t("new_point")),
      h("div", { class: "prep-inline" },
        input,
        h("button", { type: "button", class: "secondary", id: "add-point", onclick: addPoint }, t("add_point"))),
      counter,
      newError ? h("p", { class: "field-error", id: "new-point-error" }, newError) : null),
  );
}

function pointItem(point, index, otherName) {
  const n = index + 1;
  const name = `points[${index}].text`;
  const error = state.errors[name] || state.errors[`points[${index}].id`];
  const errorId = `point-${point.key}-text-error`;
  const errorNode = error ? h("p", { class: "field-error", id: errorId }, error) : null;
  const share = h("label", { class: "check prep-share", for: `point-${point.key}-shared` },
    h("input", {
      type: "checkbox", id: `point-${point.key}-shared`, name: `points[${index}].shared`, checked: point.shared,
      onchange: (e) => { point.shared = e.target.checked; changed(true); },
    }),
    h("span", {}, t("shared_with", { name: otherName })));

  if (state.editing === point.key || error) {
    const input = h("input", {
      type: "text", id: `point-${point.key}-text`, name, value: point.draft ?? point.text, "data-maxlength": MAX_POINT,
      "aria-invalid": error ? "true" : null, "aria-describedby": error ? errorId : null,
    });
    // What is typed stays when the page renders again (an autosave, a refused "Update point").
    input.addEventListener("input", () => { point.draft = input.value; });
    const counter = characterCounter(input, { onCross: (over) => { if (!over) delete state.errors[name]; } });
    const done = () => {
      const text = input.value.trim();
      const problem = text ? lengthProblem(input) : t("point_empty");
      if (problem) { state.errors[name] = problem; render(); focusLater(input.id); return; }
      delete point.draft;
      point.text = text;
      delete state.errors[name];
      state.editing = null;
      changed(true);
      render();
      focusLater(`point-${point.key}-edit`);
    };
    const cancel = () => {
      delete point.draft;
      state.editing = null;
      delete state.errors[name];
      render();
      focusLater(`point-${point.key}-edit`);
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); done(); }
      if (e.key === "Escape") { e.preventDefault(); cancel(); }
    });
    return h("li", { class: "card prep-point" },
      h("div", { class: "field" },
        h("label", { for: input.id }, t("point_label", { n })),
        input, counter, errorNode),
      share,
      h("div", { class: "actions" },
        h("button", { type: "button", id: `point-${point.key}-done`, onclick: done }, t("done_editing")),
        h("button", { type: "button", class: "secondary", onclick: cancel }, t("cancel")),
        h("button", { type: "button", class: "danger", "aria-label": t("remove_named", { n }), onclick: () => removePoint(point) }, t("remove"))),
    );
  }
  return h("li", { class: "card prep-point" },
    h("p", { class: "prep-point-text" }, point.text),
    share,
    h("div", { class: "actions" },
      h("button", {
        type: "button", class: "secondary", id: `point-${point.key}-edit`, "aria-label": t("edit_named", { n }),
        onclick: () => { state.editing = point.key; render(); focusLater(`point-${point.key}-text`); },
      }, t("edit")),
      h("button", { type: "button", class: "danger", "aria-label": t("remove_named", { n }), onclick: () => removePoint(point) }, t("remove"))),
  );
}

function leftoversBox() {
  if (!state.leftovers.length) return null;
  return h("div", { class: "conflict", id: "leftovers", tabindex: "-1" },
    h("h3", {}, t("unsaved_points")),
    h("ul", { class: "prep-leftovers" }, state.leftovers.map((text, i) => h("li", {},
      h("span", {}, text), " ",
      h("button", {
        type: "button", class: "secondary",
        onclick: () => {
          state.points.push({ key: newKey(), id: null, text, shared: true });
          state.leftovers.splice(i, 1);
          changed(true);
          render();
          focusLater(state.leftovers.length ? "leftovers" : "new-point");
        },
      }, t("add_again"))))),
    h("button", { type: "button", class: "secondary", onclick: () => { state.leftovers = []; render(); focusLater("new-point"); } }, t("dismiss")),
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

function ownerName(owner) {
  if (owner === "lead") return talk.lead?.name || owner;
  if (owner === "learner") return talk.learner?.name || owner;
  return t("owner_both");
}

function earlierSection(items) {
  return h("section", { "aria-labelledby": "earlier-heading" },
    h("h2", { id: "earlier-heading" }, t("earlier_heading")),
    h("p", { class: "hint" }, t("earlier_intro")),
    h("ul", { class: "cards", id: "earlier" }, items.map((a) => earlierCard(a))),
  );
}

function earlierCard(a) {
  const closed = a.status !== "open";
  const badgeClass = a.status === "done" ? "ok" : a.status === "dropped" ? "warn" : "";
  const headingId = `earlier-${a.id}`;
  const buttons = locked || !mayCloseEarlier(talk, a) ? null : h("div", { class: "actions" },
    closed
      ? h("button", { type: "button", class: "secondary", id: `earlier-${a.id}-reopen`, "aria-describedby": headingId,
        onclick: (e) => setEarlier(a, "open", e.currentTarget) }, t("reopen"))
      : [
        h("button", { type: "button", id: `earlier-${a.id}-done`, "aria-describedby": headingId,
          onclick: (e) => setEarlier(a, "done", e.currentTarget) }, t("mark_done")),
        h("button", { type: "button", class: "secondary", id: `earlier-${a.id}-dropped`, "aria-describedby": headingId,
          onclick: (e) => setEarlier(a, "dropped", e.currentTarget) }, t("mark_dropped")),
      ]);
  return h("li", { class: `card prep-earlier${closed ? " closed" : ""}` },
    h("h3", { id: headingId }, h("span", { class: "prep-earlier-what" }, a.what), " ",
      h("span", { class: `badge ${badgeClass}` }, t(`status_${a.status}`))),
    h("dl", { class: "prep-facts meta" },
      h("div", {}, h("dt", {}, t("earlier_who")), h("dd", {}, ownerName(a.owner))),
      h("div", {}, h("dt", {}, t("earlier_due")), h("dd", {}, a.due ? formatDate(a.due, boot.lang) : t("no_due"))),
      h("div", {}, h("dt", {}, t("earlier_from")),
        h("dd", {}, `${a.talk.title} (${formatDate(a.talk.starts_at.slice(0, 10), boot.lang)})`))),
    h("p", { class: "form-error", id: `earlier-${a.id}-error`, role: "alert", hidden: true }),
    buttons,
  );
}

async function setEarlier(agreement, status, button) {
  const slot = document.getElementById(`earlier-${agreement.id}-error`);
  button.disabled = true;
  try {
    const updated = await api("POST",
      `/api/talks/${encodeURIComponent(boot.talk_id)}/earlier-agreements/${encodeURIComponent(agreement.id)}/status`,
      { status, version: agreement.version });
    Object.assign(agreement, updated);
    replaceEarlier(agreement);
    announce(t(status === "done" ? "closed_done" : status === "dropped" ? "closed_dropped" : "reopened"));
  } catch (error) {
    button.disabled = false;
    let message = error instanceof OfflineError ? t("offline") : error.message;
    if (error instanceof ApiError && error.code === "stale" && error.current) {
      Object.assign(agreement, error.current);
      replaceEarlier(agreement);
      message = t("agreement_stale");
    }
    const target = document.getElementById(`earlier-${agreement.id}-error`) || slot;
    if (target) { target.textContent = message; target.hidden = false; }
  }
}

function replaceEarlier(agreement) {
  const heading = document.getElementById(`earlier-${agreement.id}`);
  const old = heading && heading.closest("li");
  if (!old) return;
  const fresh = earlierCard(agreement);
  old.replaceWith(fresh);
  // Keep focus on the card's next action (Reopen after closing, Done after reopening).
  const next = fresh.querySelector("button");
  if (next) next.focus();
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

function addPoint() {
  const input = document.getElementById("new-point");
  const text = (input.value || "").trim();
  const problem = text ? lengthProblem(input) : t("point_empty");
  if (problem) {
    state.errors["new-point"] = problem;
    render();
    focusLater("new-point");
    return;
  }
  delete state.errors["new-point"];
  state.points.push({ key: newKey(), id: null, text, shared: true });
  state.newText = "";
  changed(true);
  render();
  announce(t("point_added"));
  focusLater("new-point");
}

function removePoint(point) {
  state.points = state.points.filter((p) => p !== point);
  state.errors = {};
  if (state.editing === point.key) state.editing = null;
  changed(true);
  render();
  announce(t("point_removed"));
  focusLater("new-point");
}

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
  if (explicit && pending && pending.value.trim()) addPoint();
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
