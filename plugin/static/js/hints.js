// Hints during the talk are hints: they never block, and each kind can be folded away. The
// choice is the person's, remembered on the server (PUT /api/me/hints), so it holds on every
// device and in every talk.

import { api, bootData } from "./api.js";
import { h } from "./ui.js";

const folded = new Set(bootData().folded_hints || []);
let saving = Promise.resolve();

/** A foldable hint of kind `name` ("questions", "question_check", "feedback", "summarise",
 * "agreement_check"): open unless this person folded that kind away. */
export function hintBlock(name, title, ...content) {
  const details = h("details", { class: "hint-block", "data-hint": name, open: !folded.has(name) },
    h("summary", {}, title), ...content);
  details.addEventListener("toggle", () => remember(name, !details.open));
  return details;
}

function remember(name, fold) {
  if (folded.has(name) === fold) return;
  if (fold) folded.add(name);
  else folded.delete(name);
  // Every block of this kind follows, in this page too.
  for (const other of document.querySelectorAll(`details[data-hint="${name}"]`)) {
    if (other.open === fold) other.open = !fold;
  }
  const body = { folded: [...folded] };
  saving = saving.then(() => api("PUT", "/api/me/hints", body)).catch(() => {
    // Not saved (offline): the page keeps the choice; the next toggle tries again.
  });
}

/** For tests and pages: wait until the last choice reached the server. */
export function hintsSaved() {
  return saving;
}
