// The admin page: the terms (retention, follow-up interval), talks that lag behind, one
// person's data as a download, and the access log a page at a time. The working week and
// holidays are admin_week.js's. A save names the version of the terms it was based on.

import { api, ApiError, identityHeaders, OfflineError } from "./api.js";
import { announce, clearErrors, formatDateTime, h, showFieldError, t } from "./ui.js";

const $ = (id) => document.getElementById(id);
const form = $("terms-form");
const FIELDS = {
  retention_months: "months_range",
  audit_retention_months: "months_range",
  follow_up_interval_weeks: "weeks_range",
};
let auditPage = 0;
let termsVersion = 0;

function reason(error) {
  return error instanceof OfflineError ? t("offline") : error.message;
}

function fillTerms(terms) {
  for (const name of Object.keys(FIELDS)) form.elements[name].value = String(terms[name]);
  termsVersion = terms.version;
}

/** A whole number within the field's bounds, or null (the server checks the same). */
function wholeNumber(input) {
  const text = input.value.trim();
  if (!/^\d+$/.test(text)) return null;
  const value = Number(text);
  return value >= Number(input.min) && value <= Number(input.max) ? value : null;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  $("terms-saved").hidden = true;
  const body = {};
  let first = true;
  for (const [name, message] of Object.entries(FIELDS)) {
    const input = form.elements[name];
    body[name] = wholeNumber(input);
    if (body[name] === null) {
      showFieldError(input, t(message), { focus: first });
      first = false;
    }
  }
  if (!first) return;
  try {
    fillTerms(await api("PUT", "/api/admin/settings", { ...body, version: termsVersion }));
    $("terms-saved").textContent = t("saved");
    $("terms-saved").hidden = false;
    announce(t("saved"));
  } catch (error) {
    if (error instanceof ApiError && error.code === "stale" && error.current) {
      // Another admin saved first: show theirs, never overwrite it unseen.
      fillTerms(error.current);
      const slot = form.querySelector(".form-error");
      slot.textContent = t("terms_stale");
      slot.hidden = false;
      announce(t("terms_stale"));
      return;
    }
    const input = error instanceof ApiError && error.field ? form.elements[error.field.split(".")[0]] : null;
    if (input) showFieldError(input, t(FIELDS[input.name]));
    else {
      const slot = form.querySelector(".form-error");
      slot.textContent = t("not_saved", { reason: reason(error) });
      slot.hidden = false;
    }
  }
});

function lateCard(talk) {
  return h("li", { class: "card" },
    h("strong", {}, t("lead_learner", { lead: talk.lead, learner: talk.learner })),
    h("div", { class: "meta" },
      h("time", { datetime: talk.starts_at }, formatDateTime(talk.starts_at)), " · ",
      h("span", { class: "badge warn" }, t(`late_${talk.late}`))),
    h("div", { class: "meta" }, t("talk_id", { id: talk.talk_id })));
}

function showLate(talks) {
  $("late-list").replaceChildren(
    talks.length ? h("ul", { class: "cards" }, talks.map(lateCard)) : h("p", { class: "muted" }, t("no_late")));
}

function showPeople(people) {
  $("export-person").replaceChildren(...people.map((p) => h("option", { value: p.id }, `${p.name} (${p.email})`)));
  $("export-button").disabled = people.length === 0;
}

function who(name) {
  if (name === null || name === undefined) return t("someone_on_server");
  return name || t("someone_removed");
}

function auditCard(entry) {
  return h("li", { class: "card" },
    t(`action_${entry.action}`, { actor: who(entry.actor), subject: who(entry.subject) }),
    h("div", { class: "meta" },
      h("time", { datetime: entry.at }, formatDateTime(entry.at)), " · ", t(`via_${entry.via}`),
      entry.talk_id ? ` · ${t("talk_id", { id: entry.talk_id })}` : ""));
}

async function loadAudit(page) {
  const data = await api("GET", `/api/admin/audit?page=${page}`);
  auditPage = data.page;
  $("audit-list").replaceChildren(
    data.entries.length ? h("ul", { class: "cards" }, data.entries.map(auditCard)) : h("p", { class: "muted" }, t("no_audit")));
  $("audit-newer").hidden = auditPage === 0;
  $("audit-older").hidden = !data.more;
}

$("audit-newer").addEventListener("click", () => loadAudit(Math.max(0, auditPage - 1)));
$("audit-older").addEventListener("click", () => loadAudit(auditPage + 1));

$("export-button").addEventListener("click", async () => {
  const error = $("export-error");
  error.hidden = true;
  const id = $("export-person").value;
  try {
    // A fetch, not a link: inside Teams only the host's token says who is asking.
    const response = await fetch(`/api/admin/people/${encodeURIComponent(id)}/export`, {
      headers: await identityHeaders("GET"), credentials: "same-origin",
    });
    if (!response.ok) throw new Error(String(response.status));
    const name = /filename="?([^";]+)"?/.exec(response.headers.get("Content-Disposition") || "");
    const url = URL.createObjectURL(await response.blob());
    const link = h("a", { href: url, download: name ? name[1] : "ontwikkelgesprek-export.zip", hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
    await loadAudit(0); // the download is in the log now
  } catch {
    error.textContent = t("export_failed");
    error.hidden = false;
  }
});

async function load() {
  const status = $("admin-status");
  try {
    const [terms, late, people] = await Promise.all([
      api("GET", "/api/admin/settings"), api("GET", "/api/admin/late"), api("GET", "/api/admin/people"),
    ]);
    fillTerms(terms);
    showLate(late.talks);
    showPeople(people.people);
    await loadAudit(0);
    status.textContent = t("loaded");
    status.classList.add("ok");
  } catch (error) {
    status.textContent = error instanceof OfflineError ? t("offline") : t("load_failed");
    status.classList.add("offline");
  }
}

load();
