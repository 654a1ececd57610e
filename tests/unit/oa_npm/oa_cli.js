// Runs @govtechsg/open-attestation on a batch of requests so Python tests can compare against it.
// stdin:  {"requests": [{"action": "...", ...}, ...]}
// stdout: {"results": [{"ok": true, "value": ...} | {"ok": false, "error": "..."}, ...]}
// One process answers many requests because starting node dominates the cost of each call.
"use strict";

const oa = require("@govtechsg/open-attestation");

const actions = {
  wrap: (request) => oa.wrapDocument(request.data, request.options),
  wrapBatch: (request) => oa.wrapDocuments(request.documents, request.options),
  verifySignature: (request) => oa.verifySignature(request.document),
  validateSchema: (request) => oa.validateSchema(request.document),
  obfuscate: (request) => oa.obfuscateDocument(request.document, request.fields),
  getData: (request) => oa.getData(request.document),
  digest: (request) => oa.digestDocument(request.document),
  // String(v) of each JSON value: the rendering OA's salt embeds.
  jsString: (request) => request.values.map((value) => String(value)),
};

function answer(request) {
  const action = actions[request.action];
  if (!action) {
    return { ok: false, error: `unknown action ${request.action}` };
  }
  try {
    return { ok: true, value: action(request) };
  } catch (error) {
    return { ok: false, error: String(error && error.message ? error.message : error) };
  }
}

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  const { requests } = JSON.parse(input);
  process.stdout.write(JSON.stringify({ results: requests.map(answer) }));
});
