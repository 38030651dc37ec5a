// The admin page's "who leads whom" (pages/admin_pairs.html): the lead-learner pairs of the
// `pairs` rule, added one by one from the organisation's colleagues or from a CSV file, and
// removed. Every change answers with the whole list. Built with h() only (text, never HTML).

import { api, ApiError, OfflineError } from "./api.js";
import { announce, clearErrors, h, showError, stringsOf } from "./ui.js";

// This part's own strings: it is included in a page that has strings of its own.
const say = stringsOf("og-admin-pairs-strings");
const $ = (id) => document.getElementById(id);
const addForm = $("pairs-add");
const importForm = $("pairs-import");
const URL_BASE = "/api/admin/lead-pairs";

function reason(error) {
  return error instanceof OfflineError ? say("offline") : error.message;
}

function status(text, problem = false) {
  const bar = $("pairs-status");
  bar.textContent = text;
  bar.classList.toggle("ok", !problem);
  bar.classList.toggle("offline", problem);
  announce(text);
}

function show(answer) {
  $("pairs-rule").textContent = say(`rule_${answer.rule}`);
  const list = $("pairs-list");
  if (!answer.pairs.length) {
    list.replaceChildren(h("li", { class: "muted" }, say("none")));
    return;
  }
  list.replaceChildren(...answer.pairs.map(({ lead, learner }) => {
    const names = { lead: lead.name, learner: learner.name };
    return h("li", { class: "card pair" },
      h("p", {}, say("pair", names)),
      h("p", { class: "meta" }, `${lead.email} · ${learner.email}`),
      h("div", { class: "actions" },
        h("button", {
          type: "button", class: "danger", "aria-label": say("remove", names),
          onclick: () => remove(lead, learner),
        }, say("remove_short"))));
  }));
}

function fillPeople(people) {
  const colleagues = people.filter((p) => !p.external);
  for (const select of [$("pair-lead"), $("pair-learner")]) {
    select.replaceChildren(
      h("option", { value: "" }, say("choose")),
      ...colleagues.map((p) => h("option", { value: p.id }, `${p.name} (${p.email})`)),
    );
  }
}

async function load() {
  try {
    const [answer, people] = await Promise.all([api("GET", URL_BASE), api("GET", "/api/admin/people")]);
    fillPeople(people.people);
    show(answer);
    status(say("loaded"));
  } catch (error) {
    status(error instanceof OfflineError ? say("offline") : say("load_failed"), true);
  }
}

async function remove(lead, learner) {
  const names = { lead: lead.name, learner: learner.name };
  if (!window.confirm(say("remove_ask", names))) return;
  try {
    const url = `${URL_BASE}/${encodeURIComponent(lead.id)}/${encodeURIComponent(learner.id)}`;
    show(await api("DELETE", url));
    status(say("removed", names));
    addForm.querySelector("select")?.focus();
  } catch (error) {
    status(say("not_saved", { reason: reason(error) }), true);
  }
}

addForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(addForm);
  const lead = $("pair-lead");
  const learner = $("pair-learner");
  try {
    const answer = await api("POST", URL_BASE, { lead_id: lead.value, learner_id: learner.value });
    const names = {
      lead: lead.selectedOptions[0]?.textContent.replace(/ \(.*\)$/, ""),
      learner: learner.selectedOptions[0]?.textContent.replace(/ \(.*\)$/, ""),
    };
    show(answer);
    status(say(answer.changed ? "added" : "known", names));
    learner.value = "";
  } catch (error) {
    if (error instanceof ApiError) showError(addForm, error);
    else status(say("not_saved", { reason: reason(error) }), true);
  }
});

importForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(importForm);
  const slot = importForm.querySelector(".form-error");
  const file = $("pairs-file").files[0];
  if (!file) {
    slot.replaceChildren(say("choose_file"));
    slot.hidden = false;
    $("pairs-file").focus();
    return;
  }
  try {
    const answer = await api("POST", `${URL_BASE}/import`, { csv: await file.text() });
    show(answer);
    status(say("imported", { count: answer.added }));
    importForm.reset();
  } catch (error) {
    if (!(error instanceof ApiError)) {
      status(say("not_saved", { reason: reason(error) }), true);
      return;
    }
    // Every wrong line, each with its number: the admin fixes the file once, not line by line.
    const lines = error.details.filter((d) => d.line);
    slot.replaceChildren(h("div", {},
      h("p", {}, error.message),
      lines.length ? h("ul", {}, lines.map((d) => h("li", {}, `${say("line", { n: d.line })} ${d.message}`))) : null));
    slot.hidden = false;
  }
});

load();
