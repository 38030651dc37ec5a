// The agreements panel (the future meeting side panel): agreements appear live on both sides,
// the other person confirms each wording, the learner reacts, both sign (panel_sign.js). Edits
// made offline are kept and sent when the connection is back; an edit that crossed someone
// else's shows both versions and lets the user choose.

import { api, ApiError, bootData, OfflineError } from "./api.js";
import { LivePoller } from "./live.js";
import { mountCompanion } from "./panel_talk.js";
import { mountCheckIn } from "./checkin.js";
import { cardViews } from "./panel_cards.js";
import { describeChanges, noticeLapses, notStarted, renderSign as renderSignArea } from "./panel_sign.js";
import {
  announce, clearErrors, countCharacters, firstName, h, showError, t, withinLimits,
} from "./ui.js";

const boot = bootData();
const talkId = boot.talk_id;
const me = boot.me.id;
const base = `/api/talks/${encodeURIComponent(talkId)}`;

const state = {
  talk: boot.talk,
  editing: new Map(), // agreement id → {what, owner, due, version, conflict}
  reacting: new Map(), // agreement id → {text, version}
  pending: [], // operations waiting for the connection
  online: true,
  flushing: false,
  consentUrl: null, // set when Microsoft 365 wants the lead's consent before signing (Teams)
  consentProblem: null,
  signing: null, // the sign operation waiting for that consent (it names the form as shown)
  changes: null, // what changed between the form the user signed and the form as it is
  replaced: new Map(), // agreement id → my wording, which the other person replaced
  lapsed: { mine: false, theirs: false }, // signatures gone because the agreements changed
  shownNotStarted: null, // whether the sign-off area last said the talk has not begun
};

const list = document.getElementById("agreements");
const cards = new Map(); // agreement id → {el, key}
const connection = document.getElementById("connection");
const addForm = document.getElementById("add-form");
// A check-in has no agreements of its own and no sign-off: its outcome instead (checkin.js).
const checkIn = boot.check_in ? mountCheckIn({ boot }) : null;

// -- helpers ------------------------------------------------------------------------------------

const otherId = () => (state.talk.my_role === "lead" ? state.talk.learner.id : state.talk.lead.id);
const otherFirst = () => firstName(state.talk.my_role === "lead" ? state.talk.learner.name : state.talk.lead.name);
const firstOf = (id) => firstName(id === state.talk.lead.id ? state.talk.lead.name : state.talk.learner.name);
const editable = () => !state.talk.read_only && ["planned", "held"].includes(state.talk.status);
const conflictOpen = () => [...state.editing.values()].some((draft) => draft.conflict !== undefined);

function setConnection(kind, text) {
  connection.hidden = !text;
  connection.className = `status-bar ${kind}`;
  connection.textContent = text || "";
}

/** After a save: "Saved.", unless a conflict still waits for a choice (then nothing is). */
function savedStatus() {
  if (conflictOpen()) setConnection("offline", t("conflict.status"));
  else setConnection("ok", t("saved"));
}

// -- sending, with an offline queue -------------------------------------------------------------

const operations = {
  add: (op) => api("POST", `${base}/agreements`, op.body),
  edit: (op) => api("PATCH", `${base}/agreements/${op.id}`, op.body),
  remove: (op) => api("DELETE", `${base}/agreements/${op.id}?version=${op.body.version}`),
  confirm: (op) => api("POST", `${base}/agreements/${op.id}/confirm`, op.body),
  react: (op) => api("POST", `${base}/agreements/${op.id}/reaction`, op.body),
  removal: (op) => api("POST", `${base}/agreements/${op.id}/removal`, op.body),
  // A signature names the form as it was on screen when the button was pressed: if it changed
  // since (offline, or the other person was quicker), the server refuses and says how it is now.
  sign: (op) => api("POST", `${base}/sign`, { form_hash: op.shown.form_hash }),
};

/** Sign the form exactly as it is shown now. */
function signShown() {
  state.changes = null;
  return send({ kind: "sign", shown: structuredClone(state.talk) });
}

async function send(op) {
  if (!state.online || state.flushing) {
    queue(op);
    return false;
  }
  try {
    await operations[op.kind](op);
    settle(op);
    state.ownChange = true;
    savedStatus();
    poller.poll();
    return true;
  } catch (error) {
    if (error instanceof OfflineError) {
      goOffline();
      queue(op);
      return false;
    }
    fail(op, error);
    return false;
  }
}

function queue(op) {
  // A newer edit of the same thing replaces an older one that never left.
  state.pending = state.pending.filter((p) => !(p.kind === op.kind && p.id && p.id === op.id));
  state.pending.push(op);
  render();
}

