#!/usr/bin/env node
// check-tf.mjs DIR EXPECT.json    assert what glc's generated Terraform module (DIR, e.g.
//                                 <out>/terraform) says, against values written down by hand
// check-tf.mjs --root DIR         assert that the root module in DIR configures the aws provider
//                                 and calls the generated module with every one of its variables
//                                 and passes every one of its outputs on
// check-tf.mjs --self-test        prove that a wrong node group size, a missing CA tag and an
//                                 undeclared certificate are caught
//
// Files are parsed with @cdktf/hcl2json (HashiCorp's HCL parser, as validate-tf.mjs does), so
// the assertions are on the HCL as Terraform reads it, not on text. validate-tf.mjs checks that
// the module parses and that every reference is declared; this checks that the values are the
// config's. EXPECT.json:
//   { "cluster_name": "...", "region": "...", "instance_type": "...",
//     "zones": { "<zone>": { "min": N, "max": N, "desired": N }, ... },
//     "min_nodes": N, "max_nodes": N,          totals over the zones
//     "ca_enabled": bool, "http_port": N, "readiness_path": "/...", "deregistration_delay": N,
//     "stickiness": bool, "cross_zone": bool, "internal": bool,
//     "health_check": { "interval": N, "healthy_threshold": N, "unhealthy_threshold": N } }
//
// Output: `ok NAME` per assertion that held, `FAIL NAME: detail` per one that did not, then
// `N passed, M failed`; exit 1 when any failed, 2 on usage errors.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
const hcl = require("@cdktf/hcl2json");

// Parses every *.tf of dir into one object: { files: {name: json}, blocks: merged }.
async function loadModule(dir) {
  const files = {};
  const merged = { terraform: [], provider: {}, variable: {}, output: {}, locals: {}, module: {}, resource: {}, data: {} };
  for (const name of fs.readdirSync(dir).filter((f) => f.endsWith(".tf")).sort()) {
    const json = await hcl.parse(name, fs.readFileSync(path.join(dir, name), "utf8"));
    files[name] = json;
    for (const t of json.terraform || []) merged.terraform.push(t);
    for (const kind of ["provider", "variable", "output", "module"])
      for (const [k, v] of Object.entries(json[kind] || {})) merged[kind][k] = (merged[kind][k] || []).concat(v);
    for (const l of json.locals || []) Object.assign(merged.locals, l);
    for (const kind of ["resource", "data"])
      for (const [type, byName] of Object.entries(json[kind] || {}))
        for (const [n, v] of Object.entries(byName)) merged[kind][`${type}.${n}`] = (merged[kind][`${type}.${n}`] || []).concat(v);
  }
  return { dir, files, ...merged };
}

function makeReport() {
  const r = { passed: 0, failed: 0, lines: [] };
  r.check = (name, ok, detail) => {
    if (ok) { r.passed++; r.lines.push(`ok ${name}`); }
    else { r.failed++; r.lines.push(`FAIL ${name}${detail === undefined ? "" : `: ${typeof detail === "string" ? detail : JSON.stringify(detail)}`}`); }
    return ok;
  };
  return r;
}

const one = (list) => (Array.isArray(list) && list.length === 1 ? list[0] : undefined);
const expr = (s) => `\${${s}}`;

// "${local.x}" → the literal value of local x, when it has one.
function resolve(m, v) {
  const hit = typeof v === "string" && /^\$\{local\.([A-Za-z0-9_-]+)\}$/.exec(v);
  return hit && hit[1] in m.locals ? m.locals[hit[1]] : v;
}

function allStrings(node, out = []) {
  if (typeof node === "string") out.push(node);
  else if (Array.isArray(node)) node.forEach((n) => allStrings(n, out));
  else if (node && typeof node === "object") Object.values(node).forEach((n) => allStrings(n, out));
  return out;
}

