#!/usr/bin/env node
// validate-tf.mjs FILE.tf...      parse Terraform files and check their references
// validate-tf.mjs --self-test     proves an undeclared var.nope and a syntax error are caught
//
// Each FILE is parsed with @cdktf/hcl2json (HashiCorp's HCL parser compiled to WebAssembly);
// a parse error fails. Declarations are collected from every *.tf file of the FILE's
// directory (a Terraform module is a directory), and every reference in every expression of
// FILE must name one of them:
//   var.X        variable "X"             local.X      an entry of a locals block
//   module.X     module "X"               data.T.N     data "T" "N"
//   T.N          resource "T" "N"
// count.*, each.*, path.*, self.*, terraform.*, for-expression and dynamic-block iterators
// are built in; `provider`/`providers` meta-arguments and `ignore_changes` hold no
// expressions to check. For a module whose source is a local directory, the directory must
// exist, every argument must be a variable of that module, every variable without a default
// must be passed, and module.X.OUT must be an output of it. Duplicate declarations fail.
//
// Output: `FILE:LINE: MESSAGE` per problem (LINE is where the reference first appears);
// exit 1 on any problem, 2 on usage errors, 0 when every file passed.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const hcl = require("@cdktf/hcl2json");

const BUILTIN_ROOTS = new Set(["count", "each", "path", "self", "terraform"]);
const MODULE_META_ARGS = new Set(["source", "version", "count", "for_each", "providers", "depends_on"]);
const SKIP_KEYS = new Set(["provider", "providers", "ignore_changes"]);

// Parses one file; returns {json} or {error}.
async function parseFile(file) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    return { text: "", error: `cannot read: ${e.message}` };
  }
  try {
    return { text, json: await hcl.parse(path.basename(file), text) };
  } catch (e) {
    return { text, error: String(e && e.message ? e.message : e).replace(/^parse config: /, "") };
  }
}

function blocks(json, kind) {
  return json && typeof json[kind] === "object" && json[kind] !== null ? json[kind] : {};
}

// Declarations of one parsed file, added to decl.
function collect(json, file, decl) {
  const add = (map, key, value) => {
    if (!map.has(key)) map.set(key, []);
    map.get(key).push({ file, value });
  };
  for (const [name, list] of Object.entries(blocks(json, "variable"))) for (const v of list) add(decl.variables, name, v);
  for (const [name, list] of Object.entries(blocks(json, "output"))) for (const v of list) add(decl.outputs, name, v);
  for (const [name, list] of Object.entries(blocks(json, "module"))) for (const v of list) add(decl.modules, name, v);
  for (const kind of ["resource", "data"]) {
    for (const [type, byName] of Object.entries(blocks(json, kind)))
      for (const [name, list] of Object.entries(byName))
        for (const v of list) add(kind === "resource" ? decl.resources : decl.data, `${type}.${name}`, v);
  }
  for (const l of Array.isArray(json.locals) ? json.locals : [])
    for (const [name, v] of Object.entries(l)) add(decl.locals, name, v);
  // dynamic "NAME" { iterator = IT ... }: NAME (or IT) is a block-local symbol.
  (function walk(node) {
    if (Array.isArray(node)) { node.forEach(walk); return; }
    if (node === null || typeof node !== "object") return;
    if (node.dynamic && typeof node.dynamic === "object") {
      for (const [name, list] of Object.entries(node.dynamic)) {
        decl.iterators.add(name);
        for (const d of list) if (typeof d.iterator === "string") decl.iterators.add(d.iterator.replace(/^\$\{|\}$/g, ""));
      }
    }
    Object.values(node).forEach(walk);
  })(json);
}

function emptyDecl() {
  return { variables: new Map(), outputs: new Map(), modules: new Map(), resources: new Map(),
    data: new Map(), locals: new Map(), iterators: new Set(), files: new Map(), errors: [] };
}

const dirCache = new Map();
// Parses every *.tf file of dir; returns its declarations and parsed files.
async function loadDir(dir) {
  dir = path.resolve(dir);
  if (dirCache.has(dir)) return dirCache.get(dir);
  const decl = emptyDecl();
  const names = fs.readdirSync(dir).filter((f) => f.endsWith(".tf")).sort();
  for (const n of names) {
    const file = path.join(dir, n);
    const parsed = await parseFile(file);
    decl.files.set(file, parsed);
    if (parsed.error) decl.errors.push({ file, message: `HCL parse error: ${parsed.error}` });
    else collect(parsed.json, file, decl);
  }
  dirCache.set(dir, decl);
  return decl;
}

// Yields [jsonPath, string] for every string that holds an expression, skipping SKIP_KEYS.
function* expressions(node, p) {
  if (typeof node === "string") {
    if (node.includes("${") || node.includes("%{")) yield [p, node];
  } else if (Array.isArray(node)) {
    for (let i = 0; i < node.length; i++) yield* expressions(node[i], node.length === 1 ? p : `${p}[${i}]`);
  } else if (node !== null && typeof node === "object") {
    for (const [k, v] of Object.entries(node)) if (!SKIP_KEYS.has(k)) yield* expressions(v, p ? `${p}.${k}` : k);
  }
}

