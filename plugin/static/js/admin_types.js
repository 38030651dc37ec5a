// The admin page's kinds of talk (pages/admin_types.html): the list of what this organisation
// offers, a download of each kind's file, an upload that adds or replaces one, hiding and
// removing. Every change names the version of the kind it saw, and answers with the whole list.

import { api, ApiError, identityHeaders, OfflineError } from "./api.js";
import { announce, clearErrors, formatDateTime, h, showFieldError, stringsOf } from "./ui.js";

// This part's own strings: it is included in a page that has strings of its own.
const say = stringsOf("og-admin-types-strings");
const $ = (id) => document.getElementById(id);
const form = $("types-upload");
const fileInput = $("type-file");
let shown = [];

function reason(error) {
  return error instanceof OfflineError ? say("offline") : error.message;
}

/** One line in the status bar above the list (a problem stands out, and is heard). */
function status(text, problem = false) {
  const bar = $("types-status");
  bar.textContent = text;
  bar.classList.toggle("ok", !problem);
  bar.classList.toggle("offline", problem);
  announce(text);
}

function changedLine(type) {
  if (!type.changed_at || type.changed_by === null) return null;
  return h("div", { class: "meta" },
    say("changed", { who: type.changed_by || say("someone_removed"), when: formatDateTime(type.changed_at) }));
}

function actions(type) {
  const name = type.name;
  const buttons = [
    h("button", { type: "button", class: "secondary", "aria-label": say("download", { name }), onclick: () => download(type) },
      say("download_short")),
  ];
  if (type.can_hide) {
    const hide = !type.hidden;
    buttons.push(h("button", {
      type: "button", class: "secondary", "aria-label": say(hide ? "hide" : "show", { name }),
      onclick: () => change("PUT", `${url(type.id)}/hidden`, { version: type.version, hidden: hide },
        hide ? "hidden_done" : "shown_done", name),
    }, say(hide ? "hide_short" : "show_short")));
  }
  if (type.can_remove) {
    buttons.push(h("button", {
      type: "button", class: "danger", "aria-label": say("remove", { name }),
      onclick: () => {
        if (!window.confirm(say(type.replaces ? "remove_ask_replaced" : "remove_ask", { name }))) return;
        change("DELETE", `${url(type.id)}?version=${type.version}`, undefined, "removed_done", name);
      },
    }, say("remove_short")));
  }
  return h("div", { class: "actions" }, buttons);
}

function card(type) {
  const origin = type.replaces ? say(`replaces_${type.replaces}`) : say(`source_${type.source}`);
  return h("li", { class: "card", "data-type": type.id },
    h("strong", {}, type.name),
    type.default ? [" ", h("span", { class: "badge ok" }, say("default"))] : null,
    type.hidden ? [" ", h("span", { class: "badge warn" }, say("hidden"))] : null,
    h("div", { class: "meta" }, h("code", {}, type.id), ` · ${origin}`),
    h("div", { class: "meta" },
      say("check_code", { code: type.check_code }), " · ", say("file_version", { version: type.type_version })),
    changedLine(type),
    actions(type));
}

function show(listing) {
  shown = listing.types;
  $("types-list").replaceChildren(h("ul", { class: "cards" }, shown.map(card)));
}

function url(id) {
  return `/api/admin/talk-types/${encodeURIComponent(id)}`;
}

/** Send a change; the answer (or a stale refusal's `current`) is the list as it is now. */
async function change(method, address, body, done, name) {
  try {
    show(await api(method, address, body));
    status(say(done, { name }));
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.code === "stale" && error.current) {
      show(error.current);
      status(say("changed_meanwhile"), true);
    } else {
      status(say("not_saved", { reason: reason(error) }), true);
    }
    return false;
  }
}

async function download(type) {
  try {
    // A fetch, not a link: inside Teams only the host's token says who is asking.
    const response = await fetch(url(type.id), {
      headers: await identityHeaders("GET"), credentials: "same-origin",
    });
    if (!response.ok) throw new Error(String(response.status));
    const href = URL.createObjectURL(await response.blob());
    const link = h("a", { href, download: `${type.id}.json`, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(href), 1000);
  } catch {
    status(say("download_failed"), true);
  }
}

/** The file's id, read here only to know where to send it: the server checks the rest. */
function fileId(text) {
  try {
    const data = JSON.parse(text);
    return data && typeof data.id === "string" && data.id.trim() ? { id: data.id } : { problem: "no_id" };
  } catch {
    return { problem: "not_json" };
  }
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearErrors(form);
  $("types-saved").hidden = true;
  const file = fileInput.files[0];
  if (!file) {
    showFieldError(fileInput, say("choose_file"));
    return;
  }
  const text = await file.text();
  const found = fileId(text);
  if (found.problem) {
    showFieldError(fileInput, say(found.problem));
    return;
  }
  const known = shown.find((t) => t.id === found.id);
  try {
    show(await api("PUT", url(found.id), { version: known ? known.version : 0, file: text }));
    const name = shown.find((t) => t.id === found.id)?.name || found.id;
    $("types-saved").textContent = say("uploaded", { name });
    $("types-saved").hidden = false;
    announce(say("uploaded", { name }));
    form.reset();
  } catch (error) {
    if (error instanceof ApiError && error.code === "stale" && error.current) {
      show(error.current);
      showFieldError(fileInput, say("changed_meanwhile"));
    } else if (error instanceof ApiError && error.status === 422) {
      // The server names the field of the file (a JSON path) in its message.
      showFieldError(fileInput, error.message);
    } else {
      showFieldError(fileInput, say("not_saved", { reason: reason(error) }));
    }
  }
});

async function load() {
  try {
    show(await api("GET", "/api/admin/talk-types"));
    status(say("loaded"));
  } catch (error) {
    status(error instanceof OfflineError ? say("offline") : say("load_failed"), true);
  }
}

load();
