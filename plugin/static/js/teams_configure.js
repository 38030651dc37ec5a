// The meeting tab's configuration page: the organiser links the meeting to a talk they lead,
// or plans a new talk (or a series of talks) for it, of the kind of talk they choose. Teams
// shows this page when the app is added to a meeting and calls our save handler when they
// choose Save; we then tell Teams the tab's URL.

import { api, bootData, OfflineError, withCurrentVersion } from "./api.js";
import { hostContext, teamsSdk } from "./teams.js";
import { amsterdamIso } from "./time.js";
import { clearErrors, countCharacters, formatDateTime, h, lengthProblem, showError, t } from "./ui.js";

const boot = bootData();
const form = document.getElementById("configure-form");
const status = document.getElementById("meeting-status");
const options = document.getElementById("talk-options");
const newTalk = document.getElementById("new-talk");
const learner = form.elements.learner_id;
const sdk = teamsSdk();
const chatId = hostContext()?.chat?.id || hostContext()?.meeting?.chatId || null;

// The version of each talk on offer: linking names the state of the talk it is based on.
const versions = new Map();

function say(text) {
  status.textContent = text;
}

function chosen() {
  return form.querySelector('input[name="choice"]:checked')?.value || null;
}

const seriesTalk = document.getElementById("series-talk");
const seriesLearner = form.elements.series_learner_id;
//: The meeting is a talk series already: the tab opens its talk on now or next, no choice.
let series = null;

// The kinds of talk (GET /api/talk-types): a new talk, or the talks of a series, is one of them.
const typeField = document.getElementById("type-field");
const typeSelect = form.elements.type;
let talkTypes = [];
let defaultType = "";

function updateValidity() {
  newTalk.hidden = chosen() !== "new";
  seriesTalk.hidden = chosen() !== "series";
  typeField.hidden = !["new", "series"].includes(chosen()) || talkTypes.length < 2;
  sdk.pages.config.setValidityState(series !== null || chosen() !== null);
}

function offerTypes(data) {
  talkTypes = data.types;
  defaultType = data.default;
  typeSelect.replaceChildren(...talkTypes.map((type) => h("option", { value: type.id }, type.name)));
  typeSelect.value = defaultType;
  showType();
}

function showType() {
  const type = talkTypes.find((each) => each.id === typeSelect.value);
  const hint = document.getElementById("talk-type-hint");
  hint.textContent = type?.description || "";
  hint.hidden = !type?.description;
}

function chosenType() {
  return typeSelect.value || defaultType;
}

function talkOption(talk, checked) {
  const when = formatDateTime(talk.starts_at, boot.lang);
  return h("label", { class: "check" },
    h("input", { type: "radio", name: "choice", value: talk.id, checked }),
    " ", t("talk_option", { title: talk.title, learner: talk.learner.name, when }));
}

async function load() {
  const [inMeeting, mine, people, types] = await Promise.all([
    api("GET", `/api/meetings/${encodeURIComponent(chatId)}/talks`),
    api("GET", "/api/talks"),
    api("GET", "/api/people?may_lead=1"), // only whom I may lead (LEAD_RULE)
    api("GET", "/api/talk-types"), // the kinds of talk my organisation plans
  ]);
  offerTypes(types);
  series = inMeeting.talks.find((talk) => talk.series_id && talk.status !== "cancelled") || null;
  if (series) {
    // One chat for all its times: nothing to choose.
    document.getElementById("choice").hidden = true;
    say(t("series_linked"));
    form.hidden = false;
    updateValidity();
    return;
  }
  const linked = inMeeting.talks.find((talk) => talk.my_role === "lead" && talk.status !== "cancelled");
  const open = mine.talks.filter((talk) => talk.my_role === "lead" && ["planned", "held"].includes(talk.status));
  if (linked && !open.some((talk) => talk.id === linked.id)) open.unshift(linked);
  for (const talk of open) versions.set(talk.id, talk.version);
  options.replaceChildren(...open.map((talk) => talkOption(talk, linked?.id === talk.id)));
  form.elements.chat_summary.checked = Boolean(linked?.chat_summary);
  learner.replaceChildren(h("option", { value: "" }, t("choose_learner")),
    ...people.people.map((p) => h("option", { value: p.id }, p.name)));
  seriesLearner.replaceChildren(h("option", { value: "" }, t("invited_learner")),
    ...people.people.map((p) => h("option", { value: p.id }, p.name)));
  if (!open.length) document.getElementById("choice-new").checked = true;
  say(linked ? t("linked", { title: linked.title }) : open.length ? t("pick") : t("no_talks"));
  form.hidden = false;
  updateValidity();
}

function newTalkBody() {
  const date = form.elements.starts_at.value;
  const time = form.elements.time.value;
  const missing = !learner.value ? ["learner_id", "learner_required"]
    : !date ? ["starts_at", "date_required"] : !time ? ["time", "time_required"] : null;
  if (missing) return { error: { field: missing[0], message: t(missing[1]), details: [] } };
  const tooLong = lengthProblem(form.elements.title);
  if (tooLong) return { error: { field: "title", message: tooLong, details: [] } };
  return {
    body: {
      learner_id: learner.value,
      starts_at: amsterdamIso(date, time),
      duration_minutes: Number(form.elements.duration_minutes.value),
      title: form.elements.title.value.trim() || null,
      meeting_chat_id: chatId,
      chat_summary: form.elements.chat_summary.checked,
      type: chosenType(),
    },
  };
}

async function save() {
  clearErrors(form);
  const choice = chosen();
  let talk;
  if (series) {
    talk = series;
  } else if (choice === "series") {
    talk = await api("POST", `/api/meetings/${encodeURIComponent(chatId)}/series`, {
      learner_id: seriesLearner.value || null,
      type: chosenType(),
    });
  } else if (choice === "new") {
    const { body, error } = newTalkBody();
    if (error) throw error;
    talk = await api("POST", "/api/talks", body);
  } else {
    talk = await withCurrentVersion(versions.get(choice), (version) =>
      api("PUT", `/api/talks/${encodeURIComponent(choice)}/meeting`, {
        version,
        chat_id: chatId,
        chat_summary: form.elements.chat_summary.checked,
      }));
  }
  // A recurring meeting has one chat for all its times: its tab opens the one on now or next.
  const url = talk.series_id
    ? `${boot.public_url}/meetings/${encodeURIComponent(chatId)}`
    : `${boot.public_url}/talks/${encodeURIComponent(talk.id)}`;
  await sdk.pages.config.setConfig({
    entityId: talk.id,
    contentUrl: url,
    websiteUrl: url,
    suggestedDisplayName: "Ontwikkelgesprek",
  });
}

if (!sdk) {
  say(t("outside_teams"));
} else if (!chatId) {
  say(t("no_meeting"));
} else {
  sdk.pages.config.registerOnSaveHandler(async (saveEvent) => {
    say(t("saving"));
    try {
      await save();
      saveEvent.notifySuccess();
    } catch (error) {
      const message = error instanceof OfflineError ? t("offline") : error.message;
      showError(form, error.details ? error : { message, details: [] });
      say(message);
      saveEvent.notifyFailure(message);
    }
  });
  form.addEventListener("change", updateValidity);
  typeSelect.addEventListener("change", showType);
  countCharacters(form);
  load().catch((error) => say(error instanceof OfflineError ? t("offline") : t("load_failed")));
}
