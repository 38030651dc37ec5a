// A stand-in for Office.js in the browser tests of the Outlook task pane (taskpane.js).
//
// Like the real library it talks to its host by postMessage: the host is the test's harness
// page (`outlook_harness.html`, the parent frame), which answers from the state the test put
// into `window.harness` (the appointment, the token, what fails). It implements exactly what
// taskpane.js calls, nothing more:
//
//   Office.onReady()                                   -> Promise<{host, platform}>; outside a
//                                                         frame {host: null, platform: null}
//   Office.AsyncResultStatus.{Succeeded, Failed}, Office.CoercionType.{Html, Text}
//   Office.context.displayLanguage, Office.context.officeTheme.bodyBackgroundColor (and the
//     other three colours), Office.context.requirements.isSetSupported(name, version)
//   Office.context.ui.openBrowserWindow(url)           (only while Mailbox 1.5 is reported)
//   Office.context.mailbox.item:
//     subject / start / end / requiredAttendees / optionalAttendees / organizer .getAsync([options,] callback)
//     getItemIdAsync([options,] callback)              fails while the item has no id (unsaved)
//     saveAsync([options,] callback)                   value: the item's id (it has one after)
//     body.prependAsync(data, [options,] callback)     the harness puts `data` before the body
//   Office.auth.getAccessToken(options)                -> Promise<token>; rejects with {code, name, message}
//
// Callbacks get an AsyncResult: {status, value, error: {code, name, message}, asyncContext}.
(function () {
  "use strict";
  const host = window.parent;
  const pending = new Map();
  let next = 1;

  function call(name, ...args) {
    return new Promise((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve, reject });
      host.postMessage({ officeStandin: true, id, call: name, args }, "*");
    });
  }

  window.addEventListener("message", (event) => {
    const message = event.data;
    if (!message || !message.officeStandin || !pending.has(message.id) || event.source !== host) return;
    const { resolve, reject } = pending.get(message.id);
    pending.delete(message.id);
    if (message.error) reject(message.error);
    else resolve(message.value);
  });

  const Status = { Succeeded: "succeeded", Failed: "failed" };

  /** An Office-style async method: optional options, then a callback with an AsyncResult. */
  function asyncMethod(name, convert = (value) => value, leading = 0) {
    return function (...args) {
      const given = args.slice(0, leading);
      const rest = args.slice(leading);
      const callback = rest.find((arg) => typeof arg === "function");
      const options = rest.find((arg) => arg && typeof arg === "object") || {};
      call(name, ...given, options).then(
        (value) => callback && callback({ status: Status.Succeeded, value: convert(value), asyncContext: options.asyncContext }),
        (error) => callback && callback({ status: Status.Failed, value: undefined, error, asyncContext: options.asyncContext }),
      );
    };
  }

  const getter = (name, convert) => ({ getAsync: asyncMethod(`get:${name}`, convert) });
  const toDate = (value) => new Date(value);

  function versionAtLeast(have, want) {
    const a = String(have).split(".").map(Number);
    const b = String(want || "1.1").split(".").map(Number);
    for (let i = 0; i < Math.max(a.length, b.length); i++) {
      if ((a[i] || 0) !== (b[i] || 0)) return (a[i] || 0) > (b[i] || 0);
    }
    return true;
  }

  let ready = null;

  window.Office = {
    AsyncResultStatus: Status,
    CoercionType: { Html: "html", Text: "text" },
    context: null,
    auth: {
      getAccessToken: (options) => call("getAccessToken", options || {}),
    },
    onReady(callback) {
      if (!ready) {
        ready = window.parent === window
          ? Promise.resolve({ host: null, platform: null })
          : call("ready").then((state) => {
            const sets = state.sets || {};
            const supported = (name, version) => name in sets && versionAtLeast(sets[name], version);
            window.Office.context = {
              displayLanguage: state.displayLanguage,
              officeTheme: state.officeTheme,
              requirements: {
                isSetSupported: supported,
              },
              ui: supported("Mailbox", "1.5")
                ? { openBrowserWindow: (url) => { call("openBrowserWindow", url); } }
                : {},
              mailbox: {
                item: {
                  itemType: "appointment",
                  subject: getter("subject"),
                  start: getter("start", toDate),
                  end: getter("end", toDate),
                  requiredAttendees: getter("requiredAttendees"),
                  optionalAttendees: getter("optionalAttendees"),
                  organizer: getter("organizer"),
                  getItemIdAsync: asyncMethod("getItemId"),
                  saveAsync: asyncMethod("save"),
                  body: { prependAsync: asyncMethod("prepend", undefined, 1) },
                },
              },
            };
            return { host: state.host, platform: state.platform };
          });
      }
      if (callback) ready.then(callback);
      return ready;
    },
  };
})();
