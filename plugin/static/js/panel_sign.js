// The agreements panel's sign-off area: who signed, why signing is not possible yet (before
// anyone clicks), a signature that lapsed because the agreements changed, what changed when a
// signature was refused, the Teams consent step, and once both signed, the follow-up's time.

import { announce, firstName, formatDateTime, formatWhen, h, t } from "./ui.js";
import { teamsSdk } from "./teams.js";

/** The talk has not begun yet, by this device's clock: only for what the panel shows (the
 * server decides, and says so if it refuses a signature). */
export function notStarted(talk) {
  return talk.status === "planned" && Date.parse(talk.starts_at) > Date.now();
}

const signedBy = (talk, id) => talk.signatures.some((s) => s.person_id === id);

/**
 * Signatures that lapsed between two states of the talk (the server clears them on any change
 * of the content): noted in `state.lapsed` and shown until that person signs again. Returns
 * what to announce about it now, or "".
 */
export function noticeLapses(panel, before, after) {
  const { state, me } = panel;
  const other = panel.otherId();
  const lines = [];
  if (after.status !== "signed") {
    if (signedBy(before, me) && !signedBy(after, me)) {
      state.lapsed.mine = true;
      lines.push(t("lapsed.mine"));
    }
    if (signedBy(before, other) && !signedBy(after, other)) {
      state.lapsed.theirs = true;
      lines.push(t("lapsed.theirs", { name: panel.otherFirst() }));
    }
  }
  if (signedBy(after, me) || after.status === "signed") state.lapsed.mine = false;
  if (signedBy(after, other) || after.status === "signed") state.lapsed.theirs = false;
  return lines.join(" ");
}

/** What changed between the form as it was shown and as it is: one line for each change. */
export function describeChanges(before, after) {
  const lines = [];
  const old = new Map(before.agreements.map((a) => [a.id, a]));
  const now = new Map(after.agreements.map((a) => [a.id, a]));
  for (const a of after.agreements) {
    const was = old.get(a.id);
    if (!was) lines.push(t("changed.added", { what: a.what }));
    else if (was.what !== a.what || was.owner !== a.owner || was.due !== a.due) lines.push(t("changed.wording", { what: a.what }));
    else if (was.reaction !== a.reaction) lines.push(t("changed.reaction", { what: a.what }));
    else if (!was.removal_requested_by && a.removal_requested_by) lines.push(t("changed.removal", { what: a.what }));
  }
  for (const a of before.agreements) {
    if (!now.has(a.id)) lines.push(t("changed.removed", { what: a.what }));
  }
  const talkFields = (x) => JSON.stringify([x.title, x.starts_at, x.goals, x.own_goal]);
  if (talkFields(before) !== talkFields(after)) lines.push(t("changed.talk"));
  return lines;
}

function plural(key, count) {
  const form = new Intl.PluralRules(document.documentElement.lang || "nl").select(count);
  return t(`${key}.${form === "one" ? "one" : "other"}`, { count });
}

function shorten(text, max = 60) {
  const chars = [...text];
  return chars.length > max ? `${chars.slice(0, max - 1).join("").trimEnd()}…` : text;
}

/**
 * Why the viewer cannot sign yet, as nodes to show next to the button; none when they can.
 * No agreements at all is no reason: a talk may end without any.
 */
function reasons(panel) {
  const { state, me } = panel;
  const talk = state.talk;
  const out = [];
  if (notStarted(talk)) out.push(h("p", {}, t("sign.reason.not.started", { when: formatWhen(talk.starts_at) })));
  const waitsOn = (asker) => (asker === me ? t("sign.waits.other", { name: panel.otherFirst() }) : t("sign.waits.you"));
  const item = (a, asker) => h("li", {},
    h("a", { href: `#agreement-${a.id}` }, `“${shorten(a.what)}”`), ` – ${waitsOn(asker)}`);
  const unconfirmed = talk.agreements.filter((a) => !a.confirmed && !a.removal_requested_by);
  if (unconfirmed.length) {
    out.push(h("p", {}, plural("sign.reason.unconfirmed", unconfirmed.length)),
      h("ul", {}, unconfirmed.map((a) => item(a, a.author_id))));
  }
  const removals = talk.agreements.filter((a) => a.removal_requested_by);
  if (removals.length) {
    out.push(h("p", {}, plural("sign.reason.removal", removals.length)),
      h("ul", {}, removals.map((a) => item(a, a.removal_requested_by))));
  }
  if (state.pending.length || state.flushing) out.push(h("p", {}, t("sign.reason.saving")));
  else if (state.editing.size || state.reacting.size) out.push(h("p", {}, t("sign.reason.editing")));
  return out;
}