function lineOf(text, needle) {
  const i = text.indexOf(needle);
  return i < 0 ? 1 : text.slice(0, i).split("\n").length;
}

function rel(file) {
  const r = path.relative(process.cwd(), file);
  return r.startsWith("..") ? file : r;
}

// Checks one file against its directory; returns problem lines.
async function checkFile(file) {
  file = path.resolve(file);
  if (!fs.existsSync(file)) return [`${rel(file)}: cannot read: no such file`];
  const decl = await loadDir(path.dirname(file));
  const parsed = decl.files.get(file);
  const problems = [];
  const report = (line, msg) => problems.push(`${rel(file)}:${line}: ${msg}`);
  if (!parsed) return [`${rel(file)}: not a .tf file`];
  if (parsed.error) { report(1, `HCL parse error: ${parsed.error}`); return problems; }
  for (const e of decl.errors) if (e.file !== file) report(1, `${rel(e.file)} of the same module does not parse: ${e.message}`);

  // Duplicate declarations that involve this file.
  for (const [label, map] of [["variable", decl.variables], ["output", decl.outputs], ["module", decl.modules],
    ["resource", decl.resources], ["data", decl.data], ["local", decl.locals]]) {
    for (const [name, list] of map) {
      if (list.length > 1 && list.some((d) => d.file === file))
        report(lineOf(parsed.text, name.split(".").pop()), `${label} "${name}" is declared ${list.length} times`);
    }
  }

  const seen = new Set();
  for (const [where, expr] of expressions(parsed.json, "")) {
    let refs;
    try {
      refs = await hcl.getReferencesInExpression(path.basename(file), expr);
    } catch (e) {
      report(lineOf(parsed.text, expr), `${where}: invalid expression: ${e.message || e}`);
      continue;
    }
    for (const { value } of refs) {
      const seg = value.split(".");
      const key = `${where}|${value}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const problem = await checkReference(seg, decl, file);
      if (problem) report(lineOf(parsed.text, value.split(".").slice(0, 2).join(".")), `${where}: ${problem}`);
    }
  }
  for (const [name, list] of Object.entries(blocks(parsed.json, "module")))
    for (const m of list) for (const p of await checkModuleCall(name, m, file)) report(lineOf(parsed.text, `module "${name}"`), p);
  return problems;
}

async function localModuleDir(call, file) {
  const src = typeof call.source === "string" ? call.source : "";
  if (!src.startsWith("./") && !src.startsWith("../")) return null;
  return path.resolve(path.dirname(file), src);
}

// Returns a message when the reference seg (split on dots) is not declared.
async function checkReference(seg, decl, file) {
  const [root, a, b] = seg;
  if (seg.length < 2 || BUILTIN_ROOTS.has(root) || decl.iterators.has(root)) return null;
  switch (root) {
    case "var": return decl.variables.has(a) ? null : `undeclared variable var.${a}`;
    case "local": return decl.locals.has(a) ? null : `undeclared local value local.${a}`;
    case "data": return decl.data.has(`${a}.${b}`) ? null : `undeclared data source data.${a}.${b}`;
    case "module": {
      if (!decl.modules.has(a)) return `undeclared module module.${a}`;
      const dir = await localModuleDir(decl.modules.get(a)[0].value, file);
      if (!dir || b === undefined || !fs.existsSync(dir)) return null;
      const inner = await loadDir(dir);
      return inner.outputs.has(b) ? null : `module.${a}.${b}: module "${a}" (${rel(dir)}) has no output "${b}"`;
    }
    default:
      return decl.resources.has(`${root}.${a}`) ? null : `undeclared resource ${root}.${a}`;
  }
}

// Checks arguments of a call to a module in a local directory.
async function checkModuleCall(name, call, file) {
  const dir = await localModuleDir(call, file);
  if (!dir) return [];
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    return [`module "${name}": source ${call.source} is not a directory`];
  const inner = await loadDir(dir);
  const problems = inner.errors.map((e) => `module "${name}": ${rel(e.file)}: ${e.message}`);
  for (const arg of Object.keys(call)) {
    if (!MODULE_META_ARGS.has(arg) && !inner.variables.has(arg))
      problems.push(`module "${name}": argument "${arg}" is not a variable of ${rel(dir)}`);
  }
  for (const [v, list] of inner.variables) {
    if (!("default" in list[0].value) && !(v in call))
      problems.push(`module "${name}": required variable "${v}" of ${rel(dir)} is not set`);
  }
  return problems;
}

export async function validateFiles(files) {
  const problems = [];
  for (const f of files) problems.push(...(await checkFile(f)));
  return problems;
}

// ---------------------------------------------------------------------------------------
const GOOD_ROOT = `
terraform {
  required_version = ">= 1.5.0"
}
variable "vpc_id" {
  type = string
}
module "app" {
  source = "./modules/app"
  vpc_id = var.vpc_id
}
output "dns" {
  value = module.app.dns_name
}
`;
const GOOD_MODULE = `
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}
variable "vpc_id" { type = string }
variable "zones" {
  type    = map(string)
  default = { a = "subnet-1", b = "subnet-2" }
}
locals {
  tags  = { app = "agent-foundation" }
  names = [for z, s in var.zones : "\${z}-\${s}" if z != ""]
}
data "aws_eks_cluster" "this" {
  name = "c"
}
resource "aws_lb" "nlb" {
  name     = "nlb-\${var.vpc_id}"
  internal = false
  tags     = merge(local.tags, { Name = "nlb" })
  dynamic "subnet_mapping" {
    for_each = var.zones
    content {
      subnet_id = subnet_mapping.value
    }
  }
  lifecycle {
    ignore_changes = [tags]
  }
}
resource "aws_lb_target_group" "tg" {
  for_each = var.zones
  name     = "tg-\${each.key}"
  vpc_id   = var.vpc_id
  tags     = { endpoint = data.aws_eks_cluster.this.endpoint, path = path.module }
}
resource "aws_lb_listener" "tcp" {
  count             = length(local.names)
  load_balancer_arn = aws_lb.nlb.arn
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.tg["a"].arn
  }
  depends_on = [aws_lb.nlb]
}
output "dns_name" {
  value = aws_lb.nlb.dns_name
}
`;

async function selfTest() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "glc-tf-selftest-"));
  let passed = 0, failed = 0;
  const check = (label, ok, got) => {
    if (ok) { passed++; console.log(`PASS: ${label}`); }
    else { failed++; console.log(`FAIL: ${label}\n  got: ${got.length ? got.join("\n  got: ") : "no problem"}`); }
  };
  // Each case is its own root directory (declarations are per directory).
  let n = 0;
  const layout = (files) => {
    const dir = path.join(tmp, `case${n++}`);
    for (const [name, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text);
    }
    return dir;
  };
  const run = async (dir, file) => validateFiles([path.join(dir, file)]);
  try {
    let dir = layout({ "main.tf": GOOD_ROOT, "modules/app/main.tf": GOOD_MODULE });
    let got = [...(await run(dir, "main.tf")), ...(await run(dir, "modules/app/main.tf"))];
    check("a root and its module with var/local/data/resource/module references pass", got.length === 0, got);

    dir = layout({ "main.tf": `${GOOD_MODULE}\nresource "aws_lb" "x" {\n  name = var.nope\n}\n` });
    got = await run(dir, "main.tf");
    check("undeclared var.nope is caught", got.some((p) => /main\.tf:\d+: .*undeclared variable var\.nope/.test(p)), got);

    dir = layout({ "main.tf": `resource "aws_lb" "x" {\n  name = \n}\n` });
    got = await run(dir, "main.tf");
    check("syntax error is caught", got.some((p) => /HCL parse error/.test(p)), got);

    dir = layout({ "main.tf": `resource "aws_lb" "x" {\n  name = "a"\n` });
    got = await run(dir, "main.tf");
    check("unclosed block is caught", got.some((p) => /HCL parse error/.test(p)), got);

    dir = layout({ "main.tf": GOOD_MODULE.replace("certificate_arn", "x") +
      `resource "aws_lb_listener" "tls" {\n  load_balancer_arn = aws_lb.nlb.arn\n  certificate_arn = aws_acm_certificate.cert.arn\n}\n` });
    got = await run(dir, "main.tf");
    check("undeclared resource aws_acm_certificate.cert is caught",
      got.some((p) => /undeclared resource aws_acm_certificate\.cert/.test(p)), got);

    dir = layout({ "main.tf": `output "o" {\n  value = "\${local.missing}-\${data.aws_vpc.x.id}-\${module.m.y}"\n}\n` });
    got = await run(dir, "main.tf");
    check("undeclared local, data source and module are caught",
      ["local value local.missing", "data source data.aws_vpc.x", "module module.m"].every((s) => got.some((p) => p.includes(s))), got);

    dir = layout({ "a.tf": `variable "x" {}\n`, "b.tf": `variable "x" {}\noutput "o" {\n  value = var.x\n}\n` });
    got = await run(dir, "b.tf");
    check("declarations from sibling files count, duplicates are caught",
      got.length === 1 && /variable "x" is declared 2 times/.test(got[0]), got);

    dir = layout({ "main.tf": GOOD_ROOT.replace("module.app.dns_name", "module.app.nope").replace("vpc_id = var.vpc_id", "vpc = var.vpc_id"),
      "modules/app/main.tf": GOOD_MODULE });
    got = await run(dir, "main.tf");
    check("module output, argument and required variable are checked",
      ['no output "nope"', 'argument "vpc" is not a variable', 'required variable "vpc_id"'].every((s) => got.some((p) => p.includes(s))), got);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

async function main(argv) {
  if (argv[0] === "--self-test") return selfTest();
  if (argv.length === 0 || argv.some((a) => a.startsWith("-"))) {
    console.error("usage: validate-tf.mjs FILE.tf... | --self-test");
    return 2;
  }
  let bad = 0;
  for (const f of argv) {
    const problems = await checkFile(f);
    for (const p of problems) console.log(p);
    if (problems.length) bad++;
    else console.log(`ok ${f}`);
  }
  return bad ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href)
  process.exitCode = await main(process.argv.slice(2));
