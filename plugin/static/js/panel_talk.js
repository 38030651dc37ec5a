// The panel's help for holding the talk, around the agreements: the agenda, the talk's clock,
// the question check, the agreement check under the new agreement, the feedback composer.
// panel.js owns the talk's state and the live poll; this module renders from it.

import { api } from "./api.js";
import { Agenda } from "./agenda.js";
import { agreementCheck, FeedbackComposer, questionCheck, runningText } from "./companion.js";
import { announce, t } from "./ui.js";

export function mountCompanion({ boot, base, addForm, getTalk, setTalk, poll }) {
  const agenda = new Agenda({
    root: document.getElementById("agenda-section"),
    boot,
    base,
    onTalk: (talk) => (talk ? setTalk(talk) : poll()),
    toAgreement: (text) => {
      const what = addForm.elements.what;
      what.value = text;
      what.dispatchEvent(new Event("input"));
      what.focus();
      what.scrollIntoView({ block: "center" });
      announce(t("agenda.prefilled"));
    },
  });
  document.getElementById("question-check").replaceChildren(questionCheck());
  addForm.elements.what.closest(".field").after(agreementCheck(addForm));
  const composer = new FeedbackComposer({
    root: document.getElementById("feedback"),
    base,
    addAgreement: async (what) => {
      const made = await api("POST", `${base}/agreements`, { what });
      poll();
      return made;
    },
  });
  const running = document.getElementById("talk-running");
  const tick = () => {
    const text = runningText(getTalk());
    running.hidden = !text;
    running.textContent = text || "";
  };
  // The minutes move on by themselves; everything else follows the talk.
  setInterval(tick, 15000);
  let loaded = false;
  return {
    render(talk) {
      agenda.render(talk);
      tick();
      const open = !talk.read_only && ["planned", "held"].includes(talk.status);
      document.getElementById("feedback-section").hidden = !open;
      // The question check is the lead's tool: the guide asks the lead for open questions.
      document.getElementById("question-check").hidden = !open || talk.my_role !== "lead";
      if (open && !loaded) {
        loaded = true;
        composer.load();
      }
    },
  };
}
