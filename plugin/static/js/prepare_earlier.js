// The preparation's earlier agreements ("what came of it?"): each with who does it, by when
// and from which talk; whoever may close one (agenda.js: mayCloseEarlier) does so here.
// Built with h() only (text, never HTML).

import { api, ApiError, OfflineError } from "./api.js";
import { t, h, announce, formatDate } from "./ui.js";
import { mayCloseEarlier } from "./agenda.js";

function ownerName(owner, talk) {
  if (owner === "lead") return talk.lead?.name || owner;
  if (owner === "learner") return talk.learner?.name || owner;
  return t("owner_both");
}

/** The section for `items`. `page`: { talk, lang, talkId, locked() } of the preparation page. */
export function earlierSection(items, page) {
  return h("section", { "aria-labelledby": "earlier-heading" },
    h("h2", { id: "earlier-heading" }, t("earlier_heading")),
    h("p", { class: "hint" }, t("earlier_intro")),
    h("ul", { class: "cards", id: "earlier" }, items.map((a) => earlierCard(a, page))),
  );
}

function earlierCard(a, page) {
  const { talk } = page;
  const closed = a.status !== "open";
  const badgeClass = a.status === "done" ? "ok" : a.status === "dropped" ? "warn" : "";
  const headingId = `earlier-${a.id}`;
  const buttons = page.locked() || !mayCloseEarlier(talk, a) ? null : h("div", { class: "actions" },
    closed
      ? h("button", { type: "button", class: "secondary", id: `earlier-${a.id}-reopen`, "aria-describedby": headingId,
        onclick: (e) => setEarlier(a, "open", e.currentTarget, page) }, t("reopen"))
      : [
        h("button", { type: "button", id: `earlier-${a.id}-done`, "aria-describedby": headingId,
          onclick: (e) => setEarlier(a, "done", e.currentTarget, page) }, t("mark_done")),
        h("button", { type: "button", class: "secondary", id: `earlier-${a.id}-dropped`, "aria-describedby": headingId,
          onclick: (e) => setEarlier(a, "dropped", e.currentTarget, page) }, t("mark_dropped")),
      ]);
  return h("li", { class: `card prep-earlier${closed ? " closed" : ""}` },
    h("h3", { id: headingId }, h("span", { class: "prep-earlier-what" }, a.what), " ",
      h("span", { class: `badge ${badgeClass}` }, t(`status_${a.status}`))),
    h("dl", { class: "prep-facts meta" },
      h("div", {}, h("dt", {}, t("earlier_who")), h("dd", {}, ownerName(a.owner, talk))),
      h("div", {}, h("dt", {}, t("earlier_due")), h("dd", {}, a.due ? formatDate(a.due, page.lang) : t("no_due"))),
      h("div", {}, h("dt", {}, t("earlier_from")),
        h("dd", {}, `${a.talk.title} (${formatDate(a.talk.starts_at.slice(0, 10), page.lang)})`))),
    h("p", { class: "form-error", id: `earlier-${a.id}-error`, role: "alert", hidden: true }),
    buttons,
  );
}

async function setEarlier(agreement, status, button, page) {
  const slot = document.getElementById(`earlier-${agreement.id}-error`);
  button.disabled = true;
  try {
    const updated = await api("POST",
      `/api/talks/${encodeURIComponent(page.talkId)}/earlier-agreements/${encodeURIComponent(agreement.id)}/status`,
      { status, version: agreement.version });
    Object.assign(agreement, updated);
    replaceEarlier(agreement, page);
    announce(t(status === "done" ? "closed_done" : status === "dropped" ? "closed_dropped" : "reopened"));
  } catch (error) {
    button.disabled = false;
    let message = error instanceof OfflineError ? t("offline") : error.message;
    if (error instanceof ApiError && error.code === "stale" && error.current) {
      Object.assign(agreement, error.current);
      replaceEarlier(agreement, page);
      message = t("agreement_stale");
    }
    const target = document.getElementById(`earlier-${agreement.id}-error`) || slot;
    if (target) { target.textContent = message; target.hidden = false; }
  }
}

function replaceEarlier(agreement, page) {
  const heading = document.getElementById(`earlier-${agreement.id}`);
  const old = heading && heading.closest("li");
  if (!old) return;
  const fresh = earlierCard(agreement, page);
  old.replaceWith(fresh);
  // Keep focus on the card's next action (Reopen after closing, Done after reopening).
  const next = fresh.querySelector("button");
  if (next) next.focus();
}
