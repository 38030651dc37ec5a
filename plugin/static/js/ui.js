// Small DOM helpers shared by the pages: text-only element building, field errors, live regions.

const parsed = (id) => JSON.parse(document.getElementById(id)?.textContent || "{}");
// The page's own strings, over the few every page shares (base.html: counters, dates) and
// those of a shared part it includes (moving and cancelling a talk).
const strings = { ...parsed("og-ui-strings"), ...parsed("og-talk-action-strings"), ...parsed("og-strings") };

const fill = (text, params) => text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));

/** A translated UI string (rendered by the server into the page), with {name} placeholders. */
export function t(key, params = {}) {
  return fill(strings[key] ?? key, params);
}

/** `t` for a part a page includes with strings of its own (`<script id=...>`), which may use
 * the same keys as the page's. */
export function stringsOf(id) {
  const own = parsed(id);
  return (key, params = {}) => fill(own[key] ?? key, params);
}

/** Build an element; children are nodes or strings (always inserted as text, never as HTML). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === false || value === null || value === undefined) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else if (value === true) el.setAttribute(key, "");
    else el.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** "Sem Bakker" → "Sem": pages speak about the other person by their first name. */
export function firstName(name) {
  return String(name || "").trim().split(/\s+/)[0] || name;
}

/** Announce a message to screen readers through the page's polite live region. */
export function announce(message) {
  const region = document.getElementById("og-announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node makes screen readers read the same message again.
  requestAnimationFrame(() => { region.textContent = message; });
}

/** Add or remove one id in an element's aria-describedby, keeping the others (a hint, a counter). */
function describedBy(el, id, on) {
  const ids = (el.getAttribute("aria-describedby") || "").split(/\s+/).filter((x) => x && x !== id);
  if (on) ids.push(id);
  if (ids.length) el.setAttribute("aria-describedby", ids.join(" "));
  else el.removeAttribute("aria-describedby");
}

/** Show an API error next to the field it concerns (or in the form's general error slot). */
export function showError(form, error) {
  clearErrors(form);
  const items = error.details && error.details.length ? error.details : [{ field: error.field, message: error.message }];
  let shown = false;
  for (const item of items) {
    const name = (item.field || "").split(".")[0];
    const input = name ? form.querySelector(`[name="${CSS.escape(name)}"]`) : null;
    if (input) {
      showFieldError(input, item.message, { focus: !shown });
      shown = true;
    }
  }
  if (!shown) {
    const slot = form.querySelector(".form-error");
    if (slot) { slot.textContent = error.message; slot.hidden = false; }
  }
}

/** A message under one field, which screen readers hear with it. */
export function showFieldError(input, text, { focus = true } = {}) {
  clearFieldError(input);
  const id = `${input.id || input.name}-error`;
  const message = h("p", { class: "field-error", id, role: "alert" }, text);
  input.setAttribute("aria-invalid", "true");
  describedBy(input, id, true);
  const holder = input.closest(".field, label, fieldset");
  if (holder) holder.append(message);
  else input.after(message);
  if (focus) input.focus();
}

export function clearFieldError(input) {
  const id = `${input.id || input.name}-error`;
  document.getElementById(id)?.remove();
  input.removeAttribute("aria-invalid");
  describedBy(input, id, false);
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((el) => {
    if (el.id) form.querySelectorAll("[aria-describedby]").forEach((field) => describedBy(field, el.id, false));
    el.remove();
  });
  form.querySelectorAll("[aria-invalid]").forEach((el) => el.removeAttribute("aria-invalid"));
  const slot = form.querySelector(".form-error");
  if (slot) { slot.textContent = ""; slot.hidden = true; }
}

// -- text limits ----------------------------------------------------------------------------------
// No maxlength on a text field: the browser would cut a long paste at the limit without a word.
// Instead a field with `data-maxlength` gets a counter, and a text over the limit is not sent.

/** Characters as the server counts them: without the spaces around the text, by code point. */
export function textLength(value) {
  return [...String(value || "").trim()].length;
}

/** What to say about a field's text over its limit (`data-maxlength`), or null when it fits. */
export function lengthProblem(field) {
  const max = Number(field.dataset.maxlength);
  const over = textLength(field.value) - max;
  return max && over > 0 ? t("count.too.long", { max, over }) : null;
}

/**
 * A live counter for a field with `data-maxlength` ("312/500"): a warning near the limit, and
 * over it how many too many. Screen readers hear the count with the field (aria-describedby);
 * the page's polite live region speaks only when the text crosses the limit, either way.
 * Returns the counter element, to place under the field. Within the limit again, the field's
 * own too-long message goes; `onCross(over)` tells the page, if it keeps its own errors.
 */
export function characterCounter(field, { onCross } = {}) {
  const max = Number(field.dataset.maxlength);
  const id = `${field.id}-count`;
  const count = h("span", {});
  const over = h("span", {});
  const el = h("p", { class: "char-count", id }, count, h("span", { class: "visually-hidden" }, ` ${t("count.unit")}`), over);
  let wasOver = null;
  const update = () => {
    const length = textLength(field.value);
    const isOver = length > max;
    count.textContent = `${length}/${max}`;
    over.textContent = isOver ? ` · ${t("count.over", { over: length - max })}` : "";
    el.classList.toggle("over", isOver);
    el.classList.toggle("near", !isOver && length >= max * 0.9);
    if (wasOver !== null && isOver !== wasOver) {
      announce(isOver ? t("count.crossed", { max }) : t("count.back", { max }));
      if (!isOver) clearFieldError(field);
      onCross?.(isOver);
    }
    wasOver = isOver;
  };
  describedBy(field, id, true);
  field.addEventListener("input", update);
  // A form reset empties the field without an input event: count again once it has.
  field.form?.addEventListener("reset", () => setTimeout(update));
  update();
  return el;
}

/** Counters under every field with `data-maxlength` in `root` (fields the template wrote). */
export function countCharacters(root = document) {
  for (const field of root.querySelectorAll("[data-maxlength]")) {
    if (!document.getElementById(`${field.id}-count`)) field.after(characterCounter(field));
  }
}

/** Check the form's limited fields before sending: mark each one over its limit; true if all fit.
 * A hidden or disabled field is not sent, so it does not count. */
export function withinLimits(form) {
  let fits = true;
  for (const field of form.querySelectorAll("[data-maxlength]")) {
    if (field.disabled || field.closest("[hidden]")) continue;
    const problem = lengthProblem(field);
    if (problem) {
      showFieldError(field, problem, { focus: fits });
      fits = false;
    }
  }
  return fits;
}

export function formatDateTime(iso, lang) {
  return new Intl.DateTimeFormat(lang || document.documentElement.lang, {
    weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: "Europe/Amsterdam",
  }).format(new Date(iso));
}

/** The locale for Intl: English as in Britain (16 December, 08:30), not as in the US. */
function intlLocale(lang) {
  const chosen = lang || document.documentElement.lang || "nl";
  return chosen === "en" ? "en-GB" : chosen;
}

/** "woensdag 16 december om 08:30" (in Amsterdam); the year only when it is not this year. */
export function formatWhen(iso, lang) {
  const at = new Date(iso);
  const zone = { timeZone: "Europe/Amsterdam" };
  const yearOf = (d) => new Intl.DateTimeFormat("en", { ...zone, year: "numeric" }).format(d);
  const locale = intlLocale(lang);
  const date = new Intl.DateTimeFormat(locale, {
    ...zone, weekday: "long", day: "numeric", month: "long",
    ...(yearOf(at) === yearOf(new Date()) ? {} : { year: "numeric" }),
  }).format(at);
  const time = new Intl.DateTimeFormat(locale, { ...zone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).format(at);
  return t("when", { date, time });
}

export function formatDate(isoDate, lang) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return new Intl.DateTimeFormat(lang || document.documentElement.lang, {
    day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
  }).format(new Date(Date.UTC(y, m - 1, d)));
}