function goOffline() {
  if (state.online) {
    state.online = false;
    setConnection("offline", t("offline"));
    announce(t("offline"));
  }
}

async function flush() {
  if (state.flushing) return;
  state.flushing = true;
  let refused = 0;
  try {
    while (state.pending.length) {
      const op = state.pending[0];
      try {
        await operations[op.kind](op);
        state.pending.shift();
        settle(op);
      } catch (error) {
        if (error instanceof OfflineError) {
          goOffline();
          return;
        }
        state.pending.shift();
        refused += 1;
        fail(op, error);
      }
    }
    // Say "all saved" only when it is true; a refused change shows where it belongs.
    const text = refused ? t("back.online.partly") : t("back.online");
    setConnection(refused ? "offline" : "ok", text);
    announce(text);
  } finally {
    state.flushing = false;
    render();
    poller.poll();
  }
}

/** A request went through: the draft it carried is done. */
function settle(op) {
  if (op.kind === "edit") state.editing.delete(op.id);
  if (op.kind === "react") state.reacting.delete(op.id);
  // The form empties for the next agreement, unless the next one is being typed already.
  if (op.kind === "add" && op.form && op.form.elements.what.value === op.body.what) {
    op.form.reset();
    clearErrors(op.form);
  }
}

function fail(op, error) {
  if (!(error instanceof ApiError)) throw error;
  if (op.kind === "edit" && (error.code === "stale" || error.status === 404)) {
    const draft = state.editing.get(op.id);
    if (draft) draft.conflict = error.status === 404 ? null : error.current;
    setConnection("offline", t("conflict.status"));
    announce(t(error.status === 404 ? "conflict.gone" : "conflict", { name: otherFirst() }));
  } else if (error.code === "stale" && op.kind === "react") {
    const draft = state.reacting.get(op.id);
    if (draft && error.current) draft.version = error.current.version;
    setConnection("offline", error.message);
  } else if (error.code === "consent_required" && op.kind === "sign") {
    state.consentUrl = error.consentUrl; // nothing was signed: ask, then sign (see askConsent)
    state.signing = op;
  } else if (error.code === "form_changed" && op.kind === "sign") {
    // Nothing was signed: show the form as it is now, and what is different from what was seen.
    if (error.current) state.talk = error.current;
    state.changes = describeChanges(op.shown, state.talk);
    announce(t("changed.title"));
  } else if (op.form) {
    showError(op.form, error);
  } else {
    setConnection("offline", error.message);
    announce(error.message);
  }
  render();
}

// -- rendering ----------------------------------------------------------------------------------

/** A conflict was settled without saving: the status line no longer asks for a choice. */
function settledStatus() {
  if (!conflictOpen() && connection.textContent === t("conflict.status")) setConnection("", "");
}

const { agreementView, editorView } = cardViews({
  state, me, send, render: () => render(), editable, otherFirst, firstOf, settledStatus,
});

function pendingAddView(op, index) {
  return h("li", { class: "card pending", id: `pending-${index}` },
    h("p", { class: "agreement-what" }, op.body.what),
    h("p", { class: "badge warn" }, t("saving")));
}

function cardKey(a, draft) {
  // An editor keeps its element (and the caret) while the user types; it is rebuilt only when
  // a conflict appears or goes.
  if (draft) return `edit|${JSON.stringify(draft.conflict === undefined ? "none" : draft.conflict)}`;
  return JSON.stringify([
    a, state.reacting.has(a.id), state.pending.filter((p) => p.id === a.id).length,
    state.talk.status, state.talk.my_role, state.replaced.get(a.id) ?? null,
  ]);
}

