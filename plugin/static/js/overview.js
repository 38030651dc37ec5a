// "My overview": what to do now, upcoming talks, open agreements (with how each goes), history
// per track, the calendar feed, and which reminders I get.

import { api, OfflineError } from "./api.js";
import { needsPickedTime, pickTime } from "./checkin_pick.js";
import { latestStep, progressForm, stateBadge, stateOf } from "./progress.js";
import { announce, firstName, formatDate, formatDateTime, formatWhen, h, t } from "./ui.js";
import { canChange, talkActions } from "./talk_actions.js";

const $ = (id) => document.getElementById(id);

const STATUS_BADGE = { planned: "", held: "warn", signed: "ok", cancelled: "danger" };

/** Today's date in Amsterdam as YYYY-MM-DD (due dates are plain dates). */
function today() {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone: "Europe/Amsterdam", year: "numeric", month: "2-digit", day: "2-digit",
  }).formatToParts(new Date());
  const get = (type) => parts.find((p) => p.type === type).value;
  return `${get("year")}-${get("month")}-${get("day")}`;
}

function talkHref(talk) {
  return talk.status === "signed" ? `/talks/${encodeURIComponent(talk.id)}/form` : `/talks/${encodeURIComponent(talk.id)}`;
}

function statusBadge(status) {
  const cls = STATUS_BADGE[status];
  return h("span", { class: cls ? `badge ${cls}` : "badge" }, t(`status_${status}`));
}

function when(iso) {
  return h("time", { datetime: iso }, formatDateTime(iso));
}

function otherPerson(talk) {
  return talk.my_role === "lead" ? talk.learner.name : talk.lead.name;
}

function list(container, items, empty, render) {
  container.replaceChildren(
    items.length ? h("ul", { class: "cards" }, items.map(render)) : h("p", { class: "muted" }, empty),
  );
}

/** What to say on a talk's card after the overview was drawn again (a move: its new time). */
const notices = new Map();

function upcomingCard(talk) {
  const titleId = `talk-${talk.id.replace(/[^\w-]/g, "-")}-title`;
  const notice = notices.get(talk.id) || null;
  notices.delete(talk.id);
  return h("li", { class: "card" },
    h("a", { href: `/talks/${encodeURIComponent(talk.id)}`, id: titleId }, talk.title || t("untitled")),
    h("div", { class: "meta" }, when(talk.starts_at), " · ", t("with_person", { name: otherPerson(talk) }), " ",
      talk.running ? h("span", { class: "badge running" }, t("status_running")) : statusBadge(talk.status)),
    talk.calendar_attention && talk.my_role === "lead"
      ? h("p", { class: "status-bar", role: "status" }, t(`attention_${talk.calendar_attention}`, { name: talk.learner.name }))
      : null,
    canChange(talk)
      ? talkActions(talk, { describedBy: titleId, notice, onMoved: (moved) => afterMove(moved), onCancelled: afterCancel })
      : null,
  );
}

/** A talk moved: draw the overview again (its place in the list and in the history change),
 * with the new time on its card and the focus back on its Move button. */
async function afterMove(moved) {
  const status = document.querySelector(`[data-talk-id="${CSS.escape(moved.id)}"] .talk-actions-status`);
  notices.set(moved.id, status ? status.textContent : "");
  $("upcoming-status").hidden = true;
  await load();
  document.querySelector(`[data-talk-id="${CSS.escape(moved.id)}"] .talk-actions-buttons button`)?.focus();
}

/** A talk cancelled: it leaves the upcoming talks (the history shows it as cancelled). */
async function afterCancel(cancelled) {
  const status = document.querySelector(`[data-talk-id="${CSS.escape(cancelled.id)}"] .talk-actions-status`);
  const text = status ? status.textContent : "";
  await load();
  const slot = $("upcoming-status");
  slot.textContent = text;
  slot.hidden = !text;
  slot.focus();
}

