// The talk's agenda in the panel: the chosen goals (with open questions to ask), each person's
// own goal, both people's shared points and the open agreements of earlier talks. Each item can
// be marked discussed with a short shared note ("wat we hoorden"); an item becomes an agreement
// in one step; an earlier agreement is closed or kept open here, with a note, by whoever may.
// Notes being typed are kept while the other person's changes come in.

import { api, ApiError, OfflineError } from "./api.js";
import { announce, characterCounter, firstName, formatDate, formatDateTime, h, lengthProblem, t } from "./ui.js";
import { hintBlock } from "./hints.js";

const NOTE_MAX = 1000;

/** Whether I may close an earlier agreement: its owner (both: either), or the lead
 * (domain/rules.py, Act.CLOSE); the preparation page asks the same. */
export function mayCloseEarlier(talk, agreement) {
  const role = talk.my_role;
  return role === "lead" || agreement.owner === "both" || agreement.owner === role;
}

export class Agenda {
  /**
   * @param root the element to fill
   * @param boot the page's boot data (me, goals with their questions)
   * @param base the talk's API url
   * @param onTalk called with the talk as the server answers after a save
   * @param toAgreement called with a text to pre-fill a new agreement
   */
  constructor({ root, boot, base, onTalk, toAgreement }) {
    this.root = root;
    this.boot = boot;
    this.base = base;
    this.onTalk = onTalk;
    this.toAgreement = toAgreement;
    this.drafts = new Map(); // item key → {note, version, conflict, error}
    this.cards = new Map(); // item key → {el, key}
    this.talk = null;
  }

  me() { return this.boot.me.id; }

  nameOf(id) {
    return id === this.talk.lead.id ? this.talk.lead.name : this.talk.learner.name;
  }

  firstName(id) { return firstName(this.nameOf(id)); }

  editable() {
    return !this.talk.read_only && ["planned", "held"].includes(this.talk.status);
  }


  render(talk) {
    this.talk = talk;
    const agenda = talk.agenda || { items: [], left: 0 };
    const wanted = agenda.items.map((item) => {
      const current = agenda.items.find((i) => !i.discussed)?.key === item.key;
      const key = JSON.stringify([item, current, this.drafts.get(item.key)?.conflict ?? null,
        this.drafts.get(item.key)?.error ?? null, this.drafts.has(item.key), talk.status, talk.my_role]);
      let known = this.cards.get(item.key);
      // A note being typed keeps its element (and the caret) while the other saves theirs.
      if (!known || (known.key !== key && !this.typing(item.key))) {
        known = { el: this.itemView(item), key };
        this.cards.set(item.key, known);
      }
      return known.el;
    });
    const list = this.root.querySelector("#agenda-items");
    wanted.forEach((el, index) => {
      if (list.children[index] !== el) list.insertBefore(el, list.children[index] || null);
    });
    while (list.children.length > wanted.length) list.lastElementChild.remove();
    for (const key of [...this.cards.keys()]) {
      if (!agenda.items.some((i) => i.key === key)) this.cards.delete(key);
    }
    this.root.querySelector("#agenda-empty").hidden = agenda.items.length > 0;
  }

  typing(key) {
    const card = this.cards.get(key);
    return Boolean(card && this.drafts.has(key) && card.el.contains(document.activeElement));
  }

  label(item) {
    if (item.kind === "goal") return this.boot.goals?.[item.text]?.text || item.text;
    if (item.kind === "own_goal") {
      return item.by === this.me() ? t("agenda.own.mine", { text: item.text })
        : t("agenda.own.theirs", { name: this.firstName(item.by), text: item.text });
    }
    if (item.kind === "point") {
      return item.by === this.me() ? t("agenda.point.mine", { text: item.text })
        : t("agenda.point.theirs", { name: this.firstName(item.by), text: item.text });
    }
    return item.text;
  }

  itemView(item) {
    const id = `agenda-${cssId(item.key)}`;
    const li = h("li", { class: `card agenda-item${item.discussed ? " discussed" : ""}`, id, "data-key": item.key });
    li.append(h("p", { class: "agenda-label" }, this.label(item)));
    if (item.kind === "goal") {
      const questions = this.boot.goals?.[item.text]?.questions || [];
      if (questions.length) {
        li.append(hintBlock("questions", t("agenda.questions"),
          h("ul", { class: "questions" }, questions.map((q) => h("li", {}, q)))));
      }
    }
    if (item.kind === "earlier") li.append(this.earlierView(item));
    if (item.note && !this.drafts.has(item.key)) {
      li.append(h("p", { class: "agenda-note" }, h("strong", {}, `${t("agenda.heard")}: `), item.note));
    }
    if (!this.editable()) return li;
    li.append(this.noteEditor(item, id));
    return li;
  }

