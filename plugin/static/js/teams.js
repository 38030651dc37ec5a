// Pages inside Microsoft Teams, Outlook and the Microsoft 365 app (Microsoft mode).
//
// There, the host loads a page in its frame without saying who is asking: the server answers
// with a small shell. This module then loads TeamsJS (pinned, with subresource integrity),
// reads the host's context, asks the host for a Teams SSO token, and fetches the real page
// with that token as a bearer. The token lives in this module's memory only; `authorization()`
// hands it to the API calls. In local mode nothing here runs and nothing is loaded.

const SHELL = JSON.parse(document.getElementById("og-boot")?.textContent || "{}");
const THEMES = { default: "light", dark: "dark", contrast: "contrast" };
//: Renew the token this long before it expires (ms); TeamsJS caches and refreshes it itself.
const RENEW_MARGIN = 5 * 60 * 1000;

let sdk = null;
let context = null;
let token = null;
let tokenExpires = 0;

/** True when the page runs in a Microsoft host and signs in with its token. */
export function inHost() {
  return sdk !== null;
}

/** The host's context (user, tenant, meeting, chat, frame, theme, locale), or null. */
export function hostContext() {
  return context;
}

/** TeamsJS itself, once initialised (null outside a host). */
export function teamsSdk() {
  return sdk;
}

/** The `Authorization` header value for API calls, or null outside a host. */
export async function authorization({ renew = false } = {}) {
  if (!sdk) return null;
  if (renew || !token || Date.now() > tokenExpires - RENEW_MARGIN) {
    token = await sdk.authentication.getAuthToken();
    tokenExpires = expiryOf(token);
  }
  return `Bearer ${token}`;
}

function expiryOf(jwt) {
  try {
    const payload = jwt.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    return JSON.parse(atob(payload)).exp * 1000;
  } catch {
    return 0; // unknown: ask the host again next time
  }
}

function loadScript(source) {
  return new Promise((resolve, reject) => {
    const script = document.createElement("script");
    script.src = source.src;
    script.integrity = source.integrity;
    script.crossOrigin = "anonymous";
    script.referrerPolicy = "no-referrer";
    script.onload = resolve;
    script.onerror = () => reject(new Error("TeamsJS did not load"));
    document.head.append(script);
  });
}

function applyTheme(theme) {
  document.documentElement.dataset.theme = THEMES[theme] || "light";
}

function showProblem(key) {
  const text = SHELL.strings?.[key] || key;
  const main = document.getElementById("main");
  if (main) {
    main.replaceChildren();
    const p = document.createElement("p");
    p.className = "status-bar offline";
    p.setAttribute("role", "alert");
    p.textContent = text;
    main.append(p);
  }
}

/** The URL of the real page for this frame: the side panel gets the narrow, live view. */
function pageUrl(href) {
  const url = new URL(href);
  if (context?.page?.frameContext === "sidePanel") url.searchParams.set("frame", "sidePanel");
  return url;
}

async function fetchPage(href, renew = false) {
  const headers = { Accept: "text/html", Authorization: await authorization({ renew }) };
  if (context?.app?.locale) headers["Accept-Language"] = context.app.locale;
  return fetch(pageUrl(href), { headers, credentials: "omit", cache: "no-store" });
}

/** Put the signed-in page in place of the shell, and start its scripts. */
async function swapIn(href) {
  let response = await fetchPage(href);
  if (response.status === 401) response = await fetchPage(href, true); // a stale token: once more
  if (response.status === 401) {
    showProblem("no_token");
    return;
  }
  const html = await response.text();
  const page = new DOMParser().parseFromString(html, "text/html");
  document.title = page.title;
  document.documentElement.lang = page.documentElement.lang;
  for (const link of page.head.querySelectorAll('link[rel="stylesheet"]')) {
    if (!document.head.querySelector(`link[href="${CSS.escape(link.getAttribute("href"))}"]`)) {
      document.head.append(document.importNode(link, true));
    }
  }
  const body = document.importNode(page.body, true);
  const scripts = [...body.querySelectorAll("script[src]")];
  for (const script of scripts) script.remove();
  document.body.replaceWith(body);
  // The section a link asked for (a fetch never sends the fragment): keep it, and go there.
  const section = new URL(href).hash;
  history.replaceState(null, "", response.url + section);
  // Scripts that arrive by DOMParser never run; fresh elements do (modules run once per URL).
  for (const old of scripts) {
    const script = document.createElement("script");
    script.type = old.type || "module";
    script.src = old.getAttribute("src");
    document.body.append(script);
  }
  if (section) document.getElementById(decodeURIComponent(section.slice(1)))?.scrollIntoView();
}

