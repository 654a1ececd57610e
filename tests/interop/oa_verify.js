// Verifies documents with OpenAttestation's own verifier, @govtechsg/oa-verify, against a real node.
// stdin: {"rpcUrl": "...", "documents": [...], "dnsQueryUrl": optional}; stdout: {"results": [[{name, status, code}, ...], ...]}, one
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
  const { rpcUrl, documents, dnsQueryUrl } = JSON.parse(input);
  // The provider is given, so oa-verify never falls back to its Infura default (no internet here).
  const options = { provider: new providers.JsonRpcProvider(rpcUrl) };
  if (dnsQueryUrl) {
    // dnsprove's custom resolver: (domain) => the DNS-over-HTTPS JSON answer. It asks gzchain's /dns-query
    // instead of Google and Cloudflare; a refusal throws, which dnsprove counts as the resolver failing.
    options.dnsResolvers = [
      async (domain) => {
        const response = await fetch(`${dnsQueryUrl}?name=${encodeURIComponent(domain)}&type=TXT`);
        if (!response.ok) throw new Error(`/dns-query answered ${response.status}: ${await response.text()}`);
        return response.json();
      },
    ];
  }
  const verify = verificationBuilder(openAttestationVerifiers, options);
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