  earlierView(item) {
    const a = item.agreement;
    const from = t("agenda.earlier.from", { date: formatDate(a.talk.starts_at.slice(0, 10)) });
    const parts = [h("p", { class: "meta" }, from, a.due ? ` · ${t("due", { date: formatDate(a.due) })}` : "",
      ` · ${t(`owner.${a.owner}`)}`)];
    if (a.status !== "open") parts.push(h("p", { class: "badge ok" }, t(`agenda.status.${a.status}`)));
    if (a.close_note) parts.push(h("p", { class: "agenda-note" }, a.close_note));
    parts.push(this.sinceView(item));
    if (!this.editable()) return h("div", {}, parts);
    if (!mayCloseEarlier(this.talk, a)) {
      parts.push(h("p", { class: "muted" }, t("agenda.close.owner", { name: this.firstName(this.talk.lead.id) })));
      return h("div", {}, parts);
    }
    const noteId = `close-note-${a.id}`;
    const note = h("input", { type: "text", id: noteId, name: "close_note", value: a.close_note || "",
      "data-maxlength": 500, autocomplete: "off" });
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    const decide = async (status) => {
      const problem = lengthProblem(note);
      if (problem) { error.hidden = false; error.textContent = problem; return; }
      try {
        await api("POST", `${this.base}/earlier-agreements/${encodeURIComponent(a.id)}/status`,
          { status, version: a.version, note: note.value });
        announce(t(`agenda.closed.${status}`));
        this.onTalk(null);
      } catch (e) {
        error.hidden = false;
        error.textContent = e instanceof OfflineError ? t("offline") : e.message;
      }
    };
    parts.push(
      h("div", { class: "field" }, h("label", { for: noteId }, t("agenda.close.note")), note, characterCounter(note)),
      error,
      h("div", { class: "actions" },
        h("button", { type: "button", class: a.status === "done" ? "" : "secondary", onclick: () => decide("done") }, t("agenda.close.done")),
        h("button", { type: "button", class: "secondary", onclick: () => decide("open") }, t("agenda.close.open")),
        h("button", { type: "button", class: "secondary", onclick: () => decide("dropped") }, t("agenda.close.dropped"))),
    );
    return h("div", {}, parts);
  }

  /** What happened to an earlier agreement since its talk: its progress entries, oldest first
   * (null when nothing happened, or on a page that does not carry these strings). */
  sinceView(item) {
    const since = item.since || [];
    if (!since.length || t("agenda.since") === "agenda.since") return null;
    const stuck = item.agreement.stuck ? h("span", { class: "badge warn" }, t("agenda.since.stuck")) : null;
    return h("div", { class: "agenda-since" },
      h("p", { class: "meta" }, t("agenda.since"), " ", stuck),
      h("ul", {}, since.map((entry) => h("li", {},
        h("strong", {}, t(`agenda.since.${entry.kind}`)),
        ` · ${this.firstName(entry.author_id)}, ${formatDateTime(entry.created_at)}`,
        entry.note ? `: ${entry.note}` : ""))));
  }

  noteEditor(item, id) {
    const draft = this.drafts.get(item.key);
    const noteId = `${id}-note`;
    const form = h("form", { class: "agenda-form", novalidate: true });
    const discussed = h("input", { type: "checkbox", id: `${id}-done`, name: "discussed", checked: item.discussed });
    const area = h("textarea", { id: noteId, name: "note", rows: 2, "data-maxlength": NOTE_MAX },
      draft ? draft.note : item.note);
    const open = () => {
      if (!this.drafts.has(item.key)) this.drafts.set(item.key, { note: item.note, version: item.version });
    };
    area.addEventListener("focus", open);
    area.addEventListener("input", () => { open(); this.drafts.get(item.key).note = area.value; });
    const error = h("p", { class: "form-error", role: "alert", hidden: !draft?.error }, draft?.error || "");
    const save = async (markDiscussed) => {
      open();
      const current = this.drafts.get(item.key);
      const problem = lengthProblem(area);
      if (problem) { current.error = problem; error.hidden = false; error.textContent = problem; area.focus(); return; }
      try {
        const talk = await api("PUT", `${this.base}/agenda/${encodeURIComponent(item.key)}`,
          { version: current.version, discussed: markDiscussed, note: area.value });
        this.drafts.delete(item.key);
        announce(markDiscussed ? t("agenda.saved.discussed") : t("agenda.saved"));
        this.onTalk(talk);
      } catch (e) {
        if (e instanceof ApiError && e.code === "stale") {
          // The other wrote a note meanwhile: keep both in view, mine in the field.
          const now = (e.current?.agenda?.items || []).find((i) => i.key === item.key);
          current.conflict = now ? now.note : null;
          current.version = now ? now.version : current.version;
          current.error = t("agenda.conflict", { name: this.firstName(this.otherId()), note: now?.note || "" });
        } else {
          current.error = e instanceof OfflineError ? t("offline") : e.message;
        }
        this.cards.delete(item.key);
        this.render(this.talk);
      }
    };
    discussed.addEventListener("change", () => save(discussed.checked));
    form.addEventListener("submit", (event) => { event.preventDefault(); save(true); });
    // The prompt to summarise sits with the item the talk is on: the first not yet discussed.
    const current = this.talk.agenda.items.find((i) => !i.discussed)?.key === item.key;
    const summarise = current
      ? hintBlock("summarise", t("summarise.title"), h("p", {}, t("summarise.text")))
      : null;
    form.append(
      h("div", { class: "check" }, discussed, h("label", { for: discussed.id }, t("agenda.discussed"))),
      h("div", { class: "field" }, h("label", { for: noteId }, t("agenda.heard")), summarise, area, characterCounter(area)),
      error,
      h("div", { class: "actions" },
        h("button", { type: "submit" }, t("agenda.note.save")),
        h("button", {
          type: "button", class: "secondary",
          onclick: () => this.toAgreement(area.value.trim() || (item.kind === "goal" ? "" : item.text)),
        }, t("agenda.to.agreement"))),
    );
    return form;
  }

  otherId() {
    return this.talk.my_role === "lead" ? this.talk.learner.id : this.talk.lead.id;
  }
}

function cssId(key) {
  return key.replace(/[^a-zA-Z0-9_-]/g, "-");
}
