// The signed form: dates in the reader's language, goal names, the integrity check, follow-up.

import { api, bootData, OfflineError } from "./api.js";
import { announce, formatDate, formatDateTime, h, t } from "./ui.js";

const boot = bootData();
const talk = boot.talk;
const talkUrl = `/api/talks/${encodeURIComponent(talk.id)}`;

document.getElementById("print")?.addEventListener("click", () => window.print());

for (const el of document.querySelectorAll("time[data-format]")) {
  const value = el.getAttribute("datetime");
  el.textContent = el.dataset.format === "date" ? formatDate(value) : formatDateTime(value);
}

async function labelGoals() {
  const items = document.querySelectorAll("#goal-list [data-goal-id]");
  if (!items.length) return;
  const checklist = await api("GET", "/api/checklist");
  const texts = new Map(checklist.sections.flatMap((s) => s.items.map((i) => [i.id, i.text])));
  for (const li of items) {
    const text = texts.get(li.dataset.goalId);
    if (text) li.textContent = text;
  }
}

async function checkIntact() {
  const slot = document.getElementById("intact");
  if (!slot) return;
  try {
    const form = await api("GET", `${talkUrl}/form`);
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
let polls = 0;

function followUpLinks(id) {
  return h("p", { class: "actions" },
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
    const state = await api("POST", `${talkUrl}/follow-up`, body);
    renderFollowUp(state, true);
  } catch (err) {
    followUpBox.querySelectorAll("button").forEach((b) => { b.disabled = false; });
    error.textContent = err instanceof OfflineError ? t("offline") : err.message;
    error.hidden = false;
    button.focus();
  }
}

function renderFollowUp(state, announceIt = false) {
  if (!followUpBox) return;
  const parts = [];
  if (state.status === "booked" || state.status === "booking") {
    parts.push(h("p", {}, state.status === "booked" ? t("fu_booked") : t("fu_booking")));
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
  followUpBox.replaceChildren(...parts);
  if (announceIt) {
    announce(state.status === "booked" ? t("fu_booked_announce") : state.status === "booking" ? t("fu_booking") : t("fu_needs_attention"));
  }
  // Booking happens in the background right after signing: look again a few times.
  if (state.status === "booking" && !talk.read_only && polls < 10) {
    polls += 1;
    setTimeout(async () => {
      try {
        const next = await api("GET", `${talkUrl}/follow-up`);
        renderFollowUp(next, next.status !== "booking");
      } catch { /* keep what is shown */ }
    }, 3000);
  }
}

renderFollowUp(talk.follow_up);
checkIntact();
labelGoals().catch(() => { /* the goal ids stay visible */ });
