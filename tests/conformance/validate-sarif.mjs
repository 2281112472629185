#!/usr/bin/env node
// validate-sarif.mjs FILE...      validate SARIF logs against the SARIF 2.1.0 JSON schema
// validate-sarif.mjs --self-test  proves a tiny valid log passes and invalid ones fail
//
// The schema is Microsoft's published SARIF 2.1.0 schema (sarif-2.1.0-rtm.5.json, JSON
// Schema draft-04) as shipped verbatim in the npm package @microsoft/jest-sarif; it is the
// schema GitHub code scanning documents, and differs from the OASIS errata01 file only in
// descriptions. It is compiled with ajv's draft-04 build plus ajv-formats (uri,
// uri-reference, date-time are checked). `unicodeRegExp: false` is required because the
// schema's own `language` pattern has an unbalanced `]` that only non-unicode regexps accept.
//
// Output: `FILE: PATH: MESSAGE` per problem; exit 1 on any problem, 2 on usage errors.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const Ajv04 = require("ajv-draft-04");
const addFormats = require("ajv-formats");

export const SCHEMA_FILE = require.resolve("@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");

let validator = null;
function compile() {
  if (validator) return validator;
  const schema = JSON.parse(fs.readFileSync(SCHEMA_FILE, "utf8"));
  const ajv = new Ajv04({ allErrors: true, strict: false, unicodeRegExp: false });
  addFormats(ajv);
  validator = ajv.compile(schema);
  return validator;
}

function pointerToPath(ptr) {
  if (!ptr) return "(root)";
  return ptr.split("/").slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), "");
}

// Validates a parsed SARIF log; returns a list of "PATH: MESSAGE" strings.
export function validateLog(log) {
  const validate = compile();
  if (validate(log)) return [];
  const seen = new Set();
  const out = [];
  for (const e of validate.errors) {
    let msg = `${pointerToPath(e.instancePath)}: ${e.message}`;
    if (e.keyword === "additionalProperties") msg += ` ("${e.params.additionalProperty}")`;
    if (e.keyword === "enum") msg += ` (${e.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")})`;
    if (!seen.has(msg)) { seen.add(msg); out.push(msg); }
  }
  return out;
}

export function validateFile(file) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    return [`cannot read: ${e.message}`];
  }
  let log;
  try {
    log = JSON.parse(text);
  } catch (e) {
    return [`not JSON: ${e.message}`];
  }
  return validateLog(log);
}

// ---------------------------------------------------------------------------------------
const VALID = {
  $schema: "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json",
  version: "2.1.0",
  runs: [{
    tool: { driver: { name: "glc", version: "0.1.0", informationUri: "https://example.org/glc",
      rules: [{ id: "GLC101", name: "ZoneSpread", shortDescription: { text: "zone spread" },
        helpUri: "https://example.org/glc/docs/rules/GLC101.md", defaultConfiguration: { level: "error" } }] } },
    results: [{
      ruleId: "GLC101", ruleIndex: 0, level: "error", message: { text: "distribution sums to 8, replicas is 9" },
      locations: [{ physicalLocation: { artifactLocation: { uri: "config/kubernetes_config.yaml" },
        region: { startLine: 29, startColumn: 7, endColumn: 24 } } }],
      relatedLocations: [{ id: 1, physicalLocation: { artifactLocation: { uri: "config/resilience_config.yaml" },
        region: { startLine: 3 } }, message: { text: "related" } }],
    }],
    columnKind: "unicodeCodePoints",
  }],
};

function selfTest() {
  let passed = 0, failed = 0;
  const check = (label, ok, got) => {
    if (ok) { passed++; console.log(`PASS: ${label}`); }
    else { failed++; console.log(`FAIL: ${label}\n  got: ${got.length ? got.join("\n  got: ") : "no problem"}`); }
  };
  const clone = () => JSON.parse(JSON.stringify(VALID));
  let got = validateLog(VALID);
  check("a small glc-like SARIF log passes", got.length === 0, got);
  got = validateLog({ version: "2.1.0", runs: [] });
  check("the minimal log passes", got.length === 0, got);

  const bad = [];
  let l;
  l = clone(); l.version = "2.0.0"; bad.push(["wrong version", l, /version: .*allowed/]);
  l = clone(); delete l.runs; bad.push(["missing runs", l, /runs/]);
  l = clone(); l.runs[0].results[0].level = "fatal"; bad.push(["unknown result level", l, /level: .*allowed/]);
  l = clone(); l.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
  bad.push(["startLine 0", l, /startLine: must be >= 1/]);
  l = clone(); l.runs[0].bogus = 1; bad.push(["unknown property in run", l, /runs\[0\]: .*"bogus"/]);
  l = clone(); delete l.runs[0].results[0].message; bad.push(["result without message", l, /message/]);
  l = clone(); l.runs[0].tool.driver.rules[0].helpUri = "not a uri"; bad.push(["helpUri not a URI", l, /helpUri: must match format "uri"/]);
  l = clone(); delete l.runs[0].tool.driver.name; bad.push(["driver without name", l, /driver: .*name/]);
  for (const [label, log, re] of bad) {
    got = validateLog(log);
    check(`rejects ${label}`, got.some((p) => re.test(p)), got);
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

function main(argv) {
  if (argv[0] === "--self-test") return selfTest();
  if (argv.length === 0 || argv.some((a) => a.startsWith("-"))) {
    console.error("usage: validate-sarif.mjs FILE... | --self-test");
    return 2;
  }
  let bad = 0;
  for (const f of argv) {
    const problems = validateFile(f);
    for (const p of problems) console.log(`${f}: ${p}`);
    if (problems.length) bad++;
    else console.log(`ok ${f}`);
  }
  return bad ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href)
  process.exitCode = main(process.argv.slice(2));
