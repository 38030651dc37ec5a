// "Plan a talk": learner, date and time (Europe/Amsterdam), duration, kind of talk, title, goals;
// or bring in an invite (.ics) from another calendar, which sets the time and who can be the
// learner. Each kind of talk has its own goals: choosing a kind shows that kind's goals.

import { api, OfflineError } from "./api.js";
import { amsterdamIso, amsterdamParts } from "./time.js";
import { announce, clearErrors, countCharacters, formatDateTime, h, showError, t, withinLimits } from "./ui.js";

const form = document.getElementById("plan-form");
const learner = form.elements.learner_id;
const ownGoalField = document.getElementById("own-goal-field");
let ownGoalIds = new Set();
let people = [];
// The kinds of talk (GET /api/talk-types) and the default one.
let talkTypes = [];
let defaultType = "";
const typeField = form.elements.type;
const typeHint = document.getElementById("talk-type-hint");
// The invite brought in (its text), while the form follows it.
let invite = null;

function failLoad(error) {
  const slot = form.querySelector(".form-error");
  slot.textContent = error instanceof OfflineError ? t("offline") : t("load_failed");
  slot.hidden = false;
}

// Whether the organisation's rule limits whom this person may lead (pairs, or Entra's manager).
let restricted = false;

function learnerOptions(list) {
  const options = list.map((p) => h("option", { value: p.id }, p.job_title ? `${p.name} (${p.job_title})` : p.name));
  const empty = restricted ? t("no_people_to_lead") : t("no_people");
  learner.replaceChildren(h("option", { value: "" }, list.length ? t("choose_learner") : empty), ...options);
  // Under the organisation's rule, nobody to lead yet: say what to do (too long for an option).
  document.getElementById("no-learners-hint").hidden = !(restricted && !list.length);
}

async function loadPeople() {
  // Only the colleagues I may lead: all of them, unless the organisation keeps a rule.
  const data = await api("GET", "/api/people?may_lead=1");
  restricted = Boolean(data.restricted);
  people = data.people;
  learnerOptions(people);
  const wanted = new URLSearchParams(location.search).get("learner");
  if (wanted && people.some((p) => p.id === wanted)) learner.value = wanted;
}

// -- an invite from another calendar -----------------------------------------------------------

const timeFields = ["starts_at", "time", "duration_minutes"].map((name) => form.elements[name]);
const inviteSection = document.getElementById("invite-section");
const inviteFile = document.getElementById("invite-file");

async function readInvite(text) {
  clearErrors(form);
  announce(t("invite_reading"));
  let preview;
  try {
    preview = await api("POST", "/api/invites/read", { ics: text });
  } catch (error) {
    inviteFile.value = "";
    showError(form, error instanceof OfflineError ? { message: t("offline"), details: [] } : error);
    return;
  }
  invite = text;
  learnerOptions(preview.candidates);
  if (preview.learner_id) learner.value = preview.learner_id;
  const { date, time } = amsterdamParts(preview.starts_at);
  form.elements.starts_at.value = date;
  form.elements.time.value = time;
  const duration = form.elements.duration_minutes;
  if (![...duration.options].some((o) => Number(o.value) === preview.duration_minutes)) {
    duration.append(h("option", { value: preview.duration_minutes }, t("invite_minutes", { minutes: preview.duration_minutes })));
  }
  duration.value = String(preview.duration_minutes);
  timeFields.forEach((field) => { field.disabled = true; });
  if (!form.elements.title.value.trim()) {
    form.elements.title.value = preview.subject;
    form.elements.title.dispatchEvent(new Event("input")); // its counter: a subject can be long
  }
  document.getElementById("invite-what").textContent = t("invite_read", {
    subject: preview.subject || "-", when: formatDateTime(preview.starts_at),
  });
  const unknown = document.getElementById("invite-unknown");
  unknown.textContent = t("invite_unknown", { addresses: preview.unknown.join(", ") });
  unknown.hidden = preview.unknown.length === 0;
  document.getElementById("invite-summary").hidden = false;
  announce(document.getElementById("invite-what").textContent);
  learner.focus();
}

function clearInvite() {
  invite = null;
  inviteFile.value = "";
  timeFields.forEach((field) => { field.disabled = false; });
  learnerOptions(people);
  document.getElementById("invite-summary").hidden = true;
  announce(t("invite_removed"));
  inviteFile.focus();
}

async function readFile(file) {
  if (file) await readInvite(await file.text());
}

inviteFile.addEventListener("change", () => readFile(inviteFile.files[0]));
document.getElementById("invite-read").addEventListener("click", () => readInvite(document.getElementById("invite-text").value));
document.getElementById("invite-clear").addEventListener("click", clearInvite);
inviteSection.addEventListener("dragover", (event) => { event.preventDefault(); inviteSection.classList.add("dropping"); });
inviteSection.addEventListener("dragleave", () => inviteSection.classList.remove("dropping"));
inviteSection.addEventListener("drop", (event) => {
  event.preventDefault();
  inviteSection.classList.remove("dropping");
  readFile(event.dataTransfer.files[0]);
});