function renderList() {
  // A card rebuilt while its reaction is typed in (the other person changed the agreement)
  // gets a new text box with the same id and text: the caret goes there again.
  const focused = list.contains(document.activeElement) ? document.activeElement : null;
  const caret = focused && typeof focused.selectionStart === "number"
    ? [focused.selectionStart, focused.selectionEnd] : null;
  const wanted = [];
  const seen = new Set();
  for (const a of state.talk.agreements) {
    seen.add(a.id);
    const draft = state.editing.get(a.id);
    const key = cardKey(a, draft);
    let known = cards.get(a.id);
    if (!known || known.key !== key) {
      known = { el: draft ? editorView(a, draft) : agreementView(a), key };
      cards.set(a.id, known);
    }
    wanted.push(known.el);
  }
  for (const [id, known] of [...cards]) {
    if (seen.has(id)) continue;
    const draft = state.editing.get(id);
    if (!draft) {
      cards.delete(id);
      continue;
    }
    // Removed by the other person while being edited: keep the editor, so nothing typed is lost.
    if (draft.conflict === undefined) draft.conflict = null;
    const key = cardKey(null, draft);
    if (known.key !== key) cards.set(id, { el: editorView(null, { ...draft, id }), key });
    wanted.push(cards.get(id).el);
  }
  wanted.push(...state.pending.filter((p) => p.kind === "add").map(pendingAddView));
  // Move only what moved, so focus stays where the user is.
  wanted.forEach((el, index) => {
    if (list.children[index] !== el) list.insertBefore(el, list.children[index] || null);
  });
  while (list.children.length > wanted.length) list.lastElementChild.remove();
  document.getElementById("no-agreements").hidden = wanted.length > 0;
  if (focused && focused.id && !focused.isConnected) {
    const again = document.getElementById(focused.id);
    again?.focus();
    if (again && caret && typeof again.setSelectionRange === "function") again.setSelectionRange(...caret);
  }
}

const signPanel = {
  state, me, talkId, otherId, otherFirst, firstOf, send, render: () => render(),
  signShown: () => signShown(),
};

function renderSign() {
  state.shownNotStarted = notStarted(state.talk);
  renderSignArea(document.getElementById("sign-area"), signPanel);
}

function render() {
  document.getElementById("talk-status").textContent = t(`status.${state.talk.status}`);
  document.getElementById("add-section").hidden = !editable() || checkIn !== null;
  companion.render(state.talk);
  if (checkIn) {
    document.getElementById("feedback-section").hidden = true;
    checkIn.render(state.talk);
    return;
  }
  renderList();
  renderSign();
  if (!editable() && state.talk.status === "signed") setConnection("ok", t("locked"));
}

// -- wiring -------------------------------------------------------------------------------------

countCharacters(addForm);
addForm.addEventListener("submit", (event) => {
  event.preventDefault();
  clearErrors(addForm);
  if (!withinLimits(addForm)) return;
  const data = new FormData(addForm);
  const body = { what: String(data.get("what") || ""), owner: String(data.get("owner")), due: data.get("due") || null };
  const op = { kind: "add", form: addForm, body };
  send(op).then((sent) => {
    // Queued while offline: the card shows it as "saving", the form is free for the next one.
    if (!sent && !state.online) addForm.reset();
  });
});

/**
 * My wording replaced by the other person while I was not editing it: say so on the card, with
 * what I had written, until I confirm the new wording or write my own. The announcement, or "".
 */
function noticeReplaced(before, after) {
  const old = new Map(before.agreements.map((a) => [a.id, a]));
  let news = "";
  for (const a of after.agreements) {
    const was = old.get(a.id);
    if (was && was.author_id === me && a.author_id === otherId() && was.what !== a.what && !state.editing.has(a.id)) {
      state.replaced.set(a.id, state.replaced.get(a.id) ?? was.what);
      news = t("replaced", { name: otherFirst() });
    }
  }
  const now = new Map(after.agreements.map((a) => [a.id, a]));
  for (const id of [...state.replaced.keys()]) {
    const a = now.get(id);
    if (!a || a.confirmed || a.author_id === me) state.replaced.delete(id);
  }
  return news;
}

const poller = new LivePoller(`${base}/live`, {
  interval: 500,
  onChange(talk) {
    const before = state.talk;
    const changed = JSON.stringify(before.agreements) !== JSON.stringify(talk.agreements);
    state.talk = talk;
    const news = [noticeReplaced(before, talk), noticeLapses(signPanel, before, talk)].filter(Boolean);
    render();
    if (news.length) announce(news.join(" "));
    else if (changed && !state.ownChange) announce(t("updated", { name: otherFirst() }));
    state.ownChange = false;
  },
  async onReachable() {
    // The talk's start passed while the panel was open: signing opens without a reload.
    if (state.shownNotStarted && !notStarted(state.talk)) renderSign();
    if (state.online && !state.pending.length) return;
    state.online = true;
    if (state.pending.length) await flush();
    else setConnection("ok", t("back.online"));
  },
  onOffline() {
    goOffline();
  },
});

const companion = mountCompanion({
  boot,
  base,
  // The agenda's "Make it an agreement" fills a check-in's new wording.
  addForm: checkIn ? checkIn.form : addForm,
  getTalk: () => state.talk,
  setTalk: (talk) => { state.talk = talk; state.ownChange = true; render(); },
  poll: () => poller.poll(),
});

window.addEventListener("offline", goOffline);
render();
poller.start();
