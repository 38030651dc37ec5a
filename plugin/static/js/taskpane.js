// The Outlook add-in's task pane: it turns the organiser's appointment into a talk, of the
// kind the organiser chooses (a development talk unless they choose another).
//
// Outlook opens this page beside the appointment form. Through Office.js it reads the
// appointment (subject, time, invited people, its id once saved) and asks Office for an SSO
// token for our API, sent as a bearer (the token stays in this module's memory). The server
// finds out whether the appointment already is a talk and who can be the learner; the
// organiser chooses, and the page saves the appointment, makes the talk and puts the
// preparation at the top of the appointment's text, above the organiser's own.

import { ApiError, bootData, OfflineError, withCurrentVersion } from "./api.js";
import {
  SignInError, currentItemId, followLanguage, followTheme, loadOffice, officeApi, officeCall,
  readAppointment, supports,
} from "./office.js";
import { announce, characterCounter, firstName, h, lengthProblem, t } from "./ui.js";

const boot = bootData();
const { post } = officeApi(boot.lang);
const $ = (id) => document.getElementById(id);
const form = $("talk-form");
const submit = $("make-talk");
const ownGoalField = $("own-goal-field");
$("own-goal").after(characterCounter($("own-goal")));
const STATUS_BADGE = { planned: "", held: "warn", signed: "ok", cancelled: "danger" };
//: Office's SSO errors that mean the user stopped the sign-in or consent prompt.
const SIGN_IN_STOPPED = new Set([13001, 13002]);

let item = null;
let attendees = [];
let itemId = null;
let talk = null;
let inviteHtml = null;
let working = false;
let ownGoalIds = new Set();
// The kinds of talk the server offers for this appointment ({default, types}), or null: then
// the pane offers the page's own goals (the default kind's) and sends no kind.
let offered = null;
// The goals section shown now, so a new answer with the same goals keeps what was ticked.
let shownGoals = null;

// -- what the pane says -----------------------------------------------------------------------

function busy(message) {
  $("pane-problem").hidden = true;
  $("pane-status").textContent = message;
  $("pane-status").hidden = false;
}

function ready(message = "") {
  $("pane-status").textContent = message;
  $("pane-status").hidden = !message;
}

function openInBrowser(event) {
  const link = event.currentTarget;
  if (supports("Mailbox", "1.5") && typeof Office.context.ui?.openBrowserWindow === "function") {
    event.preventDefault();
    Office.context.ui.openBrowserWindow(link.href);
  }
}

function button(label, onclick, cls = "secondary") {
  return h("button", { type: "button", class: cls, onclick }, label);
}

/** A problem that stops the pane (no form, no talk), with what the user can do about it. */
function problem(message, ...actions) {
  $("pane-status").hidden = true;
  form.hidden = true;
  $("talk-view").hidden = true;
  $("problem-text").textContent = message;
  $("problem-actions").replaceChildren(...actions.filter(Boolean));
  $("pane-problem").hidden = false;
}

function teamsLink() {
  if (!boot.teams_url) return null;
  return h("a", { class: "button", href: boot.teams_url, target: "_blank", rel: "noopener", onclick: openInBrowser }, t("open_in_teams"));
}

/** What went wrong, in words: the sign-in, the connection, or the server's own message. */
function explain(error) {
  if (error instanceof SignInError) return SIGN_IN_STOPPED.has(error.code) ? t("sign_in_cancelled") : t("sign_in_failed");
  if (error instanceof OfflineError) return t("offline");
  if (error instanceof ApiError && error.status === 401) return t("sign_in_failed");
  return error.message;
}

function when(start, end) {
  const format = new Intl.DateTimeFormat(boot.lang, {
    weekday: "short", day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: "Europe/Amsterdam",
  });
  return format.formatRange(new Date(start), new Date(end));
}

function showAppointment(appointment) {
  $("appointment").replaceChildren(
    h("span", { class: "subject" }, appointment.subject || t("no_subject")),
    h("span", { class: "meta" }, when(appointment.start, appointment.end)),
  );
  $("appointment").hidden = false;
}

// -- the form ---------------------------------------------------------------------------------