function lapsedView(panel) {
  const lines = [];
  if (panel.state.lapsed.mine) lines.push(t("lapsed.mine"));
  if (panel.state.lapsed.theirs) lines.push(t("lapsed.theirs", { name: panel.otherFirst() }));
  if (!lines.length) return null;
  return h("div", { class: "status-bar offline", id: "sign-lapsed" }, lines.map((line) => h("p", {}, line)));
}

function followUpView(follow, talkId) {
  const parts = [];
  if (follow.status === "booking") parts.push(h("p", { class: "meta" }, t("followup.booking")));
  if (follow.status === "needs_attention") parts.push(h("p", { class: "badge warn" }, t("followup.attention")));
  if (follow.status === "booked") {
    const text = follow.starts_at ? t("followup.booked", { when: formatWhen(follow.starts_at) }) : t("followup.booked.no.time");
    parts.push(h("p", { id: "follow-up-booked" }, `${text} `,
      h("a", { href: `/talks/${encodeURIComponent(follow.talk_id)}` }, t("followup.open"))));
  }
  parts.push(h("p", {}, h("a", { href: `/talks/${encodeURIComponent(talkId)}/form` }, t("form.link"))));
  return parts;
}

/** A BPV progress talk's form is meant for school: once it is signed, the lead is offered the
 * share link for the school supervisor (on the form page), until it is shared. */
function shareOffer(talk, talkId) {
  if (!talk.talk_type || !talk.talk_type.offer_share || talk.my_role !== "lead") return null;
  if ((talk.shared_with || []).length) return null;
  return h("p", { id: "share-offer" },
    h("a", { class: "button secondary", href: `/talks/${encodeURIComponent(talkId)}/form#share-heading` }, t("share.offer")));
}

// -- consent (Teams): the lead allows the summary card in the meeting chat, then signs ---------

function consentStep(panel) {
  const { state } = panel;
  return h("div", { class: "consent-step", id: "consent-step", role: "group", "aria-labelledby": "consent-title" },
    h("p", { id: "consent-title" }, h("strong", {}, t("consent.title"))),
    h("p", {}, t("consent.why")),
    state.consentProblem ? h("p", { class: "form-error", role: "alert" }, state.consentProblem) : null,
    h("button", { type: "button", id: "consent-button", onclick: () => askConsent(panel) }, t("consent.button")));
}

async function askConsent(panel) {
  const { state } = panel;
  const sdk = teamsSdk();
  state.consentProblem = null;
  try {
    await sdk.authentication.authenticate({ url: state.consentUrl, width: 600, height: 535 });
  } catch {
    state.consentProblem = t("consent.failed");
    panel.render();
    return;
  }
  state.consentUrl = null;
  announce(t("consent.given"));
  const op = state.signing;
  state.signing = null;
  await panel.send(op);
}

// -- the area -------------------------------------------------------------------------------------

/**
 * Render the sign-off area. `panel`: {state, me, talkId, otherId(), otherFirst(), firstOf(id),
 * send(op), signShown(), render()}.
 */
export function renderSign(area, panel) {
  const { state, me } = panel;
  const talk = state.talk;
  const parts = [];
  for (const s of talk.signatures) {
    const date = formatDateTime(s.signed_at);
    parts.push(h("p", { class: "badge ok" }, s.person_id === me
      ? t("signed.me", { date })
      : t("signed.by", { name: panel.firstOf(s.person_id), date })));
  }
  if (talk.status === "signed") {
    parts.push(h("p", {}, t("sign.done")), ...followUpView(talk.follow_up, panel.talkId), shareOffer(talk, panel.talkId));
  } else if (talk.read_only) {
    parts.push(h("p", { class: "muted" }, t("readonly")));
  } else if (talk.status !== "cancelled") {
    parts.push(h("p", { class: "hint" }, t("sign.hint")));
    parts.push(lapsedView(panel));
    if (state.changes) {
      parts.push(h("div", { class: "conflict", id: "form-changed", role: "alert" },
        h("p", {}, t("changed.title")),
        h("ul", {}, state.changes.map((line) => h("li", {}, line)))));
    }
    if (signedBy(talk, me)) {
      parts.push(h("p", {}, t("sign.mine.done", { name: panel.otherFirst() })));
    } else if (state.consentUrl) {
      parts.push(consentStep(panel));
    } else {
      const why = reasons(panel);
      parts.push(h("div", { class: "sign-row" },
        h("button", {
          type: "button", id: "sign-button", disabled: why.length > 0,
          "aria-describedby": why.length ? "sign-why" : null, onclick: panel.signShown,
        }, t("sign")),
        why.length ? h("div", { id: "sign-why", class: "sign-why" }, why) : null));
    }
  }
  area.replaceChildren(...parts.filter(Boolean));
}
