// Look up a business by USCC, and check in the browser whether a file was notarised (it is never uploaded).
import {
  PortalError,
  api,
  badge,
  dropZone,
  el,
  formatDate,
  formatTime,
  loading,
  proofLine,
  reasonLine,
  showError,
  startPage,
  verifiedNote,
} from "./common.js";
import { t, tOr } from "./i18n.js";

const result = document.getElementById("result");
const fileResult = document.getElementById("file-result");
const uscc = decodeURIComponent(window.location.pathname.replace(/^\/business\/?/, "")).trim().toUpperCase();
let business = null;
let fileCheck = null;

const TONE = { active: "ok", suspended: "warn", deregistered: "bad" };

function money(value) {
  return `${Number(value.amount).toLocaleString(undefined, { minimumFractionDigits: 2 })} ${value.currency}`;
}

function changeWords(change) {
  const [kind, fields] = change.split(": ");
  const head = tOr(`change.${kind}`, kind);
  if (!fields) return head;
  const names = fields.split(", ").map((field) => tOr(`changeField.${field}`, field));
  return `${head}: ${names.join(", ")}`;
}

function render(found) {
  const current = [...found.versions].reverse().find((version) => version.record)?.record ?? null;
  // An erased legacy record: what the store keeps of it cannot be checked against the chain any more, so it
  // is shown apart, marked unchecked, and never under the page's verified note.
  const unchecked = current ? null : (found.versions.at(-1)?.unverified_record ?? null);
  const fact = (label, ...value) => [el("dt", {}, label), el("dd", {}, ...value)];
  const status = found.status;
  result.replaceChildren(
    el(
      "section",
      { class: "card", id: "business-summary" },
      el("h2", {}, current ? current.name : found.uscc),
      el(
        "dl",
        { class: "facts" },
        fact(t("home.business.label"), el("span", { class: "mono" }, found.uscc)),
        fact(t("business.status"), badge(TONE[status] ?? "neutral", tOr(`businessStatus.${status}`, status))),
        fact(t("business.registrar"), found.registrar_name),
        fact(t("business.registeredAt"), formatTime(found.registered_at)),
        fact(t("business.updatedAt"), formatTime(found.updated_at)),
      ),
    ),
    current ? record(current, found.versions.at(-1)) : null,
    unchecked ? record(unchecked, found.versions.at(-1), true) : null,
    history(found),
    filings(found),
    verifiedNote(found, "business"),
  );
  document.title = `${current ? current.name : found.uscc} · ${t("business.title")} · gzchain`;
}

function record(current, latest, unchecked = false) {
  const fact = (label, ...value) => [el("dt", {}, label), el("dd", {}, ...value)];
  // Erased personal data comes back null: say so, with when and by whom, rather than show a blank.
  const erased = t("business.erased");
  const erasure = latest?.erased_at
    ? fact(
        t("business.erasure"),
        el("span", { id: "erasure" }, t("business.erasedBy", { date: formatTime(Date.parse(latest.erased_at) / 1000), by: latest.erased_by })),
      )
    : [];
  return el(
    "section",
    { class: "card", id: unchecked ? "unchecked-record" : "record" },
    el("h2", {}, t("business.record")),
    unchecked ? el("p", { class: "banner warn", id: "unchecked" }, t("business.unchecked")) : null,
    el(
      "dl",
      { class: "facts" },
      fact(t("business.name"), current.name),
      fact(t("business.legalRep"), current.legal_representative.name ?? erased),
      fact(t("business.capital"), money(current.registered_capital)),
      fact(t("business.address"), current.address),
      fact(t("business.scope"), current.business_scope),
      fact(t("business.established"), formatDate(`${current.establishment_date}T00:00:00+08:00`)),
      fact(
        t("business.shareholders"),
        el("ul", { class: "plain" }, current.shareholders.map((holder) => el("li", {}, `${holder.name ?? erased} · ${money(holder.contribution)}`))),
      ),
      ...erasure,
    ),
  );
}

function history(found) {
  return el(
    "section",
    { class: "card", id: "history" },
    el("h2", {}, t("business.history")),
    el(
      "ol",
      { class: "plain timeline" },
      [...found.versions].reverse().map((version) =>
        el(
          "li",
          { class: version.verified ? null : "alert", "data-version": version.number },
          el("div", { class: "when" }, `${formatTime(version.at)} · ${t("business.version", { n: version.number })}`),
          el("strong", {}, changeWords(version.change)),
          ` · ${version.agency_name}`,
          reasonLine(version.reason),
          version.problem ? el("div", { class: "banner warn" }, version.problem) : null,
          proofLine(version.proof),
        ),
      ),
    ),
  );
}