function showPlannedFromInvite(answer) {
  const blob = new Blob([answer.invite.ics], { type: "text/calendar" });
  const download = document.getElementById("invite-download");
  download.href = URL.createObjectURL(blob);
  download.download = answer.invite.filename;
  document.getElementById("planned-prepare").href = `/talks/${encodeURIComponent(answer.talk.id)}/prepare`;
  document.getElementById("planned-next").textContent = t("invite_next", { name: answer.talk.learner.name });
  form.hidden = true;
  const done = document.getElementById("planned-from-invite");
  done.hidden = false;
  download.focus();
}

async function loadTypes() {
  const data = await api("GET", "/api/talk-types");
  talkTypes = data.types;
  defaultType = data.default;
  typeField.replaceChildren(...talkTypes.map((type) => h("option", { value: type.id }, type.name)));
  const wanted = new URLSearchParams(location.search).get("type");
  typeField.value = talkTypes.some((type) => type.id === wanted) ? wanted : defaultType;
  showType();
}

/** The chosen kind's description and goals; goals ticked before stay ticked if the kind has them. */
function showType() {
  const type = talkTypes.find((each) => each.id === typeField.value);
  if (!type) return;
  typeHint.textContent = type.description;
  const ticked = new Set([...form.querySelectorAll('input[name="goals"]:checked')].map((b) => b.value));
  showGoals(type.checklist, ticked);
}

typeField.addEventListener("change", showType);

function showGoals(checklist, ticked) {
  const section = checklist.sections.find((s) => s.kind === "goals");
  const intro = document.getElementById("goals-intro");
  const items = document.getElementById("goal-items");
  if (!section) {
    document.getElementById("goals").hidden = true;
    return;
  }
  intro.textContent = section.intro;
  document.getElementById("goals").hidden = false;
  document.querySelector("#goals legend").textContent = section.title;
  ownGoalIds = new Set(section.items.filter((i) => i.free_text).map((i) => i.id));
  items.replaceChildren(...section.items.map((item) => {
    const id = `goal-${item.id.replace(/[^\w-]/g, "-")}`;
    const box = h("input", { type: "checkbox", name: "goals", value: item.id, id, "aria-describedby": item.help ? `${id}-help` : null, onchange: syncOwnGoal });
    box.checked = ticked.has(item.id);
    return h("div", {},
      h("label", { class: "check", for: id }, box, h("span", {}, item.text)),
      item.help ? h("p", { class: "hint goal-help", id: `${id}-help` }, item.help) : null,
    );
  }));
  syncOwnGoal();
}

function syncOwnGoal() {
  const ticked = [...form.querySelectorAll('input[name="goals"]:checked')].some((b) => ownGoalIds.has(b.value));
  ownGoalField.hidden = !ticked;
}

function localError(field, key) {
  return { field, message: t(key), details: [] };
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const date = form.elements.starts_at.value;
  const time = form.elements.time.value;
  if (!learner.value) return showError(form, localError("learner_id", "learner_required"));
  if (!withinLimits(form)) return;
  const goals = [...form.querySelectorAll('input[name="goals"]:checked')].map((b) => b.value);
  const ownGoal = ownGoalField.hidden ? "" : form.elements.own_goal.value;
  const title = form.elements.title.value.trim();
  if (invite !== null) {
    // The invite says when; the talk and the invite that goes back out keep to it.
    return planFromInvite({
      ics: invite, learner_id: learner.value, goals, own_goal: ownGoal, type: typeField.value || defaultType,
      ...(title ? { title } : {}),
    });
  }
  if (!date) return showError(form, localError("starts_at", "date_required"));
  if (!time) return showError(form, localError("time", "time_required"));
  const body = {
    learner_id: learner.value,
    starts_at: amsterdamIso(date, time),
    duration_minutes: Number(form.elements.duration_minutes.value),
    goals,
    own_goal: ownGoal,
    type: typeField.value || defaultType,
  };
  if (title) body.title = title;
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  announce(t("planning"));
  try {
    const talk = await api("POST", "/api/talks", body);
    announce(t("planned"));
    const embed = new URLSearchParams(location.search).get("embed") === "1" ? "?embed=1" : "";
    location.assign(`/talks/${encodeURIComponent(talk.id)}/prepare${embed}`);
  } catch (error) {
    button.disabled = false;
    if (error instanceof OfflineError) showError(form, { message: t("offline"), details: [] });
    else showError(form, error);
  }
});

async function planFromInvite(body) {
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  announce(t("planning"));
  try {
    const answer = await api("POST", "/api/talks/from-invite", body);
    announce(t("planned"));
    showPlannedFromInvite(answer);
  } catch (error) {
    button.disabled = false;
    if (error instanceof OfflineError) showError(form, { message: t("offline"), details: [] });
    else showError(form, error);
  }
}

countCharacters(form);
Promise.all([loadPeople(), loadTypes()]).catch(failLoad);
