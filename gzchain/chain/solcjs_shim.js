#!/usr/bin/env node
// Makes the npm `solc` package (solc-js) answer like native solc for the two calls py-solc-x makes:
// `--version` and `--standard-json` (input on stdin, pure JSON on stdout). solcjs's own CLI prints an
// SMT warning line before its JSON, which py-solc-x cannot parse; calling the library directly avoids it.
"use strict";
const fs = require("fs");
const path = require("path");

function option(name) {
  const args = process.argv.slice(2);
  const values = [];
  for (let i = 0; i < args.length; i++) {
    if (args[i] === name && i + 1 < args.length) values.push(args[++i]);
    else if (args[i].startsWith(name + "=")) values.push(args[i].slice(name.length + 1));
  }
  return values;
}

const basePath = option("--base-path")[0] || process.cwd();
const solcModule = process.env.GZCHAIN_SOLCJS_MODULE || require.resolve("solc", { paths: [basePath, process.cwd()] });
const solc = require(solcModule);
const args = process.argv.slice(2);

if (args.includes("--version")) {
  process.stdout.write("solc, the solidity compiler commandline interface\nVersion: " + solc.version() + "\n");
  process.exit(0);
}
if (!args.includes("--standard-json")) {
  process.stderr.write("solcjs shim: only --version and --standard-json are supported\n");
  process.exit(2);
}

const roots = [basePath, ...option("--include-path"), ...option("--allow-paths").flatMap((p) => p.split(","))]
  .filter(Boolean)
  .map((p) => path.resolve(p));

function readImport(sourceUnitName) {
  for (const root of roots) {
    const candidate = path.resolve(root, sourceUnitName);
    if (!roots.some((r) => candidate === r || candidate.startsWith(r + path.sep))) continue;
    if (fs.existsSync(candidate)) return { contents: fs.readFileSync(candidate, "utf8") };
  }
  return { error: "File not found inside the base path or any of the include paths: " + sourceUnitName };
}

const input = fs.readFileSync(0, "utf8");
process.stdout.write(solc.compile(input, { import: readImport }));