function filings(found) {
  return el(
    "section",
    { class: "card", id: "filings" },
    el("h2", {}, t("business.filings")),
    found.filings.length
      ? el(
          "ul",
          { class: "plain checklist" },
          found.filings.map((filing) =>
            el(
              "li",
              { "data-file": filing.file_hash },
              el("span", { class: `mark ${filing.revoked ? "bad" : "ok"}`, "aria-hidden": "true" }, filing.revoked ? "✗" : "✓"),
              el(
                "div",
                { class: "grow" },
                el("strong", {}, tOr(`doc.${filing.document_type}`, filing.document_type)),
                el("div", { class: "hint" }, t("business.notarisedBy", { notary: filing.notary_name, date: formatTime(filing.notarised_at) })),
                filing.revoked ? el("div", {}, badge("bad", t("business.filingRevoked"))) : null,
                filing.revoked ? reasonLine(filing.revocation_reason) : null,
                el("div", { class: "hint" }, "SHA-256 ", el("code", {}, filing.file_hash)),
                proofLine(filing.proof),
              ),
            ),
          ),
        )
      : el("p", {}, t("business.noFilings")),
  );
}

async function load() {
  if (!uscc) return;
  document.getElementById("business-input").value = uscc;
  loading(result);
  try {
    business = await api(`/businesses/${encodeURIComponent(uscc)}`);
    render(business);
  } catch (error) {
    business = null;
    const detail = error instanceof PortalError ? error.detail : "";
    showError(result, error, {
      notFound: t("error.unknownBusiness", { uscc }),
      invalid: t("error.badUscc", { uscc, detail }),
    });
  }
}

// ---- the file check: SHA-256 in the browser, then one lookup by hash ----

async function sha256Hex(file) {
  const digest = await window.crypto.subtle.digest("SHA-256", await file.arrayBuffer());
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function checkFile(file) {
  if (!window.crypto?.subtle) {
    fileCheck = null;
    showError(fileResult, new PortalError("invalid"), { invalid: t("file.noCrypto") });
    return;
  }
  fileResult.replaceChildren(el("p", { class: "loading", role: "status" }, t("file.hashing")));
  const hash = await sha256Hex(file);
  try {
    fileCheck = { hash, answer: await api(`/filings/${hash}`) };
    renderFile(fileCheck);
  } catch (error) {
    fileCheck = null;
    showError(fileResult, error);
  }
}

function renderFile({ hash, answer }) {
  const hashLine = el("p", { class: "hint", id: "file-hash" }, t("file.hash", { hash: "" }), el("code", {}, hash));
  const filing = answer.filing;
  if (!answer.notarised || !filing) {
    fileResult.replaceChildren(
      hashLine,
      el("div", { class: "banner warn", "data-outcome": "unknown" }, el("h2", {}, t("file.unknown")), el("p", { class: "detail" }, t("file.unknownText"))),
    );
    return;
  }
  const words = {
    notary: filing.notary_name,
    date: formatTime(filing.notarised_at),
    business: answer.business_name ?? filing.uscc,
    type: tOr(`doc.${filing.document_type}`, filing.document_type),
  };
  const elsewhere = uscc && filing.uscc !== uscc ? el("p", {}, el("strong", {}, t("file.otherBusiness", { uscc: filing.uscc }))) : null;
  const banner = filing.revoked
    ? el(
        "div",
        { class: "banner bad", role: "alert", "data-outcome": "revoked" },
        el("h2", {}, `✗ ${t("file.revoked")}`),
        el("p", { class: "detail" }, t("file.validText", words)),
        el("p", { class: "detail" }, t("file.revokedText", { by: filing.revoked_by ?? "", date: formatTime(filing.revoked_at) })),
        reasonLine(filing.revocation_reason),
        elsewhere,
        proofLine(filing.proof),
      )
    : el(
        "div",
        { class: "banner ok", "data-outcome": "notarised" },
        el("h2", {}, `✓ ${t("file.valid")}`),
        el("p", { class: "detail" }, t("file.validText", words)),
        elsewhere,
        proofLine(filing.proof),
      );
  fileResult.replaceChildren(hashLine, banner);
}

document.getElementById("business-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const value = document.getElementById("business-input").value.trim();
  const hint = document.getElementById("business-hint");
  if (!value) {
    hint.textContent = t("home.business.empty");
    return;
  }
  window.location.assign(`/business/${encodeURIComponent(value)}`);
});
dropZone(document.getElementById("file-drop"), checkFile);
startPage(() => {
  if (business) render(business);
  else load();
  if (fileCheck) renderFile(fileCheck);
});
load();