/** A to-do's badge: how pressing it is (the server puts the most urgent first). */
const TODO_BADGE = { overdue: "danger", due_soon: "warn", sign: "warn" };

function todoDetail(item) {
  if (item.due && (item.kind === "overdue" || item.kind === "due_soon")) return t("due", { date: formatDate(item.due) });
  if (!item.starts_at) return null;
  // A preparation is for a talk to come; the others are about a talk held (or going on).
  return t(item.kind === "prepare" ? "todo_talk_on" : "todo_talk_of", { when: formatWhen(item.starts_at) });
}

/** What a proposed check-in says: why, and the time found for it (or that none was). */
function checkInDetail(offer, item) {
  const why = offer.reason === "overdue" && item.due
    ? t("check_in_reason_overdue", { date: formatDate(item.due) })
    : t("check_in_reason_stuck");
  let time = t("check_in_searching");
  if (offer.starts_at) time = t("check_in_when", { when: formatWhen(offer.starts_at) });
  else if (offer.problem) time = t("check_in_no_time");
  return h("div", { class: "meta" }, why, " ", time);
}

/** A proposed check-in: the lead accepts it (it is booked) or dismisses it, in one step. */
function checkInCard(item, index) {
  const id = `todo-${index}-what`;
  const offer = item.check_in;
  const status = h("p", { class: "form-error", role: "alert", hidden: true });
  const decide = (path, done) => async (event) => {
    const buttons = event.currentTarget.parentElement.querySelectorAll("button");
    buttons.forEach((b) => { b.disabled = true; });
    status.hidden = true;
    try {
      await api("POST", `/api/check-ins/${encodeURIComponent(offer.id)}/${path}`, { version: offer.version });
      announce(t(done));
      await load();
      $("todo-heading").focus();
    } catch (error) {
      status.textContent = error instanceof OfflineError ? t("offline") : error.message;
      status.hidden = false;
      buttons.forEach((b) => { b.disabled = false; });
    }
  };
  return h("li", { class: "card", "data-check-in-id": offer.id },
    h("div", { id },
      h("span", { class: "badge warn" }, t("todo_kind_check_in")), " ", item.title || t("untitled")),
    checkInDetail(offer, item),
    h("div", { class: "actions" },
      // No time free for both was found: the lead picks one (accepting books it).
      needsPickedTime(offer)
        ? pickTime(offer, {
          describedBy: id,
          onBooked: async () => { announce(t("check_in_accepted")); await load(); $("todo-heading").focus(); },
        })
        : h("button", { type: "button", "aria-describedby": id, onclick: decide("accept", "check_in_accepted") }, t("check_in_accept")),
      " ",
      h("button", { type: "button", class: "secondary", "aria-describedby": id, onclick: decide("dismiss", "check_in_dismissed") }, t("check_in_dismiss"))),
    status,
  );
}

/** One to-do: what it is about, and one link to the page where it is done. */
function todoCard(item, index) {
  if (item.kind === "check_in" && item.check_in) return checkInCard(item, index);
  const id = `todo-${index}-what`;
  const badge = TODO_BADGE[item.kind];
  const detail = todoDetail(item);
  return h("li", { class: "card" },
    h("div", { id },
      h("span", { class: badge ? `badge ${badge}` : "badge" }, t(`todo_kind_${item.kind}`)), " ",
      item.title || t("untitled")),
    detail ? h("div", { class: "meta" }, detail) : null,
    h("div", {}, h("a", { href: item.url, "aria-describedby": id }, t(`todo_go_${item.kind}`))),
  );
}

/** Whose an agreement is, where the list does not say it already: "Together with Sem". */
function whose(item, showLearner, myId) {
  if (showLearner) return t("learner", { name: item.learner.name });
  if (item.owner !== "both") return null;
  const other = item.lead.id === myId ? item.learner.name : item.lead.name;
  return t("together_with", { name: firstName(other) });
}