/** The goals of the chosen kind of talk (or the page's own); goals ticked before stay ticked. */
function buildGoals(section) {
  if (section === shownGoals) return;
  shownGoals = section;
  if (!section) {
    $("goal-items").replaceChildren();
    return;
  }
  const ticked = new Set([...form.querySelectorAll('input[name="goals"]:checked')].map((b) => b.value));
  $("goals-legend").textContent = section.title;
  $("goals-intro").textContent = section.intro;
  ownGoalIds = new Set(section.items.filter((i) => i.free_text).map((i) => i.id));
  $("goal-items").replaceChildren(...section.items.map((goal) => {
    const id = `goal-${goal.id.replace(/[^\w-]/g, "-")}`;
    const box = h("input", { type: "checkbox", name: "goals", value: goal.id, id, "aria-describedby": goal.help ? `${id}-help` : null });
    box.checked = ticked.has(goal.id);
    return h("div", {},
      h("label", { class: "check", for: id }, box, h("span", {}, goal.text)),
      goal.help ? h("p", { class: "hint goal-help", id: `${id}-help` }, goal.help) : null,
    );
  }));
  syncOwnGoal();
}

function chosenType() {
  return offered?.types.find((type) => type.id === $("talk-type").value) || null;
}

// The button's own words name the development talk; another kind gets words of its own.
const makeLabel = submit.textContent;

/** The goals and the description of the kind of talk chosen now. */
function showType() {
  const type = chosenType();
  submit.textContent = type && type.id !== offered.default ? t("make_other_kind") : makeLabel;
  $("talk-type-hint").textContent = type?.description || "";
  $("talk-type-hint").hidden = !type?.description;
  buildGoals(type ? type.goals : boot.goals);
  $("goals").hidden = !shownGoals || !$("learner-options").childElementCount;
}

/** Offer the kinds of talk of the server's answer; the choice made before stays if offered. */
function offerTypes(types) {
  const select = $("talk-type");
  const before = select.value;
  offered = types?.types?.length ? types : null;
  select.replaceChildren(...(offered?.types || []).map((type) => h("option", { value: type.id }, type.name)));
  if (offered) select.value = offered.types.some((type) => type.id === before) ? before : offered.default;
  $("type-field").hidden = !offered || offered.types.length < 2;
  showType();
}

function syncOwnGoal() {
  ownGoalField.hidden = ![...form.querySelectorAll('input[name="goals"]:checked')].some((b) => ownGoalIds.has(b.value));
}

function learnerOption(person, checked) {
  const id = `learner-${person.id}`;
  return h("label", { class: "check", for: id },
    h("input", { type: "radio", name: "learner_id", value: person.id, id, checked }),
    h("span", {}, person.name, person.job_title ? h("span", { class: "meta" }, ` · ${person.job_title}`) : null));
}

function showForm(answer) {
  const before = form.querySelector('input[name="learner_id"]:checked')?.value;
  const choosable = answer.candidates.filter((p) => !p.external);
  const chosen = choosable.some((p) => p.id === before) ? before : answer.learner_id;
  $("learner-options").replaceChildren(...choosable.map((p) => learnerOption(p, p.id === chosen)));
  const others = [
    ...answer.candidates.filter((p) => p.external).map((p) => t("external", { name: p.name })),
    ...answer.unknown,
  ];
  $("not-choosable-reason").textContent = t("unknown_reason");
  $("not-choosable-list").replaceChildren(...others.map((text) => h("li", {}, text)));
  $("not-choosable").hidden = others.length === 0;
  $("no-candidate").hidden = choosable.length > 0;
  $("check-again").hidden = choosable.length > 0;
  offerTypes(answer.types);
  if (choosable.length === 0) $("type-field").hidden = true;
  submit.closest(".actions").hidden = choosable.length === 0;
  $("talk-view").hidden = true;
  $("intro").hidden = false;
  $("appointment").hidden = false;
  form.hidden = false;
}

function clearErrors() {
  for (const slot of form.querySelectorAll(".field-error, .form-error")) {
    slot.textContent = "";
    slot.hidden = true;
  }
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
}

