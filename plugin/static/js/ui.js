// Small DOM helpers shared by the pages: text-only element building, field errors, live regions.

const strings = JSON.parse(document.getElementById("og-strings")?.textContent || "{}");

/** A translated UI string (rendered by the server into the page), with {name} placeholders. */
export function t(key, params = {}) {
  const text = strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
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

/** Announce a message to screen readers through the page's polite live region. */
export function announce(message) {
  const region = document.getElementById("og-announcer");
  if (!region) return;
  region.textContent = "";
  // A fresh text node makes screen readers read the same message again.
  requestAnimationFrame(() => { region.textContent = message; });
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
      const id = `${input.id || name}-error`;
      const message = h("p", { class: "field-error", id, role: "alert" }, item.message);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
      input.closest(".field, label, fieldset")?.append(message) ?? input.after(message);
      if (!shown) input.focus();
      shown = true;
    }
  }
  if (!shown) {
    const slot = form.querySelector(".form-error");
    if (slot) { slot.textContent = error.message; slot.hidden = false; }
  }
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((el) => el.remove());
  form.querySelectorAll("[aria-invalid]").forEach((el) => {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-describedby");
  });
  const slot = form.querySelector(".form-error");
  if (slot) { slot.textContent = ""; slot.hidden = true; }
}

export function formatDateTime(iso, lang) {
  return new Intl.DateTimeFormat(lang || document.documentElement.lang, {
    weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit",
    timeZone: "Europe/Amsterdam",
  }).format(new Date(iso));
}

export function formatDate(isoDate, lang) {
  const [y, m, d] = isoDate.split("-").map(Number);
  return new Intl.DateTimeFormat(lang || document.documentElement.lang, {
    day: "numeric", month: "short", year: "numeric", timeZone: "UTC",
  }).format(new Date(Date.UTC(y, m - 1, d)));
}
