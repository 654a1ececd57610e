// Trace a cold-chain lot: what the QR code on a pack opens.
import {
  PortalError,
  api,
  badge,
  celsius,
  countryName,
  el,
  formatTime,
  loading,
  proofLine,
  reasonLine,
  showError,
  startPage,
  verifiedNote,
  windowText,
} from "./common.js";
import { temperatureChart, readingValue } from "./chart.js";
import { t, tOr } from "./i18n.js";

const result = document.getElementById("result");
const batch = decodeURIComponent(window.location.pathname.replace(/^\/trace\/?/, ""));
let shown = null;

const TONE = {
  cleared: "ok",
  awaiting_clearance: "warn",
  flagged: "bad",
  recalled: "bad",
  split: "neutral",
  destroyed: "neutral",
};

function statusBadge(status) {
  return badge(TONE[status] ?? "neutral", tOr(`batchStatus.${status}`, status));
}

function lotName(facts) {
  return facts.lot ? facts.lot.number : facts.batch_id;
}

function section(id, title, ...content) {
  return el("section", { class: "card", id, "aria-labelledby": `${id}-title` }, el("h2", { id: `${id}-title` }, title), content);
}

function render(trace) {
  const facts = trace.batch;
  // The hold or recall banner first, and each other part on its own: a part that fails to render (a chart
  // over hostile data, say) is replaced by a note and never takes the banner down with it.
  result.replaceChildren(...isolated(() => banners(trace)));
  for (const part of [summary, certificates, custody, temperatures, timeline, alerts, lots]) {
    result.append(...isolated(() => [part(trace)]));
  }
  result.append(...isolated(() => [verifiedNote(trace, "trace")]));
  document.title = `${lotName(facts)} · ${t("trace.title")} · gzchain`;
}

function isolated(build) {
  try {
    return build().filter((node) => node);
  } catch (error) {
    console.error(error);
    return [el("p", { class: "banner warn", "data-failed": "" }, t("error.server"))];
  }
}

function banners(trace) {
  const list = [];
  if (trace.recall) {
    const recall = trace.recall;
    list.push(
      el(
        "div",
        { class: "banner bad", role: "alert", id: "recall-banner" },
        el("h2", {}, `⚠ ${t("trace.recalled")}`),
        el(
          "p",
          { class: "detail" },
          t("trace.recalledText", { actor: recall.actor_name, lot: trace.recalled_lot ?? recall.lot }),
        ),
        reasonLine(recall.reason_detail),
        el("p", {}, el("strong", {}, t("trace.recalledAdvice"))),
        proofLine(recall.proof),
      ),
    );
  }
  if (trace.hold) {
    const hold = trace.hold;
    list.push(
      el(
        "div",
        { class: trace.recall ? "banner warn" : "banner bad", role: trace.recall ? null : "alert", id: "breach-banner" },
        el("h2", {}, `⚠ ${t("trace.flagged")}`),
        el("p", { class: "detail" }, t("trace.flaggedText", { actor: hold.actor_name, reason: hold.reason ?? "" })),
        proofLine(hold.proof),
      ),
    );
  }
  if (!list.length) {
    if (trace.status === "destroyed") {
      list.push(el("div", { class: "banner warn", id: "status-banner" }, el("h2", {}, t("trace.destroyed"))));
    } else if (trace.cleared) {
      list.push(el("div", { class: "banner ok", id: "status-banner" }, el("h2", {}, `✓ ${t("trace.cleared")}`)));
    } else {
      list.push(el("div", { class: "banner warn", id: "status-banner" }, el("h2", {}, t("trace.awaiting"))));
    }
  }
  return list;
}

function summary(trace) {
  const facts = trace.batch;
  const fact = (label, ...value) => [el("dt", {}, label), el("dd", {}, ...value)];
  return section(
    "summary",
    lotName(facts),
    el(
      "dl",
      { class: "facts" },
      fact(t("trace.status"), statusBadge(trace.status)),
      fact(t("trace.product"), el("span", { class: "mono" }, facts.gtin)),
      fact(t("trace.lot"), lotName(facts)),
      fact(t("trace.origin"), countryName(facts.origin)),
      fact(t("trace.quantity"), `${facts.quantity.toLocaleString()} ${facts.unit}`),
      fact(t("trace.window"), windowText(trace.window)),
      fact(t("trace.custodian"), facts.custodian_name),
      fact(t("trace.created"), formatTime(facts.created_at), proofLine(facts.created)),
      fact(t("trace.batchId"), el("code", {}, facts.batch_id)),
    ),
  );
}