/** The agreements whose progress form is open: it stays open when the overview is drawn again. */
const progressOpen = new Set();

function cardOf(agreementId) {
  return document.querySelector(`[data-agreement-id="${CSS.escape(agreementId)}"]`);
}

/** After a step: draw the overview again (a done agreement leaves it, to-dos change) and put the
 * focus back on the agreement's card, or on the list's heading when it has gone. */
async function afterProgress(agreementId) {
  await load();
  const summary = cardOf(agreementId)?.querySelector("summary");
  if (summary) summary.focus();
  else $("agreements-heading").focus();
}

/** How it goes, and the form to record a step, folded away until asked for. */
function progressPart(item, myId) {
  const details = h("details", { class: "progress-details", open: progressOpen.has(item.id) },
    h("summary", {}, t("progress_update")),
    progressForm(item, {
      myRole: item.lead.id === myId ? "lead" : "learner",
      leadName: item.lead.name,
      onUpdate: () => afterProgress(item.id),
    }),
  );
  details.addEventListener("toggle", () => {
    if (details.open) progressOpen.add(item.id);
    else progressOpen.delete(item.id);
  });
  return details;
}

function agreementCard(item, showLearner, myId) {
  const owner = whose(item, showLearner, myId);
  const overdue = item.due && item.due < today();
  let due;
  if (!item.due) due = h("span", {}, t("no_due"));
  else if (overdue) due = h("span", { class: "badge danger" }, t("overdue", { date: formatDate(item.due) }));
  else due = h("span", {}, t("due", { date: formatDate(item.due) }));
  const state = stateBadge(stateOf(item));
  return h("li", { class: "card", "data-agreement-id": item.id },
    h("div", {}, item.what, state ? [" ", state] : null),
    h("div", { class: "meta" },
      owner ? [owner, " · "] : null,
      due, " · ",
      h("a", { href: `/talks/${encodeURIComponent(item.talk.id)}` }, t("from_talk", { title: item.talk.title || t("untitled") })),
    ),
    latestStep(item),
    progressPart(item, myId),
  );
}

function historyTalk(talk) {
  return h("li", {},
    h("a", { href: talkHref(talk) }, talk.title || t("untitled")),
    " ", h("span", { class: "meta" }, when(talk.starts_at)), " ", statusBadge(talk.status),
    talk.cancel_reason === "cancelled_in_outlook" ? h("span", { class: "meta" }, ` (${t("cancelled_in_outlook")})`) : null,
  );
}

function renderTracks(container, tracks) {
  if (!tracks.length) {
    container.replaceChildren(h("p", { class: "muted" }, t("no_history")));
    return;
  }
  container.replaceChildren(...tracks.map((track) => {
    const talks = [...track.talks].sort((a, b) => (a.starts_at < b.starts_at ? 1 : -1));
    return h("div", { class: "card" },
      h("h3", {}, t("lead_learner", { lead: track.lead.name, learner: track.learner.name })),
      h("p", { class: "meta" }, track.my_role === "lead" ? t("you_lead") : t("you_learn")),
      talks.length ? h("ul", {}, talks.map(historyTalk)) : h("p", { class: "muted" }, t("no_talks_in_track")),
    );
  }));
}

function render(data) {
  if ($("shared-list")) {
    list($("shared-list"), data.shared_with_me, t("no_shared"), (talk) => h("li", { class: "card" },
      h("a", { href: `/talks/${encodeURIComponent(talk.id)}/form` }, talk.title || t("untitled")),
      h("div", { class: "meta" }, when(talk.starts_at), " · ", t("lead_learner", { lead: talk.lead.name, learner: talk.learner.name }), " ", statusBadge(talk.status)),
    ));
  }
  if ($("upcoming-list")) {
    list($("todo-list"), data.todo, t("todo_none"), todoCard);
    list($("upcoming-list"), data.upcoming, t("no_upcoming"), upcomingCard);
    list($("mine-list"), data.open_agreements.mine, t("no_mine"), (a) => agreementCard(a, false, data.me.id));
    const lead = data.tracks.some((track) => track.my_role === "lead") || data.open_agreements.my_learners.length > 0;
    $("learners-block").hidden = !lead;
    list($("learners-list"), data.open_agreements.my_learners, t("no_learners"), (a) => agreementCard(a, true, data.me.id));
    renderTracks($("history-list"), data.tracks);
  }
  $("feed-url").value = data.me.feed_url;
}

