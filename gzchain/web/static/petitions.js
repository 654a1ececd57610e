// The list of citizen petitions, newest first, filtered by state: what a resident browses before supporting.
import { api, el, formatTime, loading, showError, startPage } from "./common.js";
import { t } from "./i18n.js";
import { progress, stateBadge, titleOf } from "./petition-parts.js";
import { STATES } from "./petitions-texts.js";

const result = document.getElementById("result");
const filters = document.getElementById("filters");
const wanted = new URLSearchParams(window.location.search).get("state");
const state = STATES.includes(wanted) ? wanted : null;
let listed = null;

function renderFilters() {
  const link = (value, words) =>
    el("a", { href: value ? `/petition?state=${value}` : "/petition", "aria-current": value === state ? "page" : null, "data-state": value ?? "all" }, words);
  filters.replaceChildren(link(null, t("petitions.all")), ...STATES.map((value) => link(value, t(`petitionState.${value}`))));
}

function render(items) {
  if (!items.length) {
    result.replaceChildren(el("p", { class: "card", id: "no-petitions" }, t("petitions.none")));
    return;
  }
  result.replaceChildren(
    el("p", { class: "hint" }, t("petitions.count", { count: items.length })),
    el(
      "ul",
      { class: "plain card petitions", id: "petition-list" },
      items.map((petition) =>
        el(
          "li",
          { "data-petition": petition.id, "data-state": petition.state },
          el("h2", {}, el("a", { href: `/petition/${petition.id}` }, titleOf(petition)), " ", stateBadge(petition.state)),
          petition.threshold ? progress(petition) : null,
          deadline(petition),
        ),
      ),
    ),
  );
}

function deadline(petition) {
  if (petition.state === "open") return el("div", { class: "when" }, `${t("petition.supportEndsAt")}: ${formatTime(petition.support_ends_at)}`);
  if (petition.state === "awaiting-response" || petition.state === "overdue") {
    return el("div", { class: "when" }, `${t("petition.responseDueAt")}: ${formatTime(petition.response_due_at)}`);
  }
  return null;
}

async function load() {
  loading(result);
  try {
    listed = (await api(state ? `/petitions?state=${state}` : "/petitions")).items;
    render(listed);
  } catch (error) {
    listed = null;
    showError(result, error);
  }
}

startPage(() => {
  renderFilters();
  if (listed) render(listed);
});
renderFilters();
load();
