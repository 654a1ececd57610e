// Wraps documents with OpenAttestation's own npm library, for the e-certificates scenario and the benchmark.
// stdin: a JSON array of document data; stdout: the wrapped batch (one Merkle root), as wrapDocuments gives it.
// With --timed (bench/certificates.py), stdout is {"ms": time inside wrapDocuments, "documents": [...wrapped]}:
// only the call itself is timed, so reading and writing JSON between the processes costs OA nothing.
"use strict";

const { wrapDocuments } = require("@govtechsg/open-attestation");

const timed = process.argv.includes("--timed");
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
  process.stdout.write(JSON.stringify(timed ? { ms, documents: wrapped } : wrapped));
});