/** Downloads need the token too (the talk's .ics from the API, the signed form's PDF): fetch,
 *  then save the file under the name the server gives, if the link names none. */
function downloadsWithToken() {
  document.addEventListener("click", async (event) => {
    const link = event.target.closest?.("a[download][href^='/api/'], a[download][href$='/form.pdf']");
    if (!link) return;
    event.preventDefault();
    const response = await fetch(link.getAttribute("href"), {
      headers: { Authorization: await authorization() },
      credentials: "omit",
    });
    if (!response.ok) return;
    const url = URL.createObjectURL(await response.blob());
    const save = document.createElement("a");
    save.href = url;
    const named = /filename="?([^";]+)"?/i.exec(response.headers.get("Content-Disposition") || "");
    save.download = link.getAttribute("download") || named?.[1] || "talk.ics";
    save.click();
    URL.revokeObjectURL(url);
  });
}

/** Load TeamsJS (pinned, by integrity) and initialise it with the host; returns TeamsJS. */
export async function connect(source) {
  await loadScript(source);
  const teams = window.microsoftTeams;
  await teams.app.initialize();
  return teams;
}

const TALK_PATH = /^\/talks\/([0-9a-f-]{36})(?:\/|$)/;

/** The personal app's deep link; from a talk's page (an invite's link) it opens that talk. */
function personalAppLink(base) {
  const talk = TALK_PATH.exec(location.pathname);
  if (!talk) return base;
  const context = JSON.stringify({ subEntityId: talk[1] });
  return `${base}?context=${encodeURIComponent(context)}`;
}

// Where a deep link into the personal app may lead (Teams passes its subEntityId as
// subPageId): a talk's id (links made from a talk's page), or a path of this app, as the
// activity feed's reminders give it (notify/teams_feed.py): a talk's page, its preparation,
// panel or form, with at most a section's id. Anything else stays on the overview.
const TALK_ID = /^[0-9a-f-]{36}$/;
const TAB_PLACE = /^\/talks\/[0-9a-f-]{36}(?:\/(?:prepare|panel|form))?(?:#[a-z][a-z0-9-]*)?$/;

/** The page a deep link into the personal app asked for, or null for the overview. */
function deepLinkedPage() {
  const wanted = context?.page?.subPageId;
  if (location.pathname !== "/teams/personal" || !wanted) return null;
  if (TALK_ID.test(wanted)) return new URL(`/talks/${wanted}`, location.origin).href;
  if (!TAB_PLACE.test(wanted)) return null;
  return new URL(wanted, location.origin).href;
}

async function start() {
  const framed = window.parent !== window || window.opener;
  if (!framed) {
    showProblem("outside_host");
    if (SHELL.open_in_teams) {
      const link = document.createElement("a");
      link.className = "button";
      link.href = personalAppLink(SHELL.open_in_teams);
      link.textContent = SHELL.open_in_teams_label;
      document.getElementById("main")?.append(link);
    }
    return;
  }
  try {
    sdk = await connect(SHELL.teamsjs);
    context = await sdk.app.getContext();
    applyTheme(context.app?.theme);
    sdk.app.registerOnThemeChangeHandler(applyTheme);
  } catch {
    sdk = null;
    showProblem("no_host");
    return;
  }
  try {
    await authorization();
  } catch {
    showProblem("no_token");
    sdk.app.notifyFailure?.({ reason: "AuthFailed" });
    return;
  }
  downloadsWithToken();
  if (SHELL.host_shell) await swapIn(deepLinkedPage() || location.href);
  sdk.app.notifySuccess?.();
}

if (SHELL.host_shell) await start();
