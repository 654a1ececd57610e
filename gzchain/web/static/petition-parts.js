// What the petition list and a petition's page both show: the state badge and the progress bar.
import { badge, el } from "./common.js";
import { locale, t, tOr } from "./i18n.js";
import { STATE_TONE } from "./petitions-texts.js";

/** A petition's title, or its number where this server does not hold its words. */
export function titleOf(petition) {
  return petition.title ?? t("petition.untitled", { id: petition.id });
}

export function stateBadge(state) {
  return badge(STATE_TONE[state] ?? "neutral", tOr(`petitionState.${state}`, state));
}

function number(value) {
  return Number(value).toLocaleString(locale());
}

/** Supporters toward the threshold, as a bar a screen reader announces as a progress bar. */
export function progress(petition) {
  const { supporters, threshold } = petition;
  const reached = supporters >= threshold;
  const percent = threshold > 0 ? Math.min(100, (100 * supporters) / threshold) : 100;
  const words = t("petition.supporters", { count: number(supporters), threshold: number(threshold) });
  const fill = el("div", { class: "fill" });
  fill.style.width = `${percent}%`; // a style property, not an inline style attribute: the policy allows it
  return el(
    "div",
    { class: reached ? "progress reached" : "progress", "data-supporters": supporters },
    el(
      "div",
      {
        class: "bar",
        role: "progressbar",
        "aria-label": t("petition.supportersLabel"),
        "aria-valuemin": 0,
        "aria-valuemax": threshold,
        "aria-valuenow": Math.min(supporters, threshold),
        "aria-valuetext": words,
      },
      fill,
    ),
    el("div", { class: "count" }, el("strong", {}, words), outlook(petition, reached)),
  );
}

function outlook(petition, reached) {
  if (reached) {
    const due = ["awaiting-response", "overdue"].includes(petition.state) ? "petition.reachedDue" : "petition.reached";
    return ` · ${t(due, { threshold: number(petition.threshold) })}`;
  }
  if (petition.state === "open") return ` · ${t("petition.remaining", { count: number(petition.threshold - petition.supporters) })}`;
  return null;
}
