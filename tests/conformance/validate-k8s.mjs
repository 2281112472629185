#!/usr/bin/env node
// validate-k8s.mjs FILE...      strict validation of Kubernetes manifests
// validate-k8s.mjs --self-test  proves the validator rejects what it must
//
// Every YAML document of every FILE is checked three ways:
//   1. YAML: parse errors and duplicate keys fail (the `yaml` package, uniqueKeys on; read
//      as YAML 1.1 like kubectl, so an unquoted `on` is a boolean).
//   2. Schema: `new Model(obj).validate()` from kubernetes-models 4.x (types, formats,
//      patterns, required fields). That validator is NOT strict: its generated schemas
//      carry no additionalProperties:false, so unknown fields pass it.
//   3. Unknown fields: the object is type-checked as a TypeScript object literal against
//      the model's interface (IDeployment, IVerticalPodAutoscaler, ...) shipped in the
//      same package's .d.ts files. TypeScript's excess-property check rejects every key
//      the Kubernetes schema does not declare, at any depth, like `kubectl --validate=strict`.
// Kustomization (kustomize.config.k8s.io/v1beta1) has no model: its top-level keys are
// checked against kustomize's field list and its resources must exist beside the file.
//
// Output: one line per problem, `FILE: doc N (Kind/name): PATH: MESSAGE`; exit 1 on any
// problem, 2 on usage errors, 0 when everything passed.

import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { fileURLToPath, pathToFileURL } from "node:url";
import YAML from "yaml";
import ts from "typescript";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

// The kinds glc emits. Any other built-in kind of kubernetes-models is accepted too.
export const SUPPORTED = [
  "apps/v1 Deployment",
  "v1 Service", "v1 Namespace", "v1 ServiceAccount", "v1 ConfigMap",
  "autoscaling/v2 HorizontalPodAutoscaler",
  "policy/v1 PodDisruptionBudget",
  "networking.k8s.io/v1 NetworkPolicy",
  "rbac.authorization.k8s.io/v1 ClusterRole", "rbac.authorization.k8s.io/v1 ClusterRoleBinding",
  "rbac.authorization.k8s.io/v1 Role", "rbac.authorization.k8s.io/v1 RoleBinding",
  "autoscaling.k8s.io/v1 VerticalPodAutoscaler",
  "kustomize.config.k8s.io/v1beta1 Kustomization",
];

// Fields of kustomize's Kustomization type (api/types/kustomization.go).
const KUSTOMIZATION_FIELDS = new Set([
  "apiVersion", "kind", "metadata", "openapi", "namePrefix", "nameSuffix", "namespace",
  "commonLabels", "labels", "commonAnnotations", "patchesStrategicMerge", "patchesJson6902",
  "patches", "images", "imageTags", "replacements", "replicas", "vars", "resources",
  "components", "crds", "bases", "generatorOptions", "configMapGenerator", "secretGenerator",
  "helmCharts", "helmGlobals", "helmChartInflationGenerator", "generators", "transformers",
  "validators", "buildMetadata", "configurations", "sortOptions",
]);

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

// Module that holds the model of apiVersion/kind, or null when the names are not plausible.
function modelModule(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string") return null;
  if (!/^[a-z0-9.-]+(\/[a-z0-9]+)?$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind)) return null;
  if (apiVersion.startsWith("autoscaling.k8s.io/"))
    return `@kubernetes-models/autoscaler/${apiVersion}/${kind}`;
  return `kubernetes-models/${apiVersion}/${kind}`;
}

function loadModel(apiVersion, kind) {
  const mod = modelModule(apiVersion, kind);
  if (!mod) return null;
  let exports;
  try {
    exports = require(mod);
  } catch {
    return null;
  }
  const cls = exports[kind];
  if (typeof cls !== "function" || cls.kind !== kind || cls.apiVersion !== apiVersion) return null;
  return { cls, module: mod, iface: `I${kind}` };
}

function describe(obj) {
  const kind = obj && typeof obj.kind === "string" ? obj.kind : "?";
  const name = obj && obj.metadata && typeof obj.metadata.name === "string" ? obj.metadata.name : "?";
  return `${kind}/${name}`;
}

function jsonPointerToPath(ptr) {
  if (!ptr) return "(root)";
  return ptr.split("/").slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((acc, s) => (/^\d+$/.test(s) ? `${acc}[${s}]` : acc ? `${acc}.${s}` : s), "");
}

