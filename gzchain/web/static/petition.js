// One citizen petition: its words, its supporters toward the threshold, its deadlines and the mayor's answer.
import { PortalError, api, badge, el, formatTime, loading, showError, startPage } from "./common.js";
import { t, tOr } from "./i18n.js";
import { progress, stateBadge, titleOf } from "./petition-parts.js";

const result = document.getElementById("result");
const petitionId = decodeURIComponent(window.location.pathname.replace(/^\/petition\/?/, "")).trim();
const NULLIFIER = /^0x[0-9a-fA-F]{64}$/;
let shown = null;
let receipt = null;

function fact(label, value) {
  return value === null || value === undefined ? [] : [el("dt", {}, label), el("dd", {}, value)];
}

function when(seconds) {
  return seconds ? formatTime(seconds) : null;
}

function render(petition) {
  const parts = [
    overdueBanner(petition),
    summary(petition),
    words("petition-text", t("petition.text"), petition.text, petition.text_verified, petition.text_hash),
    petition.rejection ? rejection(petition.rejection) : null,
    response(petition),
    receiptCard(),
    el("p", { class: "hint", id: "chain-note" }, t("petition.chainNote")),
  ];
  result.replaceChildren(...parts.filter((part) => part)); // replaceChildren would print a null as "null"
  if (receipt) renderReceipt(receipt);
  document.title = `${titleOf(petition)} · ${t("petition.title")} · gzchain`;
}

function overdueBanner(petition) {
  if (petition.state !== "overdue") return null;
  return el(
    "div",
    { class: "banner bad", role: "alert", id: "overdue-banner" },
    el("h2", {}, t("petition.overdue")),
    el("p", { class: "detail" }, t("petition.overdueText", { date: formatTime(petition.threshold_reached_at), due: formatTime(petition.response_due_at) })),
  );
}

function summary(petition) {
  const showsProgress = petition.threshold !== null && petition.threshold !== undefined;
  return el(
    "section",
    { class: "card", id: "summary", "data-state": petition.state },
    el("h2", {}, titleOf(petition)),
    el(
      "dl",
      { class: "facts" },
      fact(t("petition.number"), el("span", { class: "mono" }, String(petition.id))),
      fact(t("petition.state"), stateBadge(petition.state)),
      fact(t("petition.proposedAt"), when(petition.proposed_at)),
      fact(t("petition.publishedAt"), when(petition.published_at)),
      fact(t("petition.supportEndsAt"), when(petition.support_ends_at)),
      fact(t("petition.thresholdReachedAt"), when(petition.threshold_reached_at)),
      fact(t("petition.responseDueAt"), when(petition.response_due_at)),
      fact(t("petition.respondedAt"), when(petition.responded_at)),
    ),
    showsProgress ? progress(petition) : null,
  );
}

/** A text kept off chain, with whether it hashes (with its salt) to what the chain holds. */
function words(id, title, text, verified, hash, ...extra) {
  return el(
    "section",
    { class: "card", id },
    el("h2", {}, title),
    extra,
    text === null || text === undefined
      ? el("p", { class: "hint", "data-missing": "text" }, t("petition.noText"))
      : el("p", { class: "petition-text" }, text),
    el(
      "p",
      { class: verified ? "verified-mark" : "unverified-mark", "data-verified": verified ? "yes" : "no" },
      verified ? t("petition.verified") : t("petition.notVerified"),
    ),
    hash ? el("p", { class: "proof" }, `${t("petition.hash")}: `, el("code", {}, hash)) : null,
  );
}

function rejection(rejected) {
  const code = el("p", {}, el("strong", { "data-reason": rejected.reason_code }, tOr(`rejection.${rejected.reason_code}`, rejected.reason_code)));
  return words("rejection", t("petition.rejection"), rejected.text, rejected.verified, rejected.hash, code);
}

function response(petition) {
  const answer = petition.response;
  if (!answer) {
    if (!["awaiting-response", "overdue"].includes(petition.state)) return null;
    return el("section", { class: "card", id: "response" }, el("h2", {}, t("petition.response")), el("p", {}, t("petition.noResponse")));
  }
  const late = answer.late ? el("p", {}, badge("warn", t("petition.late"))) : null;
  return words("response", t("petition.response"), answer.text, answer.verified, answer.hash, late);
}

// ---- "was my vote counted": the wallet computes the nullifier; the page only asks the chain about it ----

function receiptCard() {
  const input = el("input", { id: "nullifier", type: "text", autocomplete: "off", spellcheck: "false", maxlength: 66, "aria-describedby": "receipt-result" });
  const form = el(
    "form",
    { id: "receipt-form", novalidate: true, onsubmit: checkReceipt },
    el("label", { for: "nullifier" }, t("petition.receiptLabel")),
    el("div", { class: "row" }, input, el("button", { class: "primary", type: "submit" }, t("petition.receiptGo"))),
  );
  if (receipt) input.value = receipt.nullifier;
  return el(
    "section",
    { class: "card", id: "receipt" },
    el("h2", {}, t("petition.receipt")),
    el("p", { class: "hint" }, t("petition.receiptLead")),
    form,
    el("div", { id: "receipt-result", "aria-live": "polite" }),
  );
}

async function checkReceipt(event) {
  event.preventDefault();
  const value = document.getElementById("nullifier").value.trim();
  const out = document.getElementById("receipt-result");
  if (!NULLIFIER.test(value)) {
    receipt = null;
    out.replaceChildren(el("p", { class: "hint", role: "status" }, value ? t("error.badNullifier", { value }) : t("petition.receiptEmpty")));
    return;
  }
  try {
    const answer = await api(`/petitions/${encodeURIComponent(petitionId)}/votes/${value.toLowerCase()}`);
    receipt = { nullifier: value, counted: answer.counted };
    renderReceipt(receipt);
  } catch (error) {
    receipt = null;
    showError(out, error);
  }
}

function renderReceipt({ counted }) {
  document.getElementById("receipt-result").replaceChildren(
    el(
      "div",
      { class: counted ? "banner ok" : "banner warn", "data-counted": counted ? "yes" : "no" },
      el("p", {}, el("strong", {}, counted ? t("petition.counted") : t("petition.notCounted"))),
    ),
  );
}

async function load() {
  if (!/^\d{1,20}$/.test(petitionId)) {
    showError(result, new PortalError("invalid"), { invalid: t("error.badPetition", { id: petitionId }) });
    return;
  }
  loading(result);
  try {
    shown = await api(`/petitions/${petitionId}`);
    render(shown);
  } catch (error) {
    shown = null;
    showError(result, error, {
      notFound: t("error.unknownPetition", { id: petitionId }),
      invalid: t("error.badPetition", { id: petitionId }),
    });
  }
}

startPage(() => {
  if (shown) render(shown);
  else load();
});
load();
