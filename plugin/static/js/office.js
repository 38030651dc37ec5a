// Office.js for the task pane: loading it, its callback calls as promises, the mailbox's
// requirement sets, following Office's language and theme, reading the appointment, and our
// API called with Office's SSO token.

import { ApiError, OfflineError } from "./api.js";

/** The sign-in through Office failed (its error code, if it gave one). */
export class SignInError extends Error {
  constructor(error) {
    super(error?.message || "sign-in failed");
    this.code = error?.code ?? null;
  }
}

// -- Office.js --------------------------------------------------------------------------------

export function loadOffice(src) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = src;
    script.onload = resolve;
    script.onerror = () => reject(new Error("Office.js did not load"));
    document.head.append(script);
  });
}

/** One of Office.js's callback calls as a promise of its value. */
export function officeCall(start) {
  return new Promise((resolve, reject) => {
    start((result) => {
      if (result.status === Office.AsyncResultStatus.Succeeded) resolve(result.value);
      else reject(result.error || new Error("Office.js call failed"));
    });
  });
}

export function supports(set, version) {
  return Boolean(Office.context.requirements?.isSetSupported(set, version));
}

/** Office's display language, if it is one of ours and differs from the page's: reload in it. */
export function followLanguage(lang) {
  const wanted = (Office.context.displayLanguage || "").slice(0, 2).toLowerCase();
  const url = new URL(location.href);
  if (!["nl", "en"].includes(wanted) || wanted === lang || url.searchParams.has("lang")) return false;
  url.searchParams.set("lang", wanted);
  location.replace(url.href);
  return true;
}

function isDark(color) {
  const hex = /^#?([0-9a-f]{6})$/i.exec(String(color).trim());
  if (!hex) return false;
  const n = parseInt(hex[1], 16);
  return 0.2126 * ((n >> 16) & 255) + 0.7152 * ((n >> 8) & 255) + 0.0722 * (n & 255) < 128;
}

export function followTheme() {
  const background = Office.context.officeTheme?.bodyBackgroundColor;
  if (background) document.documentElement.dataset.theme = isDark(background) ? "dark" : "light";
}

export async function readAppointment(item) {
  const get = (property) => officeCall((done) => property.getAsync(done));
  const organizer = supports("Mailbox", "1.7") && item.organizer?.getAsync ? get(item.organizer) : null;
  const [subject, start, end, required, optional, organiser] = await Promise.all([
    get(item.subject), get(item.start), get(item.end),
    get(item.requiredAttendees), get(item.optionalAttendees), organizer,
  ]);
  // The organiser is never the learner: leave them out of the people on offer.
  const seen = new Set(organiser?.emailAddress ? [organiser.emailAddress.toLowerCase()] : []);
  const people = [];
  for (const person of [...(required || []), ...(optional || [])]) {
    const email = (person.emailAddress || "").trim();
    if (!email || seen.has(email.toLowerCase())) continue;
    seen.add(email.toLowerCase());
    people.push({ email, name: (person.displayName || email).slice(0, 256) });
  }
  return { subject, start: new Date(start), end: new Date(end), attendees: people };
}

/** The appointment's id, if Outlook gives it now (a new, unsaved appointment has none). */
export async function currentItemId(item) {
  if (!supports("Mailbox", "1.8")) return null;
  try {
    return (await officeCall((done) => item.getItemIdAsync(done))) || null;
  } catch {
    return null;
  }
}

// -- the API, with Office's token -------------------------------------------------------------

/** Our API with Office's SSO token as a bearer (kept in this closure's memory only), asking for
 * the server's messages in `lang` (Office's language, not the browser's). */
export function officeApi(lang) {
  let token = null;

  async function bearer(renew) {
    if (!token || renew) {
      try {
        token = await Office.auth.getAccessToken({ allowSignInPrompt: true, allowConsentPrompt: true });
      } catch (error) {
        throw new SignInError(error);
      }
    }
    return `Bearer ${token}`;
  }

  async function send(method, url, body, renew) {
    const headers = {
      Accept: "application/json",
      "Content-Type": "application/json",
      // The server's messages in the pane's language (Office's), not the browser's.
      "Accept-Language": lang,
      Authorization: await bearer(renew),
    };
    try {
      return await fetch(url, { method, headers, credentials: "omit", body: JSON.stringify(body) });
    } catch (error) {
      throw new OfflineError(String(error));
    }
  }

  async function post(url, body) {
    let response = await send("POST", url, body, false);
    if (response.status === 401) response = await send("POST", url, body, true); // expired: once more
    const data = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, data);
    return data;
  }

  return { post };
}
