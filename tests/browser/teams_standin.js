// A stand-in for TeamsJS in the browser tests. Like the real library it talks to its host by
// postMessage: the host is the test's harness page (the parent frame, or the opener of an
// authentication pop-up), which answers with the context and token the test chose.
(function () {
  "use strict";
  const host = window.opener || window.parent;
  const pending = new Map();
  const handlers = {};
  let next = 1;

  function call(name, ...args) {
    return new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      host.postMessage({ standin: true, id, call: name, args }, "*");
    });
  }

  window.addEventListener("message", (event) => {
    const message = event.data;
    if (!message || !message.standin) return;
    if (message.id && pending.has(message.id) && !message.call) {
      const { resolve, reject } = pending.get(message.id);
      pending.delete(message.id);
      if (message.error) reject(new Error(message.error));
      else resolve(message.value);
    } else if (message.call && event.source !== host) {
      // Our own authentication pop-up starting up: answer as its host would.
      event.source.postMessage({ standin: true, id: message.id, value: true }, "*");
    } else if (message.event && handlers[message.event]) {
      handlers[message.event](message.value);
    }
  });

  window.microsoftTeams = {
    app: {
      initialize: () => call("initialize"),
      getContext: () => call("getContext"),
      registerOnThemeChangeHandler: (handler) => { handlers.themeChange = handler; },
      notifySuccess: () => call("notifySuccess"),
      notifyFailure: (reason) => call("notifyFailure", reason),
    },
    authentication: {
      getAuthToken: () => call("getAuthToken"),
      authenticate: ({ url, width, height }) => new Promise((resolve, reject) => {
        handlers.authResult = (outcome) => (outcome.ok ? resolve(outcome.result) : reject(new Error(outcome.reason)));
        call("authenticate", url);
        window.open(url, "og-auth", `width=${width || 600},height=${height || 535}`);
      }),
      notifySuccess: (result) => {
        window.opener.postMessage({ standin: true, event: "authResult", value: { ok: true, result } }, "*");
        window.close();
      },
      notifyFailure: (reason) => {
        window.opener.postMessage({ standin: true, event: "authResult", value: { ok: false, reason } }, "*");
        window.close();
      },
    },
    pages: {
      config: {
        registerOnSaveHandler: (handler) => {
          handlers.save = () => handler({
            notifySuccess: () => call("saveSucceeded"),
            notifyFailure: (reason) => call("saveFailed", reason),
          });
        },
        setValidityState: (valid) => call("setValidityState", valid),
        setConfig: (config) => call("setConfig", config),
      },
    },
  };
})();
