// Help during the talk, beside the agenda: the talk's clock ("bezig", minutes against the plan,
// items left), the question check, the agreement check under the agreement being typed, and the
// feedback composer (the guide's four steps; drafts private to their writer). Checks ask the
// server (/api/guidance/…), so every client uses one rule. Nothing here ever blocks a save.

import { api, ApiError, bootData, OfflineError } from "./api.js";
import { announce, characterCounter, h, lengthProblem, t } from "./ui.js";
import { hintBlock } from "./hints.js";

const boot = bootData();
// The server's clock, not the device's: a talk is "bezig" by the server's time.
const offset = boot.now ? Date.parse(boot.now) - Date.now() : 0;
const serverNow = () => Date.now() + offset;

/** Run `check` `wait` ms after the last call; a newer call makes an older answer void. */
function debounced(check, wait = 300) {
  let timer = null;
  let round = 0;
  return (...args) => {
    clearTimeout(timer);
    const mine = ++round;
    timer = setTimeout(async () => {
      try {
        const answer = await check(...args);
        if (mine === round) return answer;
      } catch (error) {
        if (!(error instanceof OfflineError) && !(error instanceof ApiError)) throw error;
      }
      return null;
    }, wait);
  };
}

// -- the talk's clock ---------------------------------------------------------------------------

/** "Bezig · 12 van 45 min · nog 3 punten", or null when the talk is not running now. */
export function runningText(talk) {
  if (!["planned", "held"].includes(talk.status) || talk.read_only) return null;
  const start = Date.parse(talk.starts_at);
  const end = Date.parse(talk.ends_at);
  const now = serverNow();
  if (now < start || now >= end) return null;
  const minutes = Math.floor((now - start) / 60000);
  const planned = Math.round((end - start) / 60000);
  const left = talk.agenda ? talk.agenda.left : 0;
  return t("running", { minutes, planned }) + (talk.agenda?.items.length ? ` · ${t("running.left", { left })}` : "");
}

// -- the question check -------------------------------------------------------------------------

export function questionCheck() {
  const input = h("input", { type: "text", id: "question-text", autocomplete: "off", "data-maxlength": 300 });
  const result = h("div", { id: "question-result", class: "check-result", "aria-live": "polite" });
  const check = debounced(async (text) => {
    if (!text.trim()) { result.replaceChildren(); return; }
    const answer = await api("POST", "/api/guidance/question", { text, lang: boot.lang });
    result.replaceChildren(
      h("p", { class: `badge ${answer.open ? "ok" : "warn"}` }, answer.open ? t("question.open") : t(`question.${answer.kind}`)),
      h("p", {}, answer.message),
      answer.suggestion ? h("p", { class: "suggestion" }, h("strong", {}, `${t("question.try")}: `), answer.suggestion) : null,
    );
  });
  input.addEventListener("input", () => check(input.value));
  return hintBlock("question_check", t("question.title"),
    h("p", { class: "hint" }, t("question.why")),
    h("div", { class: "field" }, h("label", { for: input.id }, t("question.label")), input),
    result);
}

// -- the agreement check ------------------------------------------------------------------------

/** Under an agreement form: what the agreement still lacks, as it is typed. Never blocks. */
export function agreementCheck(form) {
  const list = h("ul", { class: "check-list", id: `${form.id}-check` });
  const check = debounced(async () => {
    const what = form.elements.what.value;
    if (!what.trim()) { list.replaceChildren(); return; }
    const owner = form.elements.owner?.value || null;
    const due = form.elements.due?.value || null;
    const answer = await api("POST", "/api/guidance/agreement",
      { what, owner, due, lang: boot.lang });
    list.replaceChildren(...answer.hints.map((hint) => h("li", { "data-code": hint.code }, hint.message)));
    if (!answer.missing.length) list.append(h("li", { class: "ok", "data-code": "complete" }, t("agreement.complete")));
  }, 400);
  for (const name of ["what", "owner", "due"]) form.elements[name]?.addEventListener("input", check);
  form.elements.owner?.addEventListener("change", check);
  form.addEventListener("reset", () => list.replaceChildren());
  return hintBlock("agreement_check", t("agreement.check.title"), list);
}

// -- the feedback composer ----------------------------------------------------------------------

const STEPS = ["positive", "behaviour", "effect", "suggestion"];

export class FeedbackComposer {
  constructor({ root, base, addAgreement }) {
    this.root = root;
    this.base = base;
    this.addAgreement = addAgreement;
    this.drafts = [];
    this.editing = null; // {id|null, version, steps}
  }

  async load() {
    try {
      this.drafts = (await api("GET", `${this.base}/feedback`)).drafts;
    } catch {
      this.drafts = [];
    }
    this.render();
  }