const FIELD_SLOTS = {
  type: ["type-error", () => $("talk-type")],
  learner_id: ["learner-error", () => form.querySelector('input[name="learner_id"]:checked') || form.querySelector('input[name="learner_id"]')],
  goals: ["goals-error", () => form.querySelector('input[name="goals"]')],
  own_goal: ["own-goal-error", () => $("own-goal")],
};

/** Show an error by its field (learner, goals, own goal), else at the top of the form. */
function showError(error) {
  clearErrors();
  const items = error.details?.length ? error.details : [{ field: error.field, message: explain(error) }];
  let focus = null;
  for (const entry of items) {
    const slot = FIELD_SLOTS[(entry.field || "").split(/[.[]/)[0]];
    if (!slot) continue;
    const [slotId, input] = slot;
    $(slotId).textContent = entry.message;
    $(slotId).hidden = false;
    const field = input();
    field?.setAttribute("aria-invalid", "true");
    focus = focus || field;
  }
  if (focus) {
    focus.focus();
    return;
  }
  const top = form.querySelector(".form-error");
  top.textContent = explain(error);
  top.hidden = false;
  top.setAttribute("tabindex", "-1");
  top.focus();
}

// -- the talk ---------------------------------------------------------------------------------

function showTalk(shown, news = "", focus = true) {
  talk = shown;
  const other = talk.my_role === "learner" ? talk.lead : talk.learner;
  const mine = talk.my_role === "learner" ? "learner" : "lead";
  const theirs = mine === "lead" ? "learner" : "lead";
  const prepared = talk.prepared || {};
  $("talk-title").textContent = talk.title || t("untitled");
  $("talk-series").textContent = talk.series_id ? t("series_note") : "";
  $("talk-series").hidden = !talk.series_id;
  $("talk-when").textContent = when(talk.starts_at, talk.ends_at);
  $("talk-with").textContent = other.name;
  const badge = STATUS_BADGE[talk.status];
  $("talk-status").replaceChildren(h("span", { class: badge ? `badge ${badge}` : "badge" }, t(`status_${talk.status}`)));
  $("talk-prepared").replaceChildren(
    h("li", {}, prepared[mine] ? t("prepared_you") : t("not_prepared_you")),
    h("li", {}, t(prepared[theirs] ? "prepared_other" : "not_prepared_other", { name: firstName(other.name) })),
  );
  $("open-talk").href = talk.url;
  $("talk-news").textContent = news;
  $("talk-news").hidden = !news;
  closeUnlink(false);
  form.hidden = true;
  // The talk's own title and time say it all: the appointment's block would repeat them.
  $("intro").hidden = true;
  $("appointment").hidden = true;
  $("talk-view").hidden = false;
  if (focus) $("talk-heading").focus();
}

async function prependInvite() {
  try {
    await officeCall((done) => item.body.prependAsync(inviteHtml, { coercionType: Office.CoercionType.Html }, done));
    return true;
  } catch {
    return false;
  }
}

function showPrependOutcome(ok, name, otherKind = false) {
  $("prepend-problem").hidden = ok;
  $("prepend-text").textContent = ok ? "" : t("prepend_failed");
  if (ok) {
    $("talk-news").textContent = name ? t(otherKind ? "created_other" : "created", { name }) : t("prepended");
    $("talk-news").hidden = false;
  }
}

async function retryPrepend() {
  const retry = $("prepend-retry");
  retry.disabled = true;
  const ok = await prependInvite();
  retry.disabled = false;
  showPrependOutcome(ok, null);
  if (ok) announce(t("prepended"));
}

function closeUnlink(focusButton = true) {
  $("unlink-confirm").hidden = true;
  $("unlink").setAttribute("aria-expanded", "false");
  $("unlink-error").hidden = true;
  if (focusButton) $("unlink").focus();
}

async function unlink() {
  const yes = $("unlink-yes");
  yes.disabled = true;
  $("unlink-error").hidden = true;
  announce(t("unlinking"));
  try {
    await withCurrentVersion(talk.version, (version) =>
      post(`/api/outlook/talks/${encodeURIComponent(talk.id)}/unlink`, { version }));
  } catch (error) {
    $("unlink-error").textContent = explain(error);
    $("unlink-error").hidden = false;
    return;
  } finally {
    yes.disabled = false;
  }
  talk = null;
  await load(t("unlinked"));
  $("main").focus();
}

// -- the steps --------------------------------------------------------------------------------

/** Read the appointment and ask the server what it is: a talk already, or who can be the learner. */
async function load(news = "") {
  busy(t("reading"));
  let appointment;
  try {
    appointment = await readAppointment(item);
  } catch {
    problem(t("read_failed"), button(t("try_again"), () => load()));
    return;
  }
  showAppointment(appointment);
  attendees = appointment.attendees;
  itemId = (await currentItemId(item)) || itemId;
  let answer;
  try {
    answer = await post("/api/outlook/appointment", { item_id: itemId, attendees });
  } catch (error) {
    problem(explain(error), button(t("try_again"), () => load()));
    return;
  }
  ready(news);
  if (answer.talk) showTalk(answer.talk, "", false);
  else showForm(answer);
}

async function makeTalk(event) {
  event.preventDefault();
  if (working) return;
  clearErrors();
  const learnerId = form.querySelector('input[name="learner_id"]:checked')?.value;
  if (!learnerId) {
    showError({ field: "learner_id", message: t("learner_required"), details: [] });
    return;
  }
  const goals = [...form.querySelectorAll('input[name="goals"]:checked')].map((b) => b.value);
  const ownGoal = ownGoalField.hidden ? "" : $("own-goal").value;
  // Over the limit: say so at the field and send nothing; what was typed stays.
  const tooLong = ownGoalField.hidden ? null : lengthProblem($("own-goal"));
  if (tooLong) {
    showError({ field: "own_goal", message: tooLong, details: [] });
    return;
  }
  working = true;
  submit.disabled = true;
  try {
    busy(t("saving"));
    try {
      itemId = (await officeCall((done) => item.saveAsync(done))) || itemId;
    } catch {
      ready();
      showError({ message: t("save_failed"), details: [] });
      return;
    }
    busy(t("working"));
    const body = { item_id: itemId, learner_id: learnerId, goals, own_goal: ownGoal };
    if (offered) body.type = $("talk-type").value || offered.default;
    const otherKind = Boolean(offered) && body.type !== offered.default;
    const answer = await post("/api/outlook/talks", body);
    ready();
    if (answer.created && answer.invite_html) {
      inviteHtml = answer.invite_html;
      const ok = await prependInvite();
      showTalk(answer.talk);
      showPrependOutcome(ok, firstName(answer.talk.learner.name), otherKind);
    } else {
      showTalk(answer.talk, answer.created ? "" : t("already"));
    }
  } catch (error) {
    ready();
    showError(error);
  } finally {
    working = false;
    submit.disabled = false;
  }
}

async function start() {
  try {
    await loadOffice(boot.officejs);
  } catch {
    problem(t("offline"));
    return;
  }
  const info = await Office.onReady();
  item = Office.context?.mailbox?.item || null;
  if (!info?.host || !item) {
    problem(t("outside_outlook"));
    return;
  }
  if (followLanguage(boot.lang)) return;
  followTheme();
  if (!supports("IdentityAPI", "1.3") || !Office.auth?.getAccessToken) {
    problem(t("no_sso"), teamsLink());
    return;
  }
  form.addEventListener("submit", makeTalk);
  form.addEventListener("change", (event) => {
    if (event.target.name === "goals") syncOwnGoal();
    if (event.target.name === "type") showType();
  });
  $("check-again").addEventListener("click", () => load());
  $("open-talk").addEventListener("click", openInBrowser);
  $("prepend-retry").addEventListener("click", retryPrepend);
  $("unlink").addEventListener("click", () => {
    $("unlink-confirm").hidden = false;
    $("unlink").setAttribute("aria-expanded", "true");
    $("unlink-yes").focus();
  });
  $("unlink-no").addEventListener("click", () => closeUnlink());
  $("unlink-yes").addEventListener("click", unlink);
  await load();
}

start();
