// The admin page's working week: working days, the day's hours and the holidays of this
// organisation. Holidays are added and removed here and kept with the Save button; the Dutch
// public holidays of a year are offered as a suggestion, added with one click. A save names
// the version it was based on: another admin's save in between is shown, never overwritten.

import { api, ApiError, OfflineError } from "./api.js";
import { announce, clearErrors, formatDate, h, showFieldError, t, textLength } from "./ui.js";

const $ = (id) => document.getElementById(id);
const form = $("week-form");
const NAME_MAX = 80;
let version = 0;
let holidays = []; // [{date: "2027-04-27", name: "Koningsdag"}], sorted by date
let suggested = null; // the public holidays shown: {year, holidays}

function reason(error) {
  return error instanceof OfflineError ? t("offline") : error.message;
}

function generalError(text) {
  const slot = form.querySelector(".form-error");
  slot.textContent = text;
  slot.hidden = !text;
}

function dayBoxes() {
  return [...form.querySelectorAll('input[name="days"]')];
}

function fill(week) {
  version = week.version;
  const days = new Set(week.days);
  for (const box of dayBoxes()) box.checked = days.has(Number(box.value));
  form.elements.start.value = week.start;
  form.elements.end.value = week.end;
  holidays = week.holidays.map((x) => ({ date: x.date, name: x.name || "" }));
  $("week-zone").textContent = t("week_zone", { zone: week.timezone });
  showHolidays();
}

function sortHolidays() {
  holidays.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
}

function holidayLabel(holiday) {
  return holiday.name || t("holiday_unnamed");
}

function showHolidays() {
  const list = holidays.length
    // A plain list, the button in the line: a year of holidays stays short, also at 320 px.
    ? h("ul", {}, holidays.map((holiday, index) => h("li", { "data-index": index },
      h("strong", {}, h("time", { datetime: holiday.date }, formatDate(holiday.date))),
      holiday.name ? ` · ${holiday.name} ` : " ",
      h("button", {
        type: "button", class: "secondary", "aria-label": t("holiday_remove", { name: `${holidayLabel(holiday)}, ${formatDate(holiday.date)}` }),
        onclick: () => { holidays.splice(index, 1); changed(); },
      }, t("holiday_remove_short")))))
    : h("p", { class: "muted" }, t("no_holidays"));
  $("holiday-list").replaceChildren(list);
  showSuggestions();
}

/** The list changed here but is not saved yet: say so, and refresh what is shown. */
function changed() {
  sortHolidays();
  showHolidays();
  $("week-saved").hidden = true;
  $("week-unsaved").hidden = false;
}

function addHoliday(date, name) {
  if (holidays.some((x) => x.date === date)) return false;
  holidays.push({ date, name });
  return true;
}

$("holiday-add").addEventListener("click", () => {
  const dateInput = $("holiday-date");
  const nameInput = $("holiday-name");
  clearErrors(form);
  if (!dateInput.value) return showFieldError(dateInput, t("holiday_date_needed"));
  if (textLength(nameInput.value) > NAME_MAX) return showFieldError(nameInput, t("holiday_name_long"));
  if (!addHoliday(dateInput.value, nameInput.value.trim())) return showFieldError(dateInput, t("holiday_twice"));
  dateInput.value = "";
  nameInput.value = "";
  changed();
  announce($("week-unsaved").textContent);
});

function showSuggestions() {
  const box = $("national-list");
  if (!suggested) return box.replaceChildren();
  const listed = new Set(holidays.map((x) => x.date));
  const missing = suggested.holidays.filter((x) => !listed.has(x.date));
  const items = suggested.holidays.map((holiday) => h("li", {},
    h("strong", {}, h("time", { datetime: holiday.date }, formatDate(holiday.date))), ` · ${holiday.name} `,
    listed.has(holiday.date)
      ? h("span", { class: "badge ok" }, t("national_added"))
      : h("button", {
        type: "button", class: "secondary", "aria-label": t("national_add", { name: holiday.name }),
        onclick: () => { addHoliday(holiday.date, holiday.name); changed(); },
      }, t("national_add_short"))));
  box.replaceChildren(
    h("p", { class: "hint" }, t("national_hint")),
    missing.length
      ? h("div", { class: "actions" }, h("button", {
        type: "button", id: "national-add-all",
        onclick: () => { for (const x of missing) addHoliday(x.date, x.name); changed(); },
      }, t("national_add_all", { count: missing.length })))
      : h("p", { class: "status-bar ok" }, t("national_all_added", { year: suggested.year })),
    missing.length ? h("ul", {}, items) : null);
}

$("national-show").addEventListener("click", async () => {
  const year = $("national-year").value;
  try {
    suggested = await api("GET", `/api/admin/national-holidays?year=${encodeURIComponent(year)}`);
    showSuggestions();
  } catch (error) {
    suggested = null;
    $("national-list").replaceChildren(h("p", { class: "form-error", role: "alert" },
      error instanceof OfflineError ? t("offline") : t("national_failed")));
  }
});

function fillYears() {
  const now = new Date().getFullYear();
  $("national-year").replaceChildren(...[now, now + 1, now + 2].map((y) => h("option", { value: y }, String(y))));
}

/** Show a refusal at its field: `days`, `start`, `end`, or one holiday (`holidays[2].date`). */
function showProblem(error) {
  const field = error.field || "";
  const own = { end_before_start: t("week_end_after_start") }[error.code]
    || (field === "days" && error.code === "required" ? t("week_no_days") : error.message);
  const holiday = /^holidays\[(\d+)\]/.exec(field);
  if (field.startsWith("days")) {
    showFieldError($("week-days"), own);
  } else if (field === "start" || field === "end") {
    showFieldError(form.elements[field], own);
  } else if (holiday) {
    const card = $("holiday-list").querySelector(`[data-index="${holiday[1]}"]`);
    if (card) card.append(h("p", { class: "field-error", role: "alert" }, own));
    else generalError(t("not_saved", { reason: own }));
  } else {
    generalError(t("not_saved", { reason: reason(error) }));
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  $("week-saved").hidden = true;
  const days = dayBoxes().filter((box) => box.checked).map((box) => Number(box.value));
  const start = form.elements.start.value;
  const end = form.elements.end.value;
  // The same rules as the server's, so the common slips are shown without a round trip.
  if (!days.length) return showFieldError($("week-days"), t("week_no_days"));
  if (!start) return showFieldError(form.elements.start, t("week_time"));
  if (!end) return showFieldError(form.elements.end, t("week_time"));
  if (end <= start) return showFieldError(form.elements.end, t("week_end_after_start"));
  try {
    fill(await api("PUT", "/api/admin/working-hours", { days, start, end, holidays, version }));
    $("week-unsaved").hidden = true;
    $("week-saved").textContent = t("week_saved");
    $("week-saved").hidden = false;
    announce(t("week_saved"));
  } catch (error) {
    if (error instanceof ApiError && error.code === "stale" && error.current) {
      fill(error.current);
      $("week-unsaved").hidden = true;
      generalError(t("week_stale"));
      announce(t("week_stale"));
    } else if (error instanceof ApiError) {
      showProblem(error);
    } else {
      generalError(t("not_saved", { reason: reason(error) }));
    }
  }
});

async function load() {
  fillYears();
  try {
    fill(await api("GET", "/api/admin/working-hours"));
  } catch (error) {
    generalError(error instanceof OfflineError ? t("offline") : t("load_failed"));
  }
}

load();
