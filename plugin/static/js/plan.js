// "Plan a talk": learner, date and time (Europe/Amsterdam), duration, title, goals.

import { api, OfflineError } from "./api.js";
import { amsterdamIso } from "./time.js";
import { announce, clearErrors, h, showError, t } from "./ui.js";

const form = document.getElementById("plan-form");
const learner = form.elements.learner_id;
const ownGoalField = document.getElementById("own-goal-field");
let ownGoalIds = new Set();

function failLoad(error) {
  const slot = form.querySelector(".form-error");
  slot.textContent = error instanceof OfflineError ? t("offline") : t("load_failed");
  slot.hidden = false;
}

async function loadPeople() {
  const data = await api("GET", "/api/people");
  const options = data.people.map((p) => h("option", { value: p.id }, p.job_title ? `${p.name} (${p.job_title})` : p.name));
  learner.replaceChildren(h("option", { value: "" }, data.people.length ? t("choose_learner") : t("no_people")), ...options);
  const wanted = new URLSearchParams(location.search).get("learner");
  if (wanted && data.people.some((p) => p.id === wanted)) learner.value = wanted;
}

async function loadGoals() {
  const checklist = await api("GET", "/api/checklist");
  const section = checklist.sections.find((s) => s.kind === "goals");
  const intro = document.getElementById("goals-intro");
  const items = document.getElementById("goal-items");
  if (!section) {
    document.getElementById("goals").hidden = true;
    return;
  }
  intro.textContent = section.intro;
  document.querySelector("#goals legend").textContent = section.title;
  ownGoalIds = new Set(section.items.filter((i) => i.free_text).map((i) => i.id));
  items.replaceChildren(...section.items.map((item) => {
    const id = `goal-${item.id.replace(/[^\w-]/g, "-")}`;
    const box = h("input", { type: "checkbox", name: "goals", value: item.id, id, "aria-describedby": item.help ? `${id}-help` : null, onchange: syncOwnGoal });
    return h("div", {},
      h("label", { class: "check", for: id }, box, h("span", {}, item.text)),
      item.help ? h("p", { class: "hint goal-help", id: `${id}-help` }, item.help) : null,
    );
  }));
}

function syncOwnGoal() {
  const ticked = [...form.querySelectorAll('input[name="goals"]:checked')].some((b) => ownGoalIds.has(b.value));
  ownGoalField.hidden = !ticked;
}

function localError(field, key) {
  return { field, message: t(key), details: [] };
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  const date = form.elements.starts_at.value;
  const time = form.elements.time.value;
  if (!learner.value) return showError(form, localError("learner_id", "learner_required"));
  if (!date) return showError(form, localError("starts_at", "date_required"));
  if (!time) return showError(form, localError("time", "time_required"));
  const goals = [...form.querySelectorAll('input[name="goals"]:checked')].map((b) => b.value);
  const body = {
    learner_id: learner.value,
    starts_at: amsterdamIso(date, time),
    duration_minutes: Number(form.elements.duration_minutes.value),
    goals,
    own_goal: ownGoalField.hidden ? "" : form.elements.own_goal.value,
  };
  const title = form.elements.title.value.trim();
  if (title) body.title = title;
  const button = form.querySelector('button[type="submit"]');
  button.disabled = true;
  announce(t("planning"));
  try {
    const talk = await api("POST", "/api/talks", body);
    announce(t("planned"));
    const embed = new URLSearchParams(location.search).get("embed") === "1" ? "?embed=1" : "";
    location.assign(`/talks/${encodeURIComponent(talk.id)}/prepare${embed}`);
  } catch (error) {
    button.disabled = false;
    if (error instanceof OfflineError) showError(form, { message: t("offline"), details: [] });
    else showError(form, error);
  }
});

Promise.all([loadPeople(), loadGoals()]).catch(failLoad);