function certificates(trace) {
  return section(
    "certificates",
    t("trace.certificates"),
    el(
      "ul",
      { class: "plain checklist" },
      trace.certificates.map((entry) => {
        const present = entry.document_hash !== null;
        return el(
          "li",
          { "data-kind": entry.kind, "data-present": String(present) },
          el("span", { class: `mark ${present ? "ok" : "bad"}`, "aria-hidden": "true" }, present ? "✓" : "✗"),
          el(
            "div",
            { class: "grow" },
            el("strong", {}, tOr(`cert.${entry.kind}`, entry.kind)),
            present
              ? [
                  el("div", { class: "hint" }, t("trace.certBy", { agency: entry.certifier_name, date: formatTime(entry.attached_at) })),
                  entry.attached_to && entry.attached_to !== lotName(trace.batch)
                    ? el("div", { class: "hint" }, t("trace.certOnLot", { lot: entry.attached_to }))
                    : null,
                  proofLine(entry.proof),
                ]
              : [" ", badge("bad", t("trace.certMissing"))],
          ),
        );
      }),
    ),
  );
}

function custody(trace) {
  return section(
    "custody",
    t("trace.custody"),
    el(
      "ol",
      { class: "plain chain" },
      trace.custody.map((step) =>
        el("li", {}, el("strong", {}, step.custodian_name), el("span", { class: "when" }, ` · ${step.lot}`), proofLine(step.proof)),
      ),
    ),
  );
}

function timeline(trace) {
  return section(
    "timeline",
    t("trace.events"),
    el(
      "ol",
      { class: "plain timeline" },
      trace.events.map((event) => {
        const breach =
          event.readings &&
          (event.readings.min_tenths < trace.window.min_tenths || event.readings.max_tenths > trace.window.max_tenths);
        return el(
          "li",
          { class: breach || event.problem ? "alert" : null, "data-event": event.event_hash },
          el("div", { class: "when" }, formatTime(event.event_time), ` · ${event.lot}`),
          el("strong", {}, tOr(`bizStep.${event.biz_step}`, event.biz_step ?? "")),
          " ",
          el("span", {}, t("trace.by", { who: event.custodian_name })),
          event.location ? el("div", { class: "hint" }, t("trace.at", { location: event.location })) : null,
          event.readings
            ? el(
                "div",
                { class: "hint" },
                breach ? badge("bad", t("trace.legendBreach")) : null,
                " ",
                t("trace.readings", {
                  low: celsius(event.readings.min_tenths),
                  high: celsius(event.readings.max_tenths),
                  count: event.reading_count,
                }),
              )
            : null,
          event.problem ? el("div", { class: "banner warn" }, event.problem) : null,
          proofLine(event.proof),
        );
      }),
    ),
  );
}

function temperatures(trace) {
  if (!trace.temperatures.length) return section("temperatures", t("trace.temperatures"), el("p", {}, t("trace.noReadings")));
  const breaches = trace.temperatures.filter((point) => !point.within);
  const description = t("trace.chartSummary", {
    count: trace.temperatures.length,
    breaches: breaches.length,
    window: windowText(trace.window),
  });
  return section(
    "temperatures",
    t("trace.temperatures"),
    el("div", { class: "chart" }, temperatureChart(trace.temperatures, trace.window, description)),
    el(
      "p",
      { class: "legend" },
      el("span", { class: "l-band" }, `${t("trace.legendBand")} ${windowText(trace.window)}`),
      el("span", { class: "l-point" }, t("trace.legendPoint")),
      el("span", { class: "l-breach" }, t("trace.legendBreach")),
    ),
    el("p", { class: "hint" }, description),
    breaches.length
      ? [
          el("h3", {}, t("trace.breaches")),
          el("ul", { class: "plain checklist", id: "breaches" }, breaches.map((point) => breachItem(point))),
        ]
      : null,
  );
}

