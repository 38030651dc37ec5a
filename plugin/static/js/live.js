// Live sync by conditional polling: cheap 304s while nothing changes, the new state when it does.
// State lives in the database only, so this works across worker processes and instances.

import { identityHeaders, OfflineError } from "./api.js";

export class LivePoller {
  constructor(url, { interval = 500, onChange, onReachable, onOffline }) {
    this.url = url;
    this.interval = interval;
    this.etag = null;
    this.onChange = onChange;
    this.onReachable = onReachable || (() => {});
    this.onOffline = onOffline || (() => {});
    this.online = true;
    this.timer = null;
    this.stopped = false;
  }

  start() {
    this.stopped = false;
    window.addEventListener("online", () => this.poll());
    this.poll();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  /** Poll now (after a local save, so the panel shows the server's truth at once). */
  async poll() {
    clearTimeout(this.timer);
    try {
      const headers = { Accept: "application/json", ...(await identityHeaders("GET")) };
      if (this.etag) headers["If-None-Match"] = this.etag;
      let response;
      try {
        response = await fetch(this.url, { headers, credentials: "same-origin", cache: "no-store" });
      } catch (error) {
        throw new OfflineError(String(error));
      }
      this.online = true;
      if (response.status === 200) {
        this.etag = response.headers.get("ETag");
        this.onChange(await response.json());
      }
      // Every answer proves the connection works: the page may send what it kept meanwhile.
      await this.onReachable();
    } catch (error) {
      if (error instanceof OfflineError) {
        if (this.online) { this.online = false; this.onOffline(); }
      } else {
        console.error(error);
      }
    } finally {
      if (!this.stopped) this.timer = setTimeout(() => this.poll(), this.interval);
    }
  }
}
