// Wraps documents with OpenAttestation's own npm library, for the e-certificates scenario.
// stdin: a JSON array of document data; stdout: the wrapped batch (one Merkle root), as wrapDocuments gives it.
"use strict";

const { wrapDocuments } = require("@govtechsg/open-attestation");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", () => {
  process.stdout.write(JSON.stringify(wrapDocuments(JSON.parse(input))));
});
