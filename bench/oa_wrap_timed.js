// Times OpenAttestation's own wrapDocuments on the documents given, for bench/certificates.py.
// stdin: a JSON array of document data; stdout: {"ms": time inside wrapDocuments, "documents": [...wrapped]}.
// Only the call itself is timed, so reading and writing JSON between the processes costs OA nothing.
"use strict";

const { wrapDocuments } = require("@govtechsg/open-attestation");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  const documents = JSON.parse(input);
  const started = process.hrtime.bigint();
  const wrapped = wrapDocuments(documents);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  process.stdout.write(JSON.stringify({ ms, documents: wrapped }));
});