// Serialises value as a TypeScript literal, one property per line, recording each line's path.
function emitLiteral(value, p, indent, head, out) {
  const pad = "  ".repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) { out.push([`${pad}${head}[],`, p]); return; }
    out.push([`${pad}${head}[`, p]);
    value.forEach((v, i) => emitLiteral(v, `${p}[${i}]`, indent + 1, "", out));
    out.push([`${pad}],`, p]);
  } else if (value !== null && typeof value === "object") {
    const keys = Object.keys(value);
    if (keys.length === 0) { out.push([`${pad}${head}{},`, p]); return; }
    out.push([`${pad}${head}{`, p]);
    for (const k of keys) {
      const sub = /^[A-Za-z_$][\w$-]*$/.test(k) ? (p ? `${p}.${k}` : k) : `${p}[${JSON.stringify(k)}]`;
      emitLiteral(value[k], sub, indent + 1, `${JSON.stringify(k)}: `, out);
    }
    out.push([`${pad}},`, p]);
  } else {
    out.push([`${pad}${head}${JSON.stringify(value)},`, p]);
  }
}

// Type-checks every item {obj, model} against its interface; returns [{item, path, message}].
function strictFieldCheck(items) {
  if (items.length === 0) return [];
  const fileName = path.join(HERE, "__glc_k8s_strict_check__.ts");
  const lines = [];   // [text, item index, path]
  items.forEach((it, i) => {
    lines.push([`import type { ${it.model.iface} as T${i} } from ${JSON.stringify(it.model.module)};`, -1, ""]);
  });
  items.forEach((it, i) => {
    const out = [];
    emitLiteral(it.obj, "", 0, `export const o${i}: T${i} = `, out);
    out[out.length - 1][0] = out[out.length - 1][0].replace(/,$/, ";");
    for (const [text, p] of out) lines.push([text, i, p]);
  });
  const source = lines.map((l) => l[0]).join("\n") + "\n";

  const options = {
    strict: true, noEmit: true, skipLibCheck: true, types: [],
    target: ts.ScriptTarget.ES2020, module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler, lib: ["lib.es2020.d.ts"],
  };
  const host = ts.createCompilerHost(options);
  const origGet = host.getSourceFile.bind(host);
  host.getSourceFile = (f, lang, ...rest) =>
    path.resolve(f) === fileName ? ts.createSourceFile(f, source, lang, true) : origGet(f, lang, ...rest);
  const origExists = host.fileExists.bind(host);
  host.fileExists = (f) => path.resolve(f) === fileName || origExists(f);
  const origRead = host.readFile.bind(host);
  host.readFile = (f) => (path.resolve(f) === fileName ? source : origRead(f));

  const program = ts.createProgram([fileName], options, host);
  const sf = program.getSourceFile(fileName);
  const diags = [...program.getSyntacticDiagnostics(sf), ...program.getSemanticDiagnostics(sf)];
  const problems = [];
  for (const d of diags) {
    const line = d.start === undefined ? -1 : sf.getLineAndCharacterOfPosition(d.start).line;
    const [, idx, p] = lines[line] || ["", -1, ""];
    let message = ts.flattenDiagnosticMessageText(d.messageText, " ").replace(/\s+/g, " ");
    const excess = /may only specify known properties, and '"?(.*?)"?' does not exist in type '(.*?)'/.exec(message);
    if (excess) message = `unknown field "${excess[1]}" (not declared in ${excess[2].replace(/^I/, "")})`;
    if (idx < 0) throw new Error(`validator setup: ${message}`);
    problems.push({ item: items[idx], path: p || "(root)", message });
  }
  return problems;
}

