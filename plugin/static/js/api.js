// The one way pages talk to the server: JSON with the CSRF token (local mode) or the host's
// SSO token (inside Teams), errors as ApiError.

import { authorization } from "./teams.js";

const boot = JSON.parse(document.getElementById("og-boot")?.textContent || "{}");

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.message || `HTTP ${status}`);
    this.status = status;
    this.code = error.code || "http";
    this.field = error.field || null;
    this.details = error.details || [];
    this.current = error.current;
    this.consentUrl = error.consent_url || null;
  }
}

/** Thrown when the request never reached the server (offline, server down). */
export class OfflineError extends Error {}

export function bootData() {
  return boot;
}

/** Headers that say who is asking: the host's token inside Teams, else the session's. */
export async function identityHeaders(method, { renew = false } = {}) {
  const bearer = await authorization({ renew });
  if (bearer) return { Authorization: bearer };
  return method === "GET" ? {} : { "X-CSRF-Token": boot.csrf || "" };
}

/**
 * A change of a talk as a whole (sharing, its follow-up, its meeting), sent as based on the
 * version last seen. If the talk moved on meanwhile (the follow-up booked in the background, a
 * calendar update), none of that is what this change is about: the refusal carries the talk as
 * it is now, so send once more with that version. A real refusal (locked, already booked) stays.
 */
export async function withCurrentVersion(version, send) {
  try {
    return await send(version);
  } catch (error) {
    if (!(error instanceof ApiError && error.code === "stale" && error.current)) throw error;
    return send(error.current.version);
  }
}

export async function api(method, url, body) {
  let response = await send(method, url, body, false);
  if (response.status === 401 && (await authorization())) {
    response = await send(method, url, body, true); // the token expired under us: once more
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

async function send(method, url, body, renew) {
  const headers = { Accept: "application/json", ...(await identityHeaders(method, { renew })) };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  try {
    return await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new OfflineError(String(error));
  }
}
