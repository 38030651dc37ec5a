// The signed form: dates in the reader's language, goal names, the integrity check, follow-up,
// and how each agreement goes after sign-off (its progress, beside the form and not in it).

import { api, bootData, OfflineError, withCurrentVersion } from "./api.js";
import { progressForm, stateBadge, stateOf } from "./progress.js";
import {
  announce, clearErrors, countCharacters, firstName, formatDate, formatDateTime, formatWhen, h, showError, t,
  withinLimits,
} from "./ui.js";

const boot = bootData();
const talk = boot.talk;
const talkUrl = `/api/talks/${encodeURIComponent(talk.id)}`;

document.getElementById("print")?.addEventListener("click", () => window.print());

for (const el of document.querySelectorAll("time[data-format]")) {
  const value = el.getAttribute("datetime");
  el.textContent = el.dataset.format === "date" ? formatDate(value) : formatDateTime(value);
}

async function labelGoals() {
  const items = document.querySelectorAll("#goal-list [data-goal-id], #summary [data-goal-id]");
  if (!items.length) return;
  // A supervisor's share link signs nobody in: the server put what the page needs in `boot`.
  const texts = boot.shared_link
    ? new Map(Object.entries(boot.goal_texts))
    : new Map((await api("GET", `/api/checklist?talk_id=${encodeURIComponent(boot.talk_id)}`))
      .sections.flatMap((s) => s.items.map((i) => [i.id, i.text])));
  for (const li of items) {
    const text = texts.get(li.dataset.goalId);
    if (text) li.textContent = text;
  }
}

async function checkIntact() {
  const slot = document.getElementById("intact");
  if (!slot) return;
  try {
    const form = boot.shared_link ? { intact: boot.intact } : await api("GET", `${talkUrl}/form`);
    slot.classList.toggle("ok", form.intact === true);
    slot.classList.toggle("offline", form.intact !== true);
    slot.textContent = form.intact ? `✓ ${t("intact")}` : `⚠ ${t("not_intact")}`;
  } catch (error) {
    slot.classList.add("offline");
    slot.textContent = error instanceof OfflineError ? t("offline") : t("check_failed");
  }
}

// -- follow-up ---------------------------------------------------------------------------------

const followUpBox = document.getElementById("follow-up");
// The version of the talk this page last saw: every change of the talk names it (a change
// based on an older state is refused, so nothing the other person did is overwritten).
let talkVersion = talk.version;

/** A change of the talk from this page; its answer tells the version the next one names. */
async function changeTalk(send) {
  const answer = await withCurrentVersion(talkVersion, send);
  talkVersion = answer.version;
  return answer;
}
let polls = 0;

function followUpLinks(id) {
  if (boot.shared_link) return null; // the next talk is not shared by this link
  return h("p", { class: "actions no-print" },
    h("a", { href: `/talks/${encodeURIComponent(id)}` }, t("fu_open")),
    h("a", { href: `/api/talks/${encodeURIComponent(id)}/event.ics`, download: true, class: "no-print" }, t("fu_ics")),
  );
}

async function choose(body, button) {
  const error = followUpBox.querySelector(".form-error");
  error.hidden = true;
  followUpBox.querySelectorAll("button").forEach((b) => { b.disabled = true; });
  announce(t("fu_searching"));
  try {
    const state = await changeTalk((version) => api("POST", `${talkUrl}/follow-up`, { ...body, version }));
    renderFollowUp(state, true);
  } catch (err) {
    followUpBox.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    error.textContent = err instanceof OfflineError ? t("offline") : err.message;
    error.hidden = false;
    button.focus();
  }
}

/** "Het vervolggesprek staat op woensdag 16 december om 08:30." (also on paper, and for the
 * school supervisor, who gets the time but no way into the next talk). */
function bookedText(state) {
  return state.starts_at ? t("fu_booked_at", { when: formatWhen(state.starts_at) }) : t("fu_booked");
}

function renderFollowUp(state, announceIt = false) {
  if (!followUpBox) return;
  const parts = [];
  if (state.status === "booked" || state.status === "booking") {
    parts.push(h("p", { id: "follow-up-when" }, state.status === "booked" ? bookedText(state) : t("fu_booking")));
    if (state.talk_id) parts.push(followUpLinks(state.talk_id));
  } else if (state.status === "needs_attention") {
    parts.push(h("p", { class: "status-bar offline" }, t("fu_needs_attention")));
    if (state.reason) {
      const key = `reason_${state.reason}`;
      const text = t(key);
      // Every reason the server gives has a text; an unknown one falls back to a general one.
      parts.push(h("p", {}, text === key ? t("reason_rejected") : text));
    }
    if (!talk.read_only) {
      if (state.options.length) {
        parts.push(h("p", {}, t("fu_options")));
        parts.push(h("ul", { class: "follow-up-options" }, state.options.map((option) => h("li", {},
          h("button", { type: "button", class: "secondary", onclick: (e) => choose({ starts_at: option.starts_at }, e.currentTarget) },
            t("fu_book_at", { time: formatDateTime(option.starts_at) })),
        ))));
      } else {
        parts.push(h("p", {}, t("fu_no_options")));
      }
      parts.push(h("p", { class: "actions no-print" },
        h("button", { type: "button", onclick: (e) => choose({}, e.currentTarget) }, t("fu_search_again"))));
      parts.push(h("p", { class: "form-error", role: "alert", hidden: true }));
    }
  } else {
    parts.push(h("p", { class: "muted" }, t("fu_none")));
  }
  // replaceChildren() would write a null (no links for the supervisor) as "null".
  followUpBox.replaceChildren(...parts.filter(Boolean));
  if (announceIt) {
    announce(state.status === "booked" ? bookedText(state) : state.status === "booking" ? t("fu_booking") : t("fu_needs_attention"));
  }
  // Booking happens in the background right after signing: look again a few times.
  if (state.status === "booking" && !talk.read_only && polls < 10) {
    polls += 1;
    setTimeout(async () => {
      try {
        const next = await api("GET", `${talkUrl}/follow-up`);
        talkVersion = next.version;
        renderFollowUp(next, next.status !== "booking");
      } catch { /* keep what is shown */ }
    }, 3000);
  }
}

