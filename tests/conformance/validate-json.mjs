#!/usr/bin/env node
// validate-json.mjs SCHEMA FILE...   validate JSON documents against a JSON Schema (draft-07)
// validate-json.mjs --self-test      proves the checker rejects what it must
//
// Used for glc's own schemas, e.g. `glc diff --format json` against schema/diff.schema.json.
// ajv 8 in strict mode (unknown keywords in the schema are errors too, so the schema itself
// is checked), all errors, with ajv-formats.
//
// Output: `FILE: PATH: MESSAGE` per problem, `ok FILE` otherwise; exit 1 on any problem,
// 2 on usage errors or an unreadable/invalid schema.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const Ajv = require("ajv");
const addFormats = require("ajv-formats");

function pointerToPath(ptr) {
  if (!ptr) return "(root)";
  return ptr.split("/").slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), "");
}

export function compile(schema) {
  const ajv = new Ajv({ allErrors: true, strict: true, strictTypes: false });
  addFormats(ajv);
  return ajv.compile(schema);
}

export function problems(validate, doc) {
  if (validate(doc)) return [];
  const out = [];
  for (const e of validate.errors) {
    let msg = `${pointerToPath(e.instancePath)}: ${e.message}`;
    if (e.keyword === "additionalProperties") msg += ` ("${e.params.additionalProperty}")`;
    if (e.keyword === "enum") msg += ` (${e.params.allowedValues.map((v) => JSON.stringify(v)).join(", ")})`;
    if (!out.includes(msg)) out.push(msg);
  }
  return out;
}

function selfTest() {
  const schema = {
    type: "object", additionalProperties: false, required: ["a"],
    properties: { a: { enum: ["x", "y"] }, n: { type: ["integer", "null"], minimum: 1 } },
  };
  const v = compile(schema);
  const cases = [
    ["valid document passes", { a: "x", n: null }, 0],
    ["missing required", {}, 1],
    ["unknown property", { a: "x", b: 1 }, 1],
    ["enum", { a: "z" }, 1],
    ["minimum", { a: "x", n: 0 }, 1],
  ];
  let failed = 0;
  for (const [label, doc, bad] of cases) {
    const got = problems(v, doc);
    const ok = bad ? got.length > 0 : got.length === 0;
    console.log(`${ok ? "PASS" : "FAIL"}: ${label}${ok ? "" : `: ${got.join("; ")}`}`);
    failed += ok ? 0 : 1;
  }
  let rejected = false;
  try { compile({ type: "object", propertees: {} }); } catch { rejected = true; }
  console.log(`${rejected ? "PASS" : "FAIL"}: a schema with an unknown keyword is rejected`);
  failed += rejected ? 0 : 1;
  console.log(`${cases.length + 1 - failed} passed, ${failed} failed`);
  return failed ? 1 : 0;
}

function main(argv) {
  if (argv[0] === "--self-test") return selfTest();
  if (argv.length < 2 || argv.some((a) => a.startsWith("-") && a !== "-")) {
    console.error("usage: validate-json.mjs SCHEMA FILE... | --self-test   (FILE - reads stdin)");
    return 2;
  }
  let validate;
  try {
    validate = compile(JSON.parse(fs.readFileSync(argv[0], "utf8")));
  } catch (e) {
    console.error(`${argv[0]}: not a usable schema: ${e.message}`);
    return 2;
  }
  let bad = 0;
  for (const f of argv.slice(1)) {
    let doc;
    try {
      doc = JSON.parse(fs.readFileSync(f === "-" ? 0 : f, "utf8"));
    } catch (e) {
      console.log(`${f}: not JSON: ${e.message}`);
      bad++;
      continue;
    }
    const p = problems(validate, doc);
    for (const m of p) console.log(`${f}: ${m}`);
    if (p.length) bad++;
    else console.log(`ok ${f}`);
  }
  return bad ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href)
  process.exitCode = main(process.argv.slice(2));