function checkKustomization(obj, file, report) {
  for (const k of Object.keys(obj)) {
    if (!KUSTOMIZATION_FIELDS.has(k)) report(k, `unknown Kustomization field "${k}"`);
  }
  for (const key of ["resources", "components", "patchesStrategicMerge"]) {
    if (obj[key] === undefined) continue;
    if (!Array.isArray(obj[key])) { report(key, "must be a list"); continue; }
    obj[key].forEach((r, i) => {
      if (typeof r !== "string" || r === "") { report(`${key}[${i}]`, "must be a non-empty string"); return; }
      if (/^[a-z]+:\/\//.test(r) || file === null) return;
      if (!fs.existsSync(path.resolve(path.dirname(file), r)))
        report(`${key}[${i}]`, `"${r}" does not exist next to ${path.basename(file)}`);
    });
  }
}

// Validates the YAML text of one file; returns a list of problem lines and an object count.
export function validateText(text, name, file = null) {
  const problems = [];
  // YAML 1.1 like kubectl (go-yaml: `on`/`yes` are booleans), timestamps left as strings.
  const docs = YAML.parseAllDocuments(text, {
    version: "1.1", uniqueKeys: true, prettyErrors: true,
    customTags: (tags) => tags.filter((t) => t.tag !== "tag:yaml.org,2002:timestamp"),
  });
  const strictItems = [];
  let count = 0;
  docs.forEach((doc, di) => {
    const where = `${name}: doc ${di + 1}`;
    for (const e of [...doc.errors, ...doc.warnings])
      problems.push([di, `${where}: YAML: ${e.message.split("\n")[0]}`]);
    if (doc.errors.length) return;
    const obj = doc.toJS();
    if (obj === null || obj === undefined) return;   // empty document
    count++;
    const report = (p, msg) => problems.push([di, `${where} (${describe(obj)}): ${p}: ${msg}`]);
    if (typeof obj !== "object" || Array.isArray(obj)) { report("(root)", "not a mapping"); return; }
    if (obj.apiVersion === "kustomize.config.k8s.io/v1beta1" && obj.kind === "Kustomization") {
      checkKustomization(obj, file, report);
      return;
    }
    const model = loadModel(obj.apiVersion, obj.kind);
    if (!model) {
      report("apiVersion", `no schema for apiVersion ${JSON.stringify(obj.apiVersion)} kind ${JSON.stringify(obj.kind)}`);
      return;
    }
    const name_ = obj.metadata && obj.metadata.name;
    if (typeof name_ !== "string" || name_.length > 253 || !DNS1123_SUBDOMAIN.test(name_))
      report("metadata.name", "missing or not a DNS-1123 subdomain");
    try {
      new model.cls(obj).validate();
    } catch (e) {
      if (Array.isArray(e.errors)) {
        for (const err of e.errors) report(jsonPointerToPath(err.instancePath), err.message);
      } else {
        report("(root)", e.message);
      }
    }
    strictItems.push({ obj, model, report });
  });
  for (const pr of strictFieldCheck(strictItems)) pr.item.report(pr.path, pr.message);
  problems.sort((a, b) => a[0] - b[0]);   // stable: by document, then in order found
  return { problems: problems.map((p) => p[1]), count };
}

export function validateFile(file) {
  let text;
  try {
    text = fs.readFileSync(file, "utf8");
  } catch (e) {
    return { problems: [`${file}: cannot read: ${e.message}`], count: 0 };
  }
  return validateText(text, file, file);
}

// ---------------------------------------------------------------------------------------
const META = { name: "app", namespace: "ns", labels: { app: "app" } };
const DEPLOYMENT = {
  apiVersion: "apps/v1", kind: "Deployment", metadata: META,
  spec: {
    replicas: 3,
    selector: { matchLabels: { app: "app" } },
    template: {
      metadata: { labels: { app: "app" } },
      spec: { containers: [{ name: "app", image: "img:v1", ports: [{ containerPort: 8000 }],
        resources: { requests: { cpu: "500m", memory: "1Gi" } } }] },
    },
  },
};
const clone = (o) => JSON.parse(JSON.stringify(o));
// Serialised as YAML 1.1 so that strings like "Off" are quoted, as kubectl needs them.
const toYaml = (...objs) => objs.map((o) => YAML.stringify(o, { version: "1.1" })).join("---\n");

function selfTest() {
  const valid = [
    DEPLOYMENT,
    { apiVersion: "v1", kind: "Service", metadata: META,
      spec: { selector: { app: "app" }, ports: [{ name: "http", port: 80, targetPort: 8000 }] } },
    { apiVersion: "v1", kind: "Namespace", metadata: { name: "ns" } },
    { apiVersion: "v1", kind: "ServiceAccount", metadata: META },
    { apiVersion: "v1", kind: "ConfigMap", metadata: META, data: { a: "b" } },
    { apiVersion: "autoscaling/v2", kind: "HorizontalPodAutoscaler", metadata: META,
      spec: { scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "app" },
        minReplicas: 3, maxReplicas: 9,
        metrics: [{ type: "Resource", resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } } }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 300, policies: [{ type: "Percent", value: 10, periodSeconds: 60 }] } } } },
    { apiVersion: "policy/v1", kind: "PodDisruptionBudget", metadata: META,
      spec: { maxUnavailable: 3, selector: { matchLabels: { app: "app" } } } },
    { apiVersion: "networking.k8s.io/v1", kind: "NetworkPolicy", metadata: META,
      spec: { podSelector: { matchLabels: { app: "app" } }, policyTypes: ["Ingress", "Egress"],
        ingress: [{ ports: [{ protocol: "TCP", port: 8000 }] }],
        egress: [{ ports: [{ protocol: "UDP", port: 53 }] }] } },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name: "r" },
      rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get", "list", "watch"] }] },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRoleBinding", metadata: { name: "r" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "r" },
      subjects: [{ kind: "ServiceAccount", name: "app", namespace: "ns" }] },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata: META,
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }] },
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "RoleBinding", metadata: META,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "app" },
      subjects: [{ kind: "ServiceAccount", name: "app", namespace: "ns" }] },
    { apiVersion: "autoscaling.k8s.io/v1", kind: "VerticalPodAutoscaler", metadata: META,
      spec: { targetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "app" },
        updatePolicy: { updateMode: "Off" },
        resourcePolicy: { containerPolicies: [{ containerName: "app", minAllowed: { cpu: "250m" }, maxAllowed: { cpu: "2" } }] } } },
    { apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", namespace: "ns", resources: [] },
  ];

  const bad = [];
  let d;
  d = clone(DEPLOYMENT); d.spec.bogus = 1;
  bad.push(["unknown field under Deployment spec", toYaml(d), /spec\.bogus: unknown field "bogus"/]);
  d = clone(DEPLOYMENT); d.spec.template.spec.containers[0].imagePullPolcy = "Always";
  bad.push(["unknown field in a container", toYaml(d), /containers\[0\]\.imagePullPolcy: unknown field/]);
  d = clone(DEPLOYMENT); d.metadata = { ...META, lables: {} };
  bad.push(["unknown field in metadata", toYaml(d), /metadata\.lables: unknown field/]);
  d = clone(DEPLOYMENT); d.extra = true;
  bad.push(["unknown top-level field", toYaml(d), /\): extra: unknown field "extra"/]);
  d = clone(DEPLOYMENT); d.spec.replicas = "3";
  bad.push(["wrong type", toYaml(d), /spec\.replicas: /]);
  d = clone(DEPLOYMENT); delete d.spec.selector;
  bad.push(["missing required field", toYaml(d), /selector/]);
  d = clone(valid[12]); d.spec.updatePolicy.updateMode = "Sometimes";
  bad.push(["VPA bad enum", toYaml(d), /updateMode|Sometimes/]);
  bad.push(["VPA updateMode: Off unquoted (a YAML 1.1 boolean for kubectl)",
    toYaml(valid[12]).replace(/updateMode: "Off"/, "updateMode: Off"), /updateMode: /]);
  d = clone(valid[12]); d.spec.resourcePolicy.containerPolicies[0].maxAlowed = {};
  bad.push(["VPA unknown field", toYaml(d), /maxAlowed: unknown field/]);
  d = clone(DEPLOYMENT); d.kind = "Deploymint";
  bad.push(["unknown kind", toYaml(d), /no schema/]);
  bad.push(["duplicate YAML key",
    "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n  name: b\n", /YAML: .*[Dd]uplicate|YAML: .*unique/]);
  bad.push(["YAML syntax error", "apiVersion: v1\nkind: [Namespace\n", /YAML/]);
  bad.push(["Kustomization unknown field", toYaml({ ...valid[13], resourcez: [] }), /resourcez/]);
  bad.push(["bad metadata.name", toYaml({ ...valid[2], metadata: { name: "Not_Valid" } }), /metadata\.name/]);

  let passed = 0, failed = 0;
  const check = (label, ok, detail) => {
    if (ok) { passed++; console.log(`PASS: ${label}`); }
    else { failed++; console.log(`FAIL: ${label}${detail ? `\n${detail}` : ""}`); }
  };
  const all = validateText(toYaml(...valid), "valid.yaml");
  check(`${valid.length} valid objects of every supported kind pass`,
    all.problems.length === 0 && all.count === valid.length, all.problems.join("\n"));
  for (const v of valid) {
    const r = validateText(toYaml(v), "one.yaml");
    check(`minimal ${v.apiVersion} ${v.kind} passes`, r.problems.length === 0, r.problems.join("\n"));
  }
  for (const [label, text, re] of bad) {
    const r = validateText(text, "bad.yaml");
    check(`rejects ${label}`, r.problems.length > 0 && r.problems.some((p) => re.test(p)),
      r.problems.length ? `  got: ${r.problems.join("\n  got: ")}` : "  got: no problem");
  }
  console.log(`${passed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

function main(argv) {
  if (argv[0] === "--self-test") return selfTest();
  if (argv.length === 0 || argv.some((a) => a.startsWith("-"))) {
    console.error("usage: validate-k8s.mjs FILE... | --self-test");
    return 2;
  }
  let bad = 0;
  for (const file of argv) {
    const { problems, count } = validateFile(file);
    for (const p of problems) console.log(p);
    if (problems.length) bad++;
    else console.log(`ok ${file} (${count} object${count === 1 ? "" : "s"})`);
  }
  return bad ? 1 : 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href)
  process.exitCode = main(process.argv.slice(2));