  render() {
    const parts = [h("p", { class: "hint" }, t("feedback.why"))];
    for (const draft of this.drafts) parts.push(this.draftView(draft));
    if (this.editing) parts.push(this.editor());
    else parts.push(h("button", { type: "button", class: "secondary", id: "feedback-new", onclick: () => this.edit(null) }, t("feedback.new")));
    this.root.replaceChildren(hintBlock("feedback", t("feedback.title"), ...parts));
  }

  edit(draft) {
    this.editing = draft
      ? { id: draft.id, version: draft.version, steps: { ...draft.steps } }
      : { id: null, version: 0, steps: Object.fromEntries(STEPS.map((s) => [s, ""])) };
    this.render();
    this.root.querySelector("#feedback-positive")?.focus();
  }

  draftView(draft) {
    return h("div", { class: `card feedback-draft${draft.said ? " said" : ""}`, "data-id": draft.id },
      h("ol", {}, STEPS.filter((s) => draft.steps[s]).map((s) => h("li", {}, draft.steps[s]))),
      draft.said ? h("p", { class: "badge ok" }, t("feedback.said")) : null,
      draft.agreement_id ? h("p", { class: "meta" }, t("feedback.became")) : null,
      h("div", { class: "actions" },
        draft.said ? null : h("button", { type: "button", onclick: () => this.change(draft, { said: true }) }, t("feedback.mark.said")),
        draft.agreement_id || !draft.steps.suggestion ? null
          : h("button", { type: "button", class: "secondary", onclick: () => this.toAgreement(draft) }, t("feedback.to.agreement")),
        h("button", { type: "button", class: "secondary", onclick: () => this.edit(draft) }, t("edit")),
        h("button", { type: "button", class: "danger", onclick: () => this.drop(draft) }, t("remove"))));
  }

  editor() {
    const form = h("form", { id: "feedback-form", novalidate: true });
    const hints = new Map(STEPS.map((s) => [s, h("ul", { class: "check-list", id: `feedback-${s}-hints` })]));
    const check = debounced(async () => {
      const answer = await api("POST", "/api/guidance/feedback", { steps: this.editing.steps, lang: boot.lang });
      for (const [step, list] of hints) {
        list.replaceChildren(...answer.hints.filter((x) => x.step === step && x.code !== "empty_step")
          .map((x) => h("li", { "data-code": x.code }, x.message)));
      }
    }, 500);
    for (const step of STEPS) {
      const area = h("textarea", { id: `feedback-${step}`, name: step, rows: 2, "data-maxlength": 1000 }, this.editing.steps[step]);
      area.addEventListener("input", () => { this.editing.steps[step] = area.value; check(); });
      form.append(h("div", { class: "field" },
        h("label", { for: area.id }, t(`feedback.step.${step}`)),
        h("p", { class: "hint", id: `${area.id}-help` }, t(`feedback.help.${step}`)),
        area, characterCounter(area), hints.get(step)));
    }
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    form.append(error, h("p", { class: "muted" }, t("feedback.private")),
      h("div", { class: "actions" },
        h("button", { type: "submit" }, t("feedback.save")),
        h("button", { type: "button", class: "secondary", onclick: () => { this.editing = null; this.render(); } }, t("cancel"))));
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const tooLong = [...form.querySelectorAll("textarea")].map(lengthProblem).find(Boolean);
      if (tooLong) { error.hidden = false; error.textContent = tooLong; return; }
      try {
        const body = { steps: this.editing.steps };
        const saved = this.editing.id
          ? await api("PATCH", `${this.base}/feedback/${this.editing.id}`, { ...body, version: this.editing.version })
          : await api("POST", `${this.base}/feedback`, body);
        this.drafts = [...this.drafts.filter((d) => d.id !== saved.id), saved];
        this.editing = null;
        announce(t("feedback.saved"));
        this.render();
      } catch (e) {
        error.hidden = false;
        error.textContent = e instanceof OfflineError ? t("offline") : e.message;
      }
    });
    if (Object.values(this.editing.steps).some(Boolean)) check();
    return form;
  }

  async change(draft, body) {
    try {
      const saved = await api("PATCH", `${this.base}/feedback/${draft.id}`, { ...body, version: draft.version });
      this.drafts = this.drafts.map((d) => (d.id === saved.id ? saved : d));
      this.render();
    } catch (e) {
      announce(e.message);
    }
  }

  async toAgreement(draft) {
    const made = await this.addAgreement(draft.steps.suggestion);
    if (made) await this.change(draft, { said: true, agreement_id: made.id });
  }

  async drop(draft) {
    try {
      await api("DELETE", `${this.base}/feedback/${draft.id}`);
      this.drafts = this.drafts.filter((d) => d.id !== draft.id);
      this.render();
    } catch (e) {
      announce(e.message);
    }
  }
}
