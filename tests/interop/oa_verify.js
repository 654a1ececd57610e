// Verifies documents with OpenAttestation's own verifier, @govtechsg/oa-verify, against a real node.
// stdin: {"rpcUrl": "...", "documents": [...]}; stdout: {"results": [[{name, status, code}, ...], ...]}, one
// list of fragments per document. All documents go through one process, so node starts once per test.
"use strict";

const { verificationBuilder, openAttestationVerifiers } = require("@govtechsg/oa-verify");
const { providers } = require("ethers");

let input = "";
process.stdin.setEncoding("utf8");
process.stdin.on("data", (chunk) => {
  input += chunk;
});
process.stdin.on("end", async () => {
  const { rpcUrl, documents } = JSON.parse(input);
  // The provider is given, so oa-verify never falls back to its Infura default (no internet here).
  const verify = verificationBuilder(openAttestationVerifiers, { provider: new providers.JsonRpcProvider(rpcUrl) });
  const results = [];
  for (const document of documents) {
    const fragments = await verify(document);
    results.push(
      fragments.map((f) => ({
        name: f.name,
        status: f.status,
        code: f.reason ? f.reason.codeString : null,
        message: f.reason ? f.reason.message : null,
      }))
    );
  }
  process.stdout.write(JSON.stringify({ results }));
});