// -- sharing with the school supervisor (the lead) -------------------------------------------

const shareForm = document.getElementById("share-form");

function renderShares(shares) {
  const list = document.getElementById("share-list");
  if (!shares.length) {
    list.replaceChildren(h("li", { class: "muted" }, t("share_none")));
    return;
  }
  list.replaceChildren(...shares.map((share) => h("li", {},
    t("share_item", { name: share.name, email: share.email }), " ",
    h("button", {
      type: "button",
      class: "secondary",
      onclick: async () => {
        let answer;
        try {
          answer = await changeTalk((version) =>
            api("DELETE", `${talkUrl}/shares/${encodeURIComponent(share.person_id)}?version=${version}`));
        } catch (error) {
          showError(shareForm, error instanceof OfflineError ? { message: t("offline"), details: [] } : error);
          return;
        }
        document.getElementById("share-made").hidden = true;
        announce(t("share_stopped", { name: share.name }));
        renderShares(shares.filter((s) => answer.shared_with.includes(s.person_id)));
      },
    }, t("share_stop", { name: share.name })))));
}

if (shareForm) {
  countCharacters(shareForm);
  api("GET", `${talkUrl}/shares`).then((data) => renderShares(data.shares)).catch(() => {});
  shareForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors(shareForm);
    if (!withinLimits(shareForm)) return;
    try {
      const made = await changeTalk((version) => api("POST", `${talkUrl}/share-links`, {
        name: shareForm.elements.name.value.trim(),
        email: shareForm.elements.email.value.trim(),
        days: Number(shareForm.elements.days.value),
        version,
      }));
      const url = document.getElementById("share-url");
      url.value = made.url;
      document.getElementById("share-made").hidden = false;
      url.select();
      announce(t("share_made", { date: formatDate(made.expires_at.slice(0, 10)) }));
      renderShares(made.shares);
    } catch (error) {
      showError(shareForm, error instanceof OfflineError ? { message: t("offline"), details: [] } : error);
    }
  });
}

// -- progress on the agreements after sign-off -------------------------------------------------

const progressList = document.getElementById("progress-list");

function whoWrote(id) {
  if (id === boot.me?.id) return t("progress.you");
  return firstName(id === talk.lead.id ? talk.lead.name : talk.learner.name);
}

function ownerText(agreement) {
  if (agreement.owner === "both") return t("progress.owner.both");
  if (agreement.owner === talk.my_role) return t("progress.owner.you");
  return t("progress.owner", { name: firstName(agreement.owner === "lead" ? talk.lead.name : talk.learner.name) });
}

function history(entries) {
  if (!entries.length) return h("p", { class: "muted" }, t("progress.none"));
  return h("ol", { class: "progress-history" }, entries.map((entry) => h("li", {},
    h("span", { class: "meta" }, t("progress.by", { who: whoWrote(entry.author_id), when: formatDateTime(entry.created_at) })),
    h("br"),
    h("strong", {}, t(`progress.kind.${entry.kind}`)),
    entry.note ? `: ${entry.note}` : "")));
}

function progressCard(agreement) {
  const card = h("li", { class: "card progress-card", id: `progress-${agreement.id}`, "data-agreement-id": agreement.id },
    h("h3", {}, agreement.what, " ", stateBadge(stateOf(agreement))),
    h("p", { class: "meta" }, ownerText(agreement), agreement.due ? ` · ${t("progress.due", { date: formatDate(agreement.due) })}` : ""),
    history(agreement.progress || []),
  );
  if (!talk.read_only) {
    card.append(progressForm(agreement, { myRole: talk.my_role, leadName: talk.lead.name, onUpdate: updateAgreement }));
  }
  return card;
}

function renderProgress() {
  if (!progressList) return;
  progressList.classList.add("cards");
  progressList.replaceChildren(...talk.agreements.map(progressCard));
  for (const slot of document.querySelectorAll(".agreement-state[data-agreement-id]")) {
    const agreement = talk.agreements.find((a) => a.id === slot.dataset.agreementId);
    const badge = agreement && stateBadge(stateOf(agreement));
    slot.replaceChildren(...(badge ? [" ", badge] : []));
  }
}

/** The agreement as it is now (after my step, or changed meanwhile): draw the cards again. */
function updateAgreement(updated) {
  talk.agreements = talk.agreements.map((a) => (a.id === updated.id ? { ...a, ...updated } : a));
  renderProgress();
}

renderProgress();
renderFollowUp(talk.follow_up);
checkIntact();
labelGoals().catch(() => { /* the goal ids stay visible */ });