export async function checkGenerated(dir, exp) {
  const r = makeReport();
  const m = await loadModule(dir);
  const zones = Object.keys(exp.zones);

  // versions.tf
  const tf = m.terraform.find((t) => t.required_version || t.required_providers);
  const rv = tf && tf.required_version;
  r.check("terraform required_version is a bounded range", typeof rv === "string" && />=\s*1\.\d+/.test(rv) && /<\s*2\.0/.test(rv), rv);
  const aws = tf && one(tf.required_providers) && one(tf.required_providers).aws;
  r.check("aws provider is hashicorp/aws pinned to ~> 5.x", aws && aws.source === "hashicorp/aws" && /^~>\s*5\.\d+$/.test(aws.version), aws);
  r.check("the module configures no provider", Object.keys(m.provider).length === 0, Object.keys(m.provider));

  // variables.tf
  const v = (n) => one(m.variable[n]);
  for (const n of ["vpc_id", "private_subnet_ids", "public_subnet_ids", "certificate_arn", "cluster_endpoint_public_access",
    "cluster_endpoint_public_access_cidrs", "access_logs_bucket", "tags"])
    r.check(`variable ${n} is declared`, !!v(n));
  const ps = v("private_subnet_ids") || {};
  r.check("private_subnet_ids is map(string)", ps.type === expr("map(string)"), ps.type);
  const conds = (ps.validation || []).map((x) => x.condition).join("\n");
  r.check("private_subnet_ids validation names every configured zone",
    zones.every((z) => conds.includes(`"${z}"`)) && /contains\(keys\(var\.private_subnet_ids\)/.test(conds), conds);
  if (!exp.internal) {
    const pub = (v("public_subnet_ids") || {}).validation || [];
    r.check("public_subnet_ids (internet-facing NLB) is required and covers every zone",
      !("default" in (v("public_subnet_ids") || {})) && zones.every((z) => pub.some((x) => x.condition.includes(`"${z}"`))), pub);
  }
  const cert = v("certificate_arn") || {};
  r.check("certificate_arn is validated as an ACM ARN in the region",
    (cert.validation || []).some((x) => x.condition.includes(`:acm:${exp.region}:`)), cert.validation);
  const epa = v("cluster_endpoint_public_access") || {};
  r.check("cluster_endpoint_public_access is a bool defaulting to false", epa.type === expr("bool") && epa.default === false, epa);
  r.check("access_logs_bucket defaults to null", (v("access_logs_bucket") || {}).default === null);
  const tags = v("tags") || {};
  r.check("tags is map(string) defaulting to {}", tags.type === expr("map(string)") && JSON.stringify(tags.default) === "{}", tags);

  // eks.tf
  const eks = one(m.module.eks) || {};
  r.check("module eks is terraform-aws-modules/eks/aws 19.16.0", eks.source === "terraform-aws-modules/eks/aws" && eks.version === "19.16.0",
    { source: eks.source, version: eks.version });
  r.check("cluster_name is the config's", resolve(m, eks.cluster_name) === exp.cluster_name, eks.cluster_name);
  r.check("cluster_version is 1.28", eks.cluster_version === "1.28", eks.cluster_version);
  r.check("endpoint access comes from the variables",
    eks.cluster_endpoint_public_access === expr("var.cluster_endpoint_public_access") &&
    eks.cluster_endpoint_public_access_cidrs === expr("var.cluster_endpoint_public_access_cidrs") &&
    eks.cluster_endpoint_private_access === true);
  const logs = eks.cluster_enabled_log_types || [];
  r.check("control plane logs audit, api, authenticator (CKV_AWS_37)", ["audit", "api", "authenticator"].every((l) => logs.includes(l)), logs);
  r.check("secrets encryption with a module-created KMS key (CKV_AWS_58)",
    eks.create_kms_key === true && ((eks.cluster_encryption_config || {}).resources || []).includes("secrets"), eks.cluster_encryption_config);
  r.check("the seed's addons", ["coredns", "kube-proxy", "vpc-cni", "aws-ebs-csi-driver"].every((a) => a in (eks.cluster_addons || {})),
    Object.keys(eks.cluster_addons || {}));

  const groups = eks.eks_managed_node_groups || {};
  r.check(`one node group per zone (${zones.length})`, Object.keys(groups).length === zones.length, Object.keys(groups));
  let sumMin = 0, sumMax = 0;
  for (const z of zones) {
    const want = exp.zones[z];
    const subnet = [expr(`var.private_subnet_ids["${z}"]`)];
    const hits = Object.entries(groups).filter(([, g]) => JSON.stringify(g.subnet_ids) === JSON.stringify(subnet));
    if (!r.check(`${z}: exactly one node group, in var.private_subnet_ids["${z}"]`, hits.length === 1, hits.map(([k]) => k))) continue;
    const [key, g] = hits[0];
    sumMin += g.min_size; sumMax += g.max_size;
    r.check(`${z}: min/desired/max = ${want.min}/${want.desired}/${want.max}`,
      g.min_size === want.min && g.desired_size === want.desired && g.max_size === want.max,
      { min_size: g.min_size, desired_size: g.desired_size, max_size: g.max_size });
    r.check(`${z}: min <= desired <= max (A13)`, g.min_size <= g.desired_size && g.desired_size <= g.max_size && g.max_size >= 1);
    r.check(`${z}: instance_types = [${exp.instance_type}]`, JSON.stringify(g.instance_types) === JSON.stringify([exp.instance_type]), g.instance_types);
    const t = g.tags || {};
    r.check(`${z}: cluster-autoscaler discovery tags (A12)`,
      t["k8s.io/cluster-autoscaler/enabled"] === "true" && t[`k8s.io/cluster-autoscaler/${exp.cluster_name}`] === "owned", t);
    r.check(`${z}: key ${key} is an identifier, names fit AWS's name_prefix limits`,
      /^[a-z_][a-z0-9_]*$/.test(key) && typeof g.name === "string" && g.name.length <= 36 &&
      typeof g.iam_role_name === "string" && g.iam_role_name.length <= 37, { key, name: g.name, iam_role_name: g.iam_role_name });
  }
  r.check(`node group sizes sum to min_nodes ${exp.min_nodes} / max_nodes ${exp.max_nodes}`,
    sumMin === exp.min_nodes && sumMax === exp.max_nodes, { min: sumMin, max: sumMax });
  const sgRules = Object.values(eks.node_security_group_additional_rules || {});
  r.check(`node security group admits the NLB on the http port ${exp.http_port}`,
    sgRules.some((x) => x.type === "ingress" && x.protocol === "tcp" && x.from_port === exp.http_port && x.to_port === exp.http_port),
    sgRules);

  // nlb.tf
  const lb = one(m.resource["aws_lb.this"]) || {};
  r.check("aws_lb is a network load balancer", lb.load_balancer_type === "network");
  r.check(`internal = ${exp.internal}`, lb.internal === exp.internal, lb.internal);
  r.check(`cross-zone = ${exp.cross_zone}`, lb.enable_cross_zone_load_balancing === exp.cross_zone, lb.enable_cross_zone_load_balancing);
  r.check("deletion protection (CKV_AWS_150)", lb.enable_deletion_protection === true);
  r.check("NLB name fits 32 characters", typeof lb.name === "string" && lb.name.length <= 32 && !lb.name.startsWith("internal-"), lb.name);
  const nlbSubnets = JSON.stringify(m.locals.nlb_subnet_ids || lb.subnets);
  r.check(`NLB subnets are the ${exp.internal ? "private" : "public"} ones`,
    exp.internal ? !nlbSubnets.includes("public_subnet_ids") : nlbSubnets.includes("var.public_subnet_ids"), nlbSubnets);
  const al = one(((one(lb.dynamic ? [lb.dynamic] : []) || {}).access_logs) || []);
  r.check("access_logs block when var.access_logs_bucket is set (CKV_AWS_91)",
    !!al && /var\.access_logs_bucket\s*==\s*null/.test(al.for_each), al);

  const tg = one(m.resource["aws_lb_target_group.this"]) || {};
  r.check(`target group TCP :${exp.http_port}, target_type ip, in var.vpc_id`,
    tg.port === exp.http_port && tg.protocol === "TCP" && tg.target_type === "ip" && tg.vpc_id === expr("var.vpc_id"),
    { port: tg.port, protocol: tg.protocol, target_type: tg.target_type, vpc_id: tg.vpc_id });
  const hc = one(tg.health_check) || {};
  r.check(`health check HTTP ${exp.readiness_path} on traffic-port`,
    hc.protocol === "HTTP" && hc.path === exp.readiness_path && hc.port === "traffic-port" && hc.enabled !== false, hc);
  r.check("health check interval and thresholds", hc.interval === exp.health_check.interval &&
    hc.healthy_threshold === exp.health_check.healthy_threshold && hc.unhealthy_threshold === exp.health_check.unhealthy_threshold &&
    hc.timeout >= 2 && hc.timeout < hc.interval, hc);
  r.check(`deregistration_delay = ${exp.deregistration_delay}`, tg.deregistration_delay === exp.deregistration_delay, tg.deregistration_delay);
  const st = one(tg.stickiness) || {};
  r.check(`stickiness source_ip, enabled = ${exp.stickiness}`, st.type === "source_ip" && st.enabled === exp.stickiness, st);
  r.check("target group name_prefix fits 6 characters", typeof tg.name_prefix === "string" && tg.name_prefix.length <= 6, tg.name_prefix);

  const listeners = Object.entries(m.resource).filter(([k]) => k.startsWith("aws_lb_listener.")).map(([, l]) => one(l));
  const fwd = (l) => { const a = one(l.default_action) || {}; return a.type === "forward" && a.target_group_arn === expr("aws_lb_target_group.this.arn"); };
  const tcp = listeners.filter((l) => l.protocol === "TCP" && Number(l.port) === 80);
  r.check("TCP :80 listener forwards to the target group", tcp.length === 1 && fwd(tcp[0]) && tcp[0].load_balancer_arn === expr("aws_lb.this.arn"));
  const tls = listeners.filter((l) => l.protocol === "TLS" && Number(l.port) === 443);
  r.check("TLS :443 listener with var.certificate_arn and a TLS 1.2+ policy (CKV_AWS_103)",
    tls.length === 1 && fwd(tls[0]) && tls[0].certificate_arn === expr("var.certificate_arn") &&
    /^ELBSecurityPolicy-(TLS13-1-2|TLS-1-2|FS-1-2)/.test(tls[0].ssl_policy), tls);
  r.check("no aws_acm_certificate anywhere (the seed's undeclared certificate)",
    !allStrings(m.files).some((s) => s.includes("aws_acm_certificate")));

  // cluster autoscaler
  const irsa = one(m.module.cluster_autoscaler_irsa);
  if (exp.ca_enabled) {
    r.check("cluster autoscaler IRSA role for kube-system:cluster-autoscaler",
      !!irsa && irsa.attach_cluster_autoscaler_policy === true &&
      JSON.stringify(irsa.oidc_providers || {}).includes("kube-system:cluster-autoscaler"), irsa);
  } else {
    r.check("no autoscaler resources when the config disables it", !irsa && !("cluster-autoscaler.tf" in m.files), Object.keys(m.files));
  }

  // outputs.tf
  for (const o of ["cluster_name", "cluster_endpoint", "node_group_names", "nlb_dns_name", "nlb_arn", "target_group_arn"])
    r.check(`output ${o}`, !!one(m.output[o]));
  r.check("output target_group_arn is the target group's", (one(m.output.target_group_arn) || {}).value === expr("aws_lb_target_group.this.arn"));
  return r;
}

export async function checkRoot(dir) {
  const r = makeReport();
  const root = await loadModule(dir);
  const awsProv = one(root.provider.aws);
  r.check("root configures the aws provider with a region", !!awsProv && typeof awsProv.region === "string", awsProv);
  const tf = root.terraform.find((t) => t.required_providers);
  const aws = tf && one(tf.required_providers).aws;
  r.check("root pins hashicorp/aws ~> 5.x", aws && aws.source === "hashicorp/aws" && /^~>\s*5\.\d+$/.test(aws.version), aws);
  const svc = one(root.module.service);
  if (!r.check("module service calls ../generated/terraform", !!svc && svc.source === "../generated/terraform", svc && svc.source)) return r;
  const gen = await loadModule(path.resolve(dir, svc.source));
  for (const name of Object.keys(gen.variable)) {
    r.check(`module service passes var.${name} through`, svc[name] === expr(`var.${name}`) && !!one(root.variable[name]), svc[name]);
  }
  for (const name of Object.keys(gen.output)) {
    const o = one(root.output[name]);
    r.check(`output ${name} passes module.service.${name} on`, !!o && o.value === expr(`module.service.${name}`), o && o.value);
  }
  const example = path.join(dir, "terraform.tfvars.example");
  if (fs.existsSync(example)) {
    const vars = await hcl.parse("terraform.tfvars", fs.readFileSync(example, "utf8"));
    const unknown = Object.keys(vars).filter((k) => !root.variable[k]);
    r.check("terraform.tfvars.example sets only declared variables", unknown.length === 0, unknown);
    const unset = Object.entries(root.variable).filter(([k, l]) => !("default" in l[0]) && !(k in vars)).map(([k]) => k);
    r.check("terraform.tfvars.example sets every variable without a default", unset.length === 0, unset);
    // The generated module's zones (its validation lists them) must all have a subnet in the example.
    const cond = ((one(gen.variable.private_subnet_ids) || {}).validation || []).map((x) => x.condition).join("\n");
    const zones = [...new Set([...cond.matchAll(/"([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-[0-9]+[a-z])"/g)].map((x) => x[1]))];
    r.check(`terraform.tfvars.example has a private subnet for every zone (${zones.join(", ")})`,
      zones.length > 0 && zones.every((z) => z in (vars.private_subnet_ids || {})), vars.private_subnet_ids);
  }
  return r;
}

// ---------------------------------------------------------------------------------------
async function selfTest() {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "glc-checktf-selftest-"));
  const r = makeReport();
  const write = (name, text) => fs.writeFileSync(path.join(tmp, name), text);
  const group = (zone, min, max, tags) => `
    "g_${zone.replace(/-/g, "_")}" = {
      name           = "g-${zone}"
      iam_role_name  = "g-${zone}"
      instance_types = ["c6i.2xlarge"]
      subnet_ids     = [var.private_subnet_ids["${zone}"]]
      min_size       = ${min}
      max_size       = ${max}
      desired_size   = ${min}
      tags = {${tags}}
    }`;
  const caTags = `
        "k8s.io/cluster-autoscaler/enabled" = "true"
        "k8s.io/cluster-autoscaler/demo" = "owned"`;
  const module = (groups, cert) => `
terraform {
  required_version = ">= 1.5.0, < 2.0.0"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.31" }
  }
}
variable "vpc_id" { type = string }
variable "private_subnet_ids" {
  type = map(string)
  validation {
    condition     = alltrue([for z in ["z-1a", "z-1b"] : contains(keys(var.private_subnet_ids), z)])
    error_message = "x"
  }
}
variable "public_subnet_ids" {
  type = map(string)
  validation {
    condition     = alltrue([for z in ["z-1a", "z-1b"] : contains(keys(var.public_subnet_ids), z)])
    error_message = "x"
  }
}
variable "certificate_arn" {
  type = string
  validation {
    condition     = can(regex("^arn:aws:acm:z-1:[0-9]{12}:certificate/.+$", var.certificate_arn))
    error_message = "x"
  }
}
variable "cluster_endpoint_public_access" {
  type    = bool
  default = false
}
variable "cluster_endpoint_public_access_cidrs" {
  type    = list(string)
  default = []
}
variable "access_logs_bucket" {
  type    = string
  default = null
}
variable "tags" {
  type    = map(string)
  default = {}
}
locals {
  cluster        = "demo"
  nlb_subnet_ids = [for z in ["z-1a", "z-1b"] : var.public_subnet_ids[z]]
}
module "eks" {
  source                               = "terraform-aws-modules/eks/aws"
  version                              = "19.16.0"
  cluster_name                         = local.cluster
  cluster_version                      = "1.28"
  cluster_endpoint_private_access      = true
  cluster_endpoint_public_access       = var.cluster_endpoint_public_access
  cluster_endpoint_public_access_cidrs = var.cluster_endpoint_public_access_cidrs
  cluster_enabled_log_types            = ["audit", "api", "authenticator"]
  create_kms_key                       = true
  cluster_encryption_config            = { resources = ["secrets"] }
  cluster_addons = {
    coredns            = {}
    kube-proxy         = {}
    vpc-cni            = {}
    aws-ebs-csi-driver = {}
  }
  eks_managed_node_groups = {${groups}
  }
  node_security_group_additional_rules = {
    nlb = {
      type      = "ingress"
      protocol  = "tcp"
      from_port = 8000
      to_port   = 8000
    }
  }
}
resource "aws_lb" "this" {
  name                             = "demo"
  load_balancer_type               = "network"
  internal                         = false
  subnets                          = local.nlb_subnet_ids
  enable_deletion_protection       = true
  enable_cross_zone_load_balancing = true
  dynamic "access_logs" {
    for_each = var.access_logs_bucket == null ? [] : [var.access_logs_bucket]
    content {
      bucket = access_logs.value
    }
  }
}
resource "aws_lb_target_group" "this" {
  name_prefix          = "demo-"
  port                 = 8000
  protocol             = "TCP"
  target_type          = "ip"
  vpc_id               = var.vpc_id
  deregistration_delay = 30
  health_check {
    protocol            = "HTTP"
    port                = "traffic-port"
    path                = "/health/ready"
    interval            = 10
    timeout             = 9
    healthy_threshold   = 2
    unhealthy_threshold = 2
  }
  stickiness {
    type    = "source_ip"
    enabled = true
  }
}
resource "aws_lb_listener" "tcp" {
  load_balancer_arn = aws_lb.this.arn
  port              = 80
  protocol          = "TCP"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}
resource "aws_lb_listener" "tls" {
  load_balancer_arn = aws_lb.this.arn
  port              = 443
  protocol          = "TLS"
  certificate_arn   = ${cert}
  ssl_policy        = "ELBSecurityPolicy-TLS13-1-2-2021-06"
  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.this.arn
  }
}
output "cluster_name" { value = module.eks.cluster_name }
output "cluster_endpoint" { value = module.eks.cluster_endpoint }
output "node_group_names" { value = {} }
output "nlb_dns_name" { value = aws_lb.this.dns_name }
output "nlb_arn" { value = aws_lb.this.arn }
output "target_group_arn" { value = aws_lb_target_group.this.arn }
`;
  const exp = {
    cluster_name: "demo", region: "z-1", instance_type: "c6i.2xlarge",
    zones: { "z-1a": { min: 2, max: 5, desired: 2 }, "z-1b": { min: 1, max: 4, desired: 1 } },
    min_nodes: 3, max_nodes: 9, ca_enabled: false, http_port: 8000, readiness_path: "/health/ready",
    deregistration_delay: 30, stickiness: true, cross_zone: true, internal: false,
    health_check: { interval: 10, healthy_threshold: 2, unhealthy_threshold: 2 },
  };
  const run = async (text) => { write("main.tf", text); return checkGenerated(tmp, exp); };
  const selfCheck = (label, ok, got) => { r.check(label, ok, ok ? undefined : got.lines.filter((l) => l.startsWith("FAIL")).join("; ") || "no failure"); };
  try {
    let got = await run(module(group("z-1a", 2, 5, caTags) + group("z-1b", 1, 4, caTags), "var.certificate_arn"));
    selfCheck("a module with the expected values passes", got.failed === 0, got);
    got = await run(module(group("z-1a", 2, 5, caTags) + group("z-1b", 2, 4, caTags), "var.certificate_arn"));
    selfCheck("a wrong node group size is caught",
      got.lines.some((l) => /^FAIL z-1b: min\/desired\/max/.test(l)) && got.lines.some((l) => /^FAIL node group sizes sum/.test(l)), got);
    got = await run(module(group("z-1a", 2, 5, caTags) + group("z-1b", 1, 4, ""), "var.certificate_arn"));
    selfCheck("a missing cluster-autoscaler tag is caught", got.lines.some((l) => /^FAIL z-1b: cluster-autoscaler discovery tags/.test(l)), got);
    got = await run(module(group("z-1a", 2, 5, caTags), "var.certificate_arn"));
    selfCheck("a missing zone's node group is caught", got.lines.some((l) => /^FAIL one node group per zone/.test(l)), got);
    got = await run(module(group("z-1a", 2, 5, caTags) + group("z-1b", 1, 4, caTags), "aws_acm_certificate.cert.arn"));
    selfCheck("the seed's undeclared aws_acm_certificate is caught",
      got.lines.some((l) => /^FAIL TLS :443 listener/.test(l)) && got.lines.some((l) => /^FAIL no aws_acm_certificate/.test(l)), got);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
  return r;
}

async function main(argv) {
  let r;
  if (argv[0] === "--self-test" && argv.length === 1) r = await selfTest();
  else if (argv[0] === "--root" && argv.length === 2) r = await checkRoot(argv[1]);
  else if (argv.length === 2 && !argv[0].startsWith("-")) r = await checkGenerated(argv[0], JSON.parse(fs.readFileSync(argv[1], "utf8")));
  else {
    console.error("usage: check-tf.mjs DIR EXPECT.json | --root DIR | --self-test");
    return 2;
  }
  for (const l of r.lines) console.log(l);
  console.log(`${r.passed} passed, ${r.failed} failed`);
  return r.failed ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    process.exitCode = await main(process.argv.slice(2));
  } catch (e) {
    console.error(`check-tf.mjs: ${e && e.message ? e.message : e}`);
    process.exitCode = 1;
  }
}
