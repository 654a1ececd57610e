// What every portal page shares: the header, calls to this server's API, safe DOM building, formats.
import { applyTexts, lang, locale, onLanguageChange, setLanguage, t, tOr } from "./i18n.js";

/** An API answer that is not a success, sorted into what a citizen needs to be told. */
export class PortalError extends Error {
  constructor(kind, detail = "", field = "") {
    super(detail || kind);
    this.kind = kind; // notFound | invalid | unavailable | network | server
    this.detail = detail;
    this.field = field;
  }
}

const KIND_BY_STATUS = { 400: "invalid", 404: "notFound", 422: "invalid", 503: "unavailable" };

/** Calls this server's API (same origin only: the page's Content-Security-Policy allows nothing else). */
export async function api(path, options = {}) {
  let response;
  try {
    response = await fetch(path, { ...options, headers: { Accept: "application/json", ...options.headers } });
  } catch {
    throw new PortalError("network");
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (response.ok && body !== null) return body;
  const kind = KIND_BY_STATUS[response.status] ?? "server";
  throw new PortalError(kind, body?.detail ?? "", body?.field ?? "");
}

/** Builds an element; strings become text nodes, so nothing from the server is ever parsed as HTML. */
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : value);
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function shortHash(hash) {
  return hash && hash.length > 20 ? `${hash.slice(0, 10)}…${hash.slice(-6)}` : hash ?? "";
}

/** Where something is on chain: the transaction (full hash on hover and for screen readers) and block. */
export function proofLine(proof) {
  if (!proof) return el("div", { class: "proof" }, t("common.noProof"));
  const tx = el("code", { title: proof.tx_hash, "data-tx": proof.tx_hash }, shortHash(proof.tx_hash));
  const [before, after] = t("common.tx", { tx: "\u0000", block: proof.block_number }).split("\u0000");
  return el("div", { class: "proof" }, before, tx, after);
}

const CHINA = "Asia/Shanghai";

/** A moment (ISO text or Unix seconds) in Guangzhou's time, in the page's language. */
export function formatTime(moment) {
  const date = typeof moment === "number" ? new Date(moment * 1000) : new Date(moment);
  if (Number.isNaN(date.getTime())) return String(moment);
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short", timeZone: CHINA }).format(
    date,
  );
}

export function formatDate(moment) {
  const date = typeof moment === "number" ? new Date(moment * 1000) : new Date(moment);
  if (Number.isNaN(date.getTime())) return String(moment);
  return new Intl.DateTimeFormat(locale(), { dateStyle: "long", timeZone: CHINA }).format(date);
}

export function countryName(code) {
  try {
    const name = new Intl.DisplayNames([locale()], { type: "region" }).of(code);
    return name && name !== code ? `${name} (${code})` : code;
  } catch {
    return code;
  }
}

export function celsius(tenths) {
  return (tenths / 10).toFixed(1);
}

export function windowText(window) {
  return `${celsius(window.min_tenths)} – ${celsius(window.max_tenths)} °C`;
}

export function badge(tone, text) {
  return el("span", { class: `badge ${tone}` }, text);
}

const REASON_MARKS = {
  verified: ["ok", "✓", "reason.verified"],
  "not verified": ["bad", "✗", "reason.notVerified"],
  withheld: ["warn", "–", "reason.withheld"],
};

/**
 * Why an agency acted: the code the chain holds, and the agency's words from this server's store, marked by
 * whether they hash to what the chain holds (the chain never holds the words), or as withheld when the store
 * has none. `reason` is the API's reason object (code, label, words, verified, state), or null.
 */
export function reasonLine(reason) {
  if (!reason) return null;
  const [tone, mark, words] = REASON_MARKS[reason.state] ?? REASON_MARKS["not verified"];
  return el(
    "div",
    { class: "hint reason", "data-reason-state": reason.state },
    el("strong", {}, tOr(`reasonCode.${reason.code}`, reason.label)),
    reason.words ? `: ${reason.words} ` : " ",
    badge(tone, `${mark} ${t(words)}`),
  );
}

/**
 * The closing line of a page built from the chain and this server's store: that every stored record matched
 * the chain, or, as a warning, which did not. `page` names the page's words (`<page>.verified`, `.notVerified`).
 */
export function verifiedNote(answer, page) {
  return el(
    "p",
    { class: answer.verified ? "hint" : "banner warn", id: "verified" },
    answer.verified ? t(`${page}.verified`) : t(`${page}.notVerified`, { problems: answer.problems.join("; ") }),
  );
}

/**
 * Replaces the content of `container` with the error in words a citizen understands: `words` holds the
 * page's own wording by kind (e.g. notFound: "There is no lot …"); the other kinds are worded alike everywhere.
 */
export function showError(container, error, words = {}) {
  const kind = error instanceof PortalError ? error.kind : "server";
  const detail = error instanceof PortalError ? error.detail : String(error);
  const message = words[kind] ?? t(kind === "notFound" || kind === "invalid" ? "error.server" : `error.${kind}`);
  container.replaceChildren(
    el(
      "div",
      { class: "error", role: "alert", "data-error": kind },
      el("h2", {}, t("error.title")),
      el("p", {}, message),
      detail && !message.includes(detail) ? el("p", { class: "detail" }, t("error.detail", { detail })) : null,
    ),
  );
}

export function loading(container) {
  container.replaceChildren(el("p", { class: "loading", role: "status" }, t("loading")));
}

/** Lets a drop zone take a dropped file as if it had been chosen in its file input. */
export function dropZone(zone, onFile) {
  const input = zone.querySelector("input[type=file]");
  input.addEventListener("change", () => {
    if (input.files.length) onFile(input.files[0]);
  });
  for (const name of ["dragenter", "dragover"]) {
    zone.addEventListener(name, (event) => {
      event.preventDefault();
      zone.classList.add("over");
    });
  }
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    event.preventDefault();
    zone.classList.remove("over");
    if (event.dataTransfer.files.length) onFile(event.dataTransfer.files[0]);
  });
}

/** Sets up the header's language switch and the static texts; `render` redraws the page's results. */
export function startPage(render = () => {}) {
  const button = document.getElementById("lang");
  button.addEventListener("click", () => setLanguage(lang() === "zh" ? "en" : "zh"));
  onLanguageChange(render);
  applyTexts();
}
