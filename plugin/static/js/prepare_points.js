// The preparation's discussion points of my own: add, edit, share or not, remove, and the
// points a stale save left over. The page's state and its render/save hooks come in `page`.
// Built with h() only (text, never HTML).

import { t, h, announce, characterCounter, lengthProblem } from "./ui.js";

const MAX_POINT = 500; // characters in a discussion point (domain/preparation.py)

/** My discussion points: the list (each editable, shareable, removable) and the new-point box. */
export function pointsEditor(otherName, page) {
  const { state } = page;
  const list = h("ol", { class: "prep-points", id: "my-points" });
  state.points.forEach((point, index) => list.append(pointItem(point, index, otherName, page)));
  const newError = state.errors["new-point"];
  const input = h("input", {
    type: "text", id: "new-point", name: "new-point", "data-maxlength": MAX_POINT, autocomplete: "off",
    "aria-invalid": newError ? "true" : null, "aria-describedby": newError ? "new-point-error" : null,
    onkeydown: (e) => { if (e.key === "Enter") { e.preventDefault(); addPoint(page); } },
  });
  input.value = state.newText || "";
  input.addEventListener("input", () => { state.newText = input.value; });
  const counter = characterCounter(input, { onCross: (over) => { if (!over) delete state.errors["new-point"]; } });
  return h("section", { "aria-labelledby": "points-heading", class: "prep-points-section" },
    h("h2", { id: "points-heading" }, t("points_heading")),
    h("p", { class: "hint" }, t("points_intro", { name: otherName })),
    state.errors.points ? h("p", { class: "field-error", role: "alert" }, state.errors.points) : null,
    state.points.length ? list : h("p", { class: "muted", id: "my-points-empty" }, t("points_none")),
    leftoversBox(page),
    h("div", { class: "field prep-new" },
      h("label", { for: "new-point" }, t("new_point")),
      h("div", { class: "prep-inline" },
        input,
        h("button", { type: "button", class: "secondary", id: "add-point", onclick: () => addPoint(page) }, t("add_point"))),
      counter,
      newError ? h("p", { class: "field-error", id: "new-point-error" }, newError) : null),
  );
}

function pointItem(point, index, otherName, page) {
  const { state, changed, render, focusLater } = page;
  const n = index + 1;
  const name = `points[${index}].text`;
  const error = state.errors[name] || state.errors[`points[${index}].id`];
  const errorId = `point-${point.key}-text-error`;
  const errorNode = error ? h("p", { class: "field-error", id: errorId }, error) : null;
  const share = h("label", { class: "check prep-share", for: `point-${point.key}-shared` },
    h("input", {
      type: "checkbox", id: `point-${point.key}-shared`, name: `points[${index}].shared`, checked: point.shared,
      onchange: (e) => { point.shared = e.target.checked; changed(true); },
    }),
    h("span", {}, t("shared_with", { name: otherName })));

  if (state.editing === point.key || error) {
    const input = h("input", {
      type: "text", id: `point-${point.key}-text`, name, value: point.draft ?? point.text, "data-maxlength": MAX_POINT,
      "aria-invalid": error ? "true" : null, "aria-describedby": error ? errorId : null,
    });
    // What is typed stays when the page renders again (an autosave, a refused "Update point").
    input.addEventListener("input", () => { point.draft = input.value; });
    const counter = characterCounter(input, { onCross: (over) => { if (!over) delete state.errors[name]; } });
    const done = () => {
      const text = input.value.trim();
      const problem = text ? lengthProblem(input) : t("point_empty");
      if (problem) { state.errors[name] = problem; render(); focusLater(input.id); return; }
      delete point.draft;
      point.text = text;
      delete state.errors[name];
      state.editing = null;
      changed(true);
      render();
      focusLater(`point-${point.key}-edit`);
    };
    const cancel = () => {
      delete point.draft;
      state.editing = null;
      delete state.errors[name];
      render();
      focusLater(`point-${point.key}-edit`);
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter") { e.preventDefault(); done(); }
      if (e.key === "Escape") { e.preventDefault(); cancel(); }
    });
    return h("li", { class: "card prep-point" },
      h("div", { class: "field" },
        h("label", { for: input.id }, t("point_label", { n })),
        input, counter, errorNode),
      share,
      h("div", { class: "actions" },
        h("button", { type: "button", id: `point-${point.key}-done`, onclick: done }, t("done_editing")),
        h("button", { type: "button", class: "secondary", onclick: cancel }, t("cancel")),
        h("button", { type: "button", class: "danger", "aria-label": t("remove_named", { n }), onclick: () => removePoint(point, page) }, t("remove"))),
    );
  }
  return h("li", { class: "card prep-point" },
    h("p", { class: "prep-point-text" }, point.text),
    share,
    h("div", { class: "actions" },
      h("button", {
        type: "button", class: "secondary", id: `point-${point.key}-edit`, "aria-label": t("edit_named", { n }),
        onclick: () => { state.editing = point.key; render(); focusLater(`point-${point.key}-text`); },
      }, t("edit")),
      h("button", { type: "button", class: "danger", "aria-label": t("remove_named", { n }), onclick: () => removePoint(point, page) }, t("remove"))),
  );
}

function leftoversBox(page) {
  const { state, changed, render, focusLater, newKey } = page;
  if (!state.leftovers.length) return null;
  return h("div", { class: "conflict", id: "leftovers", tabindex: "-1" },
    h("h3", {}, t("unsaved_points")),
    h("ul", { class: "prep-leftovers" }, state.leftovers.map((text, i) => h("li", {},
      h("span", {}, text), " ",
      h("button", {
        type: "button", class: "secondary",
        onclick: () => {
          state.points.push({ key: newKey(), id: null, text, shared: true });
          state.leftovers.splice(i, 1);
          changed(true);
          render();
          focusLater(state.leftovers.length ? "leftovers" : "new-point");
        },
      }, t("add_again"))))),
    h("button", { type: "button", class: "secondary", onclick: () => { state.leftovers = []; render(); focusLater("new-point"); } }, t("dismiss")),
  );
}

/** Add what the new-point box holds (Enter, the button, or Save with text still in it). */
export function addPoint(page) {
  const { state, changed, render, focusLater, newKey } = page;
  const input = document.getElementById("new-point");
  const text = (input.value || "").trim();
  const problem = text ? lengthProblem(input) : t("point_empty");
  if (problem) {
    state.errors["new-point"] = problem;
    render();
    focusLater("new-point");
    return;
  }
  delete state.errors["new-point"];
  state.points.push({ key: newKey(), id: null, text, shared: true });
  state.newText = "";
  changed(true);
  render();
  announce(t("point_added"));
  focusLater("new-point");
}

function removePoint(point, page) {
  const { state, changed, render, focusLater } = page;
  state.points = state.points.filter((p) => p !== point);
  state.errors = {};
  if (state.editing === point.key) state.editing = null;
  changed(true);
  render();
  announce(t("point_removed"));
  focusLater("new-point");
}