function breachItem(point) {
  const outcome = el("div", { class: "hint", "aria-live": "polite" });
  const check = async () => {
    try {
      const path = `/coldchain/batches/${point.batch_id}/events/${point.event_hash}/readings/${point.index}/proof`;
      const proof = await api(path);
      // The leaf covers the value's tenths only; `problem` says when the stored reading is not its event's.
      const ok = proof.verified_locally && proof.verified_on_chain && !proof.problem;
      outcome.replaceChildren(
        badge(ok ? "ok" : "bad", ok ? t("trace.proofOk", { siblings: proof.siblings.length }) : t("trace.proofBad")),
        proof.problem ? el("div", { class: "banner warn", "data-problem": "" }, proof.problem) : null,
        proofLine(proof.proof),
      );
    } catch (error) {
      showError(outcome, error);
    }
  };
  return el(
    "li",
    { "data-breach": `${point.event_hash}:${point.index}` },
    el("span", { class: "mark bad", "aria-hidden": "true" }, "!"),
    el(
      "div",
      { class: "grow" },
      t("trace.readingAt", { time: formatTime(point.reading.start_ms / 1000), value: readingValue(point), lot: point.lot }),
      " ",
      el("button", { class: "secondary", type: "button", onclick: check }, t("trace.checkProof")),
      outcome,
    ),
  );
}

function alerts(trace) {
  if (!trace.incidents.length) return null;
  return section(
    "alerts",
    t("trace.alerts"),
    el(
      "ul",
      { class: "plain checklist" },
      trace.incidents.map((incident) =>
        el(
          "li",
          { "data-incident": incident.what },
          el("div", { class: "grow" }, el("strong", {}, tOr(`incident.${incident.what}`, incident.what)), ` · ${incident.lot} · ${incident.actor_name}`,
            incident.reason_detail ? reasonLine(incident.reason_detail) : incident.reason ? el("div", { class: "hint" }, incident.reason) : null,
            proofLine(incident.proof)),
        ),
      ),
    ),
  );
}

function lotLink(facts) {
  return [el("a", { href: `/trace/${facts.batch_id}` }, lotName(facts)), " ", statusBadge(facts.status), proofLine(facts.created)];
}

function tree(nodes) {
  return el("ul", {}, nodes.map((node) => el("li", { "data-lot": lotName(node.batch) }, lotLink(node.batch), node.children.length ? tree(node.children) : null)));
}

function lots(trace) {
  const parents = [...trace.ancestors].reverse();
  if (!parents.length && !trace.descendants.length) return section("lots", t("trace.lots"), el("p", {}, t("trace.noLots")));
  return section(
    "lots",
    t("trace.lots"),
    parents.length
      ? [el("h3", {}, t("trace.parents")), el("ol", { class: "plain chain", id: "parents" }, parents.map((facts) => el("li", { "data-lot": lotName(facts) }, lotLink(facts))))]
      : null,
    trace.descendants.length ? [el("h3", {}, t("trace.children")), el("div", { class: "tree", id: "children" }, tree(trace.descendants))] : null,
  );
}

async function load() {
  if (!batch) {
    showError(result, new PortalError("invalid"), { invalid: t("home.trace.empty") });
    return;
  }
  loading(result);
  const words = { notFound: t("error.unknownBatch", { batch }), invalid: t("error.badBatch", { batch }) };
  const path = `/coldchain/batches/${encodeURIComponent(batch)}`;
  // The lot's status first, a few hundred bytes: a hold or recall is on screen before the trace arrives,
  // and stays there if the trace cannot be fetched or shown.
  try {
    const status = await api(`${path}/status`);
    result.replaceChildren(...isolated(() => banners(status)), el("p", { class: "loading", role: "status" }, t("loading")));
  } catch (error) {
    shown = null;
    showError(result, error, words);
    return;
  }
  try {
    shown = await api(`${path}/trace`);
    render(shown);
  } catch (error) {
    shown = null;
    const rest = el("div", {});
    result.lastChild.replaceWith(rest);
    showError(rest, error, words);
  }
}

startPage(() => (shown ? render(shown) : load()));
load();
