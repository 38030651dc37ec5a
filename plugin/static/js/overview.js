// "My overview": what to do now, upcoming talks, open agreements, history per track, the calendar feed.

import { api, OfflineError } from "./api.js";
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

/** One to-do: what it is about, and one link to the page where it is done. */
function todoCard(item, index) {
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

function agreementCard(item, showLearner, myId) {
  const owner = whose(item, showLearner, myId);
  const overdue = item.due && item.due < today();
  let due;
  if (!item.due) due = h("span", {}, t("no_due"));
  else if (overdue) due = h("span", { class: "badge danger" }, t("overdue", { date: formatDate(item.due) }));
  else due = h("span", {}, t("due", { date: formatDate(item.due) }));
  return h("li", { class: "card" },
    h("div", {}, item.what),
    h("div", { class: "meta" },
      owner ? [owner, " · "] : null,
      due, " · ",
      h("a", { href: `/talks/${encodeURIComponent(item.talk.id)}` }, t("from_talk", { title: item.talk.title || t("untitled") })),
    ),
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

load();
