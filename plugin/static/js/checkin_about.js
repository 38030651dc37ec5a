// A check-in's first page (templates/pages/_check_in_about.html): the server wrote the
// agreement and its history; this writes the dates out in the reader's language and gives the
// lead Move and Cancel while the check-in is still to come. Nothing to prepare here.

import { bootData } from "./api.js";
import { canChange, talkActions } from "./talk_actions.js";
import { formatDate, formatDateTime, t } from "./ui.js";
import { dayOf } from "./checkin.js";

const boot = bootData();
const talk = boot.talk || {};

const when = document.getElementById("talk-when");
if (when && talk.starts_at) when.textContent = formatDateTime(talk.starts_at, boot.lang);
for (const el of document.querySelectorAll("time[data-format='date']")) {
  el.textContent = formatDate(dayOf(el.getAttribute("datetime")), boot.lang);
}
const reason = document.getElementById("check-in-reason");
if (reason && reason.dataset.due) {
  reason.textContent = t("checkin.reason.overdue", { date: formatDate(reason.dataset.due, boot.lang) });
}

const actionsSlot = document.getElementById("talk-actions");
if (actionsSlot && canChange(talk)) {
  actionsSlot.append(talkActions(talk, {
    onMoved: (moved) => {
      when.setAttribute("datetime", moved.starts_at);
      when.textContent = formatDateTime(moved.starts_at, boot.lang);
    },
    onCancelled: () => {
      actionsSlot.replaceChildren();
      document.getElementById("talk-calendar")?.replaceChildren();
      const notice = document.getElementById("cancelled-notice");
      notice.hidden = false;
      notice.focus();
    },
  }));
}
