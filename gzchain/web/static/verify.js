// Verify an OpenAttestation certificate: dropped, chosen, pasted, or carried in a QR link's #doc= fragment.
import { PortalError, api, badge, dropZone, el, formatTime, loading, showError, startPage } from "./common.js";
import { t, tOr } from "./i18n.js";

const result = document.getElementById("result");
const pasted = document.getElementById("pasted");
let shown = null; // the last verdict, redrawn when the language changes

async function verify(text) {
  let documentJson;
  try {
    documentJson = JSON.parse(text);
  } catch {
    shown = null;
    showError(result, new PortalError("invalid"), { invalid: t("error.notJson") });
    return;
  }
  if (documentJson === null || typeof documentJson !== "object" || Array.isArray(documentJson)) {
    shown = null;
    showError(result, new PortalError("invalid"), { invalid: t("error.notJson") });
    return;
  }
  loading(result);
  try {
    const verdict = await api("/certificates/verify", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(documentJson),
    });
    shown = verdict;
    render(verdict);
  } catch (error) {
    shown = null;
    const detail = error instanceof PortalError ? error.detail : "";
    showError(result, error, { invalid: t("error.malformed", { detail }) });
  }
}

function render(verdict) {
  const revocation = verdict.revocation;
  const banner = verdict.valid
    ? el(
        "div",
        { class: "banner ok", "data-verdict": "valid" },
        el("h2", {}, `✓ ${t("verify.valid")}`),
        el("p", {}, t("verify.validText")),
      )
    : el(
        "div",
        { class: "banner bad", role: "alert", "data-verdict": revocation ? "revoked" : "invalid" },
        el("h2", {}, `✗ ${revocation ? t("verify.revoked") : t("verify.invalid")}`),
        revocation
          ? [
              el(
                "p",
                { class: "revocation-reason" },
                t("verify.revokedReason", { reason: revocationWords(revocation) }),
              ),
              el(
                "p",
                { class: "revocation-date" },
                t("verify.revokedOn", { date: formatTime(revocation.revokedAt), block: revocation.block }),
              ),
            ]
          : el("p", { class: "detail" }, verdict.summary),
      );
  const issuer = verdict.issuer
    ? el(
        "section",
        { class: "card" },
        el("h2", {}, t("verify.issuer")),
        el(
          "dl",
          { class: "facts" },
          el("dt", {}, t("verify.issuer")),
          el("dd", { "data-issuer": "" }, verdict.issuer.name),
          el("dt", {}, "DNS"),
          el("dd", {}, verdict.issuer.domain),
          el("dt", {}, t("verify.documentStore")),
          el("dd", {}, el("code", {}, verdict.issuer.documentStore)),
        ),
      )
    : null;
  const fragments = el(
    "section",
    { class: "card" },
    el("h2", {}, t("verify.checks")),
    el(
      "ul",
      { class: "plain fragments" },
      verdict.fragments.map((fragment) =>
        el(
          "li",
          { "data-fragment": fragment.name, "data-status": fragment.status },
          el("span", { class: `mark ${fragment.status === "VALID" ? "ok" : "bad"}`, "aria-hidden": "true" },
            fragment.status === "VALID" ? "✓" : "✗"),
          el(
            "div",
            { class: "grow" },
            el("strong", {}, tOr(`fragment.${fragment.name}`, fragment.name)),
            " ",
            badge(fragment.status === "VALID" ? "ok" : "bad", tOr(`status.${fragment.status}`, fragment.status)),
            el("div", { class: "hint" }, fragment.reason),
          ),
        ),
      ),
    ),
  );
  result.replaceChildren(banner, issuer ?? "", fragments, disclosure(verdict), technical(verdict));
}

function revocationWords(revocation) {
  const kind = tOr(`revocation.${revocation.reason}`, revocation.reason);
  return revocation.text ? `${revocation.text} (${kind})` : kind;
}

function disclosure(verdict) {
  const rows = verdict.disclosed.map((field) =>
    el("tr", { "data-field": field.path }, el("td", {}, el("code", {}, field.path)), el("td", {}, String(field.value))),
  );
  const withheld = verdict.withheld;
  return el(
    "section",
    { class: "card", id: "disclosure" },
    el("h2", {}, t("verify.disclosed")),
    rows.length
      ? el(
          "div",
          { class: "scroll" },
          el(
            "table",
            {},
            el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("verify.field")), el("th", { scope: "col" }, t("verify.value")))),
            el("tbody", {}, rows),
          ),
        )
      : el("p", {}, t("verify.noneDisclosed")),
    el(
      "p",
      { id: "withheld", "data-count": withheld.count },
      withheld.count ? t("verify.withheld", { count: withheld.count }) : t("verify.withheldNone"),
    ),
    withheld.fields.length
      ? el("p", { class: "hint" }, t("verify.withheldFields", { fields: withheld.fields.join(", ") }))
      : null,
  );
}

function technical(verdict) {
  return el(
    "details",
    { class: "card" },
    el("summary", {}, t("verify.technical")),
    el(
      "dl",
      { class: "facts" },
      el("dt", {}, "targetHash"),
      el("dd", {}, el("code", {}, verdict.targetHash)),
      el("dt", {}, "merkleRoot"),
      el("dd", {}, el("code", {}, verdict.merkleRoot)),
      verdict.revocation ? [el("dt", {}, "revoked hash"), el("dd", {}, el("code", {}, verdict.revocation.hash))] : null,
    ),
  );
}

/** The certificate a QR link carries after #doc=: raw-DEFLATE compressed JSON, base64url encoded. */
async function fromLink(encoded) {
  const base64 = encoded.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (char) => char.charCodeAt(0));
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("deflate-raw"));
  return new Response(stream).text();
}

document.getElementById("verify-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = pasted.value.trim();
  if (!text) {
    shown = null;
    showError(result, new PortalError("invalid"), { invalid: t("verify.empty") });
    return;
  }
  verify(text);
});
dropZone(document.getElementById("drop"), async (file) => {
  const text = await file.text();
  pasted.value = text;
  verify(text);
});
startPage(() => {
  if (shown) render(shown);
});

const link = new URLSearchParams(window.location.hash.slice(1)).get("doc");
if (link) {
  result.replaceChildren(el("p", { class: "loading", role: "status" }, t("verify.fromLink")));
  fromLink(link).then(
    (text) => {
      pasted.value = text;
      verify(text);
    },
    () => showError(result, new PortalError("invalid"), { invalid: t("error.badLink") }),
  );
}
