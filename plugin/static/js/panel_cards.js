// The agreements panel's cards: an agreement as both people see it (wording, owner, due date,
// confirmation, reaction, removal asked), and its editors (the wording, the learner's reaction,
// and the one choice to make when an edit crossed the other person's). panel.js owns the state
// and the sending; it passes them in. Built with h() only (text, never HTML).

import { characterCounter, clearErrors, formatDate, h, t, withinLimits } from "./ui.js";

/** The card views, bound to the panel's state and actions. */
export function cardViews({ state, me, send, render, editable, otherFirst, firstOf, settledStatus }) {
  function dueText(due) {
    return due ? t("due", { date: formatDate(due) }) : "";
  }

  function confirmation(a) {
    if (a.confirmed) {
      return h("span", { class: "badge ok" }, a.confirmed_by === me ? t("confirmed.me") : t("confirmed", { name: firstOf(a.confirmed_by) }));
    }
    // The one who did not write this wording confirms it: the reader, or the other person.
    return h("span", { class: "badge warn" }, a.author_id === me ? t("awaiting", { name: otherFirst() }) : t("awaiting.me"));
  }

  function agreementView(a) {
    const pendingOps = state.pending.filter((p) => p.id === a.id);
    const mine = a.author_id === me;
    const item = h(
      "li",
      { class: "card", id: `agreement-${a.id}`, "data-version": a.version },
      h("p", { class: "agreement-what" }, a.what),
      h("p", { class: "meta" }, t(`owner.${a.owner}`), a.due ? ` · ${dueText(a.due)}` : ""),
      h("p", { class: "meta" }, confirmation(a)),
    );
    if (state.replaced.has(a.id)) {
      item.append(
        h("p", { class: "replaced", id: `replaced-${a.id}` }, t("replaced", { name: otherFirst() })),
        h("p", { class: "meta" }, t("replaced.before", { what: state.replaced.get(a.id) })),
      );
    }
    if (a.reaction) {
      item.append(h("p", {}, h("strong", {}, `${t("react")}: `), a.reaction));
    }
    if (a.removal_requested_by) {
      item.classList.add("removal-asked");
      item.append(h("p", { class: "badge warn" }, a.removal_requested_by === me
        ? t("removal.mine", { name: otherFirst() })
        : t("removal.theirs", { name: otherFirst() })));
    }
    if (pendingOps.length) item.append(h("p", { class: "badge warn" }, t("saving")));
    if (!editable()) return item;

    const actions = h("div", { class: "actions" });
    if (a.removal_requested_by) {
      const decide = (keep) => send({ kind: "removal", id: a.id, body: { version: a.version, keep } });
      if (a.removal_requested_by === me) {
        actions.append(h("button", { type: "button", class: "secondary", onclick: () => decide(true) }, t("removal.withdraw")));
      } else {
        actions.append(
          h("button", { type: "button", class: "danger", onclick: () => decide(false) }, t("removal.confirm")),
          h("button", { type: "button", class: "secondary", onclick: () => decide(true) }, t("removal.keep")),
        );
      }
      item.append(actions);
      return item;
    }
    if (!a.confirmed && !mine) {
      actions.append(
        h("button", { type: "button", onclick: () => send({ kind: "confirm", id: a.id, body: { version: a.version } }) }, t("confirm")),
      );
    }
    actions.append(
      h("button", {
        type: "button",
        class: "secondary",
        onclick: () => {
          state.editing.set(a.id, { what: a.what, owner: a.owner, due: a.due || "", version: a.version });
          render();
          document.getElementById(`edit-what-${a.id}`)?.focus();
        },
      }, t("edit")),
    );
    if (state.talk.my_role === "learner" && !state.reacting.has(a.id)) {
      actions.append(
        h("button", {
          type: "button",
          class: "secondary",
          onclick: () => {
            state.reacting.set(a.id, { text: a.reaction, version: a.version });
            render();
            document.getElementById(`react-${a.id}`)?.focus();
          },
        }, t("react")),
      );
    }
    actions.append(
      h("button", {
        type: "button",
        class: "danger",
        onclick: () => { if (window.confirm(t("remove.ask"))) send({ kind: "remove", id: a.id, body: { version: a.version } }); },
      }, t("remove")),
    );
    item.append(actions);
    if (state.reacting.has(a.id)) item.append(reactionEditor(a));
    return item;
  }

  function reactionEditor(a) {
    const draft = state.reacting.get(a.id);
    const form = h("form", { class: "reaction", novalidate: true });
    const area = h("textarea", { id: `react-${a.id}`, name: "reaction", "data-maxlength": 2000 }, draft.text);
    area.addEventListener("input", () => { draft.text = area.value; });
    form.append(
      h("div", { class: "field" }, h("label", { for: `react-${a.id}` }, t("react.label")), area, characterCounter(area)),
      h("p", { class: "form-error", role: "alert", hidden: true }),
      h("div", { class: "actions" },
        h("button", { type: "submit" }, t("react.save")),
        h("button", { type: "button", class: "secondary", onclick: () => { state.reacting.delete(a.id); render(); } }, t("cancel"))),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearErrors(form);
      if (!withinLimits(form)) return;
      send({ kind: "react", id: a.id, form, body: { version: draft.version, reaction: draft.text } });
    });
    return form;
  }

  function editorView(a, draft) {
    const id = a ? a.id : draft.id;
    const form = h("form", { novalidate: true });
    const cancel = () => { state.editing.delete(id); render(); };
    if (draft.conflict !== undefined) {
      // One choice, for one person: the fields come back once it is made.
      form.append(conflictView(id, draft));
      return h("li", { class: "card editor", id: `agreement-${id}` }, form);
    }
    const what = h("textarea", { id: `edit-what-${id}`, name: "what", "data-maxlength": 500 }, draft.what);
    const owner = h("select", { id: `edit-owner-${id}`, name: "owner" },
      ["learner", "lead", "both"].map((value) => h("option", { value, selected: draft.owner === value }, t(`owner.${value}`))));
    const due = h("input", { type: "date", id: `edit-due-${id}`, name: "due", value: draft.due || "" });
    what.addEventListener("input", () => { draft.what = what.value; });
    owner.addEventListener("change", () => { draft.owner = owner.value; });
    due.addEventListener("change", () => { draft.due = due.value; });
    form.append(
      h("div", { class: "field" }, h("label", { for: what.id }, t("what")), what, characterCounter(what)),
      h("div", { class: "row" },
        h("div", { class: "field" }, h("label", { for: owner.id }, t("who")), owner),
        h("div", { class: "field" }, h("label", { for: due.id }, t("by.when")), due)),
      h("p", { class: "form-error", role: "alert", hidden: true }),
      h("div", { class: "actions" },
        h("button", { type: "submit" }, t("save")),
        h("button", { type: "button", class: "secondary", onclick: cancel }, t("cancel"))),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearErrors(form);
      if (!withinLimits(form)) return;
      send({ kind: "edit", id, form, body: { version: draft.version, what: draft.what, owner: draft.owner, due: draft.due || null } });
    });
    return h("li", { class: "card editor", id: `agreement-${id}` }, form);
  }

  function conflictView(id, draft) {
    const theirs = draft.conflict;
    const name = otherFirst();
    const describe = (v) => [v.what, `${t(`owner.${v.owner}`)}${v.due ? ` · ${dueText(v.due)}` : ""}`];
    const version = (cls, title, v) => h("div", { class: cls }, h("h3", {}, title), ...describe(v).map((line) => h("p", {}, line)));
    const drop = () => { state.editing.delete(id); render(); settledStatus(); };
    if (!theirs) {
      // Removed by the other person meanwhile: what was typed can still become a new agreement.
      return h("div", { class: "conflict", role: "alert" },
        h("p", {}, t("conflict.gone", { name })),
        h("div", { class: "versions" }, version("mine", t("conflict.mine"), draft)),
        h("div", { class: "actions" },
          h("button", {
            type: "button",
            onclick: () => {
              state.editing.delete(id);
              send({ kind: "add", body: { what: draft.what, owner: draft.owner, due: draft.due || null } });
              render();
            },
          }, t("conflict.add.again")),
          h("button", { type: "button", class: "secondary", onclick: drop }, t("conflict.drop"))));
    }
    return h("div", { class: "conflict", role: "alert" },
      h("p", {}, t("conflict", { name })),
      h("div", { class: "versions" },
        version("mine", t("conflict.mine"), draft),
        version("theirs", t("conflict.theirs", { name }), theirs)),
      h("div", { class: "actions" },
        h("button", {
          type: "button",
          onclick: () => {
            draft.version = theirs.version;
            delete draft.conflict;
            send({ kind: "edit", id, body: { version: draft.version, what: draft.what, owner: draft.owner, due: draft.due || null } });
            render();
          },
        }, t("conflict.keep.mine")),
        h("button", { type: "button", class: "secondary", onclick: drop }, t("conflict.keep.theirs", { name }))));
  }

  return { agreementView, editorView };
}
