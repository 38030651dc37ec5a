// The one way pages talk to the server: JSON with the CSRF token, errors as ApiError.

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
  }
}

/** Thrown when the request never reached the server (offline, server down). */
export class OfflineError extends Error {}

export function bootData() {
  return boot;
}

export async function api(method, url, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") headers["X-CSRF-Token"] = boot.csrf || "";
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response;
  try {
    response = await fetch(url, {
      method,
      headers,
      credentials: "same-origin",
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new OfflineError(String(error));
  }
  const data = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}