async function load() {
  const status = $("overview-status");
  try {
    render(await api("GET", "/api/overview"));
    status.hidden = true;
    status.textContent = "";
  } catch (error) {
    status.classList.add("offline");
    status.textContent = error instanceof OfflineError ? t("offline") : t("load_failed");
  }
}

$("feed-copy").addEventListener("click", async () => {
  const input = $("feed-url");
  try {
    await navigator.clipboard.writeText(input.value);
    announce(t("copied"));
  } catch {
    input.focus();
    input.select();
    announce(t("copy_failed"));
  }
});

$("feed-renew").addEventListener("click", async (event) => {
  if (!window.confirm(t("renew_confirm"))) return;
  const button = event.currentTarget;
  const slot = $("feed-error");
  slot.hidden = true;
  button.disabled = true;
  try {
    const me = await api("POST", "/api/me/feed/renew");
    $("feed-url").value = me.feed_url;
    announce(t("renewed"));
  } catch (error) {
    slot.textContent = error instanceof OfflineError ? t("offline") : error.message;
    slot.hidden = false;
  } finally {
    button.disabled = false;
  }
});

// -- which reminders I get: one switch per kind, saved at once ---------------------------------

/** Saves one after the other, so the last switch flipped is what is stored. */
let reminderSaves = Promise.resolve();

function reminderSwitches() {
  return [...document.querySelectorAll("#reminder-list input[data-kind]")];
}

async function saveReminders(changed) {
  const slot = $("reminders-error");
  slot.hidden = true;
  const off = reminderSwitches().filter((input) => !input.checked).map((input) => input.dataset.kind);
  try {
    const saved = await api("PUT", "/api/me/reminders", { off });
    for (const { kind, on } of saved.kinds) {
      const input = reminderSwitches().find((i) => i.dataset.kind === kind);
      if (input) input.checked = on;
    }
    const what = t(`reminder_${changed.dataset.kind}`);
    announce(t(changed.checked ? "reminder_on" : "reminder_off", { what }));
  } catch (error) {
    changed.checked = !changed.checked; // as it still is on the server
    slot.textContent = t("reminder_not_saved", { reason: error instanceof OfflineError ? t("offline") : error.message });
    slot.hidden = false;
  }
}

function reminderSwitch({ kind, on }) {
  const input = h("input", {
    type: "checkbox", role: "switch", id: `reminder-${kind}`, "data-kind": kind, checked: on,
    "aria-describedby": "reminders-hint",
  });
  input.addEventListener("change", () => {
    reminderSaves = reminderSaves.then(() => saveReminders(input));
  });
  return h("label", { class: "check", for: input.id }, input, " ", t(`reminder_${kind}`));
}

async function loadReminders() {
  const list = $("reminder-list");
  if (!list) return; // a school supervisor gets no reminders
  try {
    const settings = await api("GET", "/api/me/reminders");
    list.replaceChildren(...settings.kinds.map(reminderSwitch));
  } catch (error) {
    const slot = $("reminders-error");
    slot.textContent = error instanceof OfflineError ? t("offline") : t("reminders_failed");
    slot.hidden = false;
  }
}

// The admin page's link, for admins only (the page itself refuses anyone else).
api("GET", "/api/admin/me").then((answer) => { $("admin-link").hidden = !answer.admin; }, () => {});

load();
loadReminders();
