#!/usr/bin/env node
// semantic-k8s.mjs CONFIG_DIR OUT_DIR [--table FILE]
//
// Checks that what `glc build CONFIG_DIR -o OUT_DIR` generated says what the config says.
// The config is read here, independently of glc (the `yaml` package; absent keys take the
// defaults of the JSON Schemas in schema/, the same single source of truth glc embeds), and
// every value the config controls is compared with the manifests in OUT_DIR/kubernetes:
// replicas, strategy, probes (paths, ports, timings), resources, HPA bounds/targets/behavior,
// VPA mode/bounds/resources, PDB maxUnavailable = the largest zone, container/Service/
// NetworkPolicy ports, DNS egress, topology spread (maxSkew, matchLabelKeys), anti-affinity,
// the pinned image tag, the restricted securityContext, terminationGracePeriodSeconds, the
// cluster-autoscaler flags, the kustomization's resource list, and that no Service is of
// type LoadBalancer (the NLB is Terraform's: one load balancer per service).
//
// --table FILE: FILE holds the breaker table as printed by a C program linked with the
// generated c/glc_breakers.c (one line per entry: name failure_threshold recovery_timeout_ms
// half_open_max_calls success_threshold check readiness; then `count N` and
// `app NAME HTTP METRICS TRACK OPEN CLOSE SLACK PAGERDUTY`); it is compared with
// resilience_config.yaml too.
//
// Output: `ok: ...` per checked aspect and `FAIL: what: expected X, got Y`; exit 1 on any
// mismatch, 2 on usage errors.

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, "..", "..");

let failures = 0, oks = 0;
const fail = (what, expected, got) => {
  failures++;
  console.log(`FAIL: ${what}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(got)}`);
};
const eq = (what, got, expected) => {
  if (JSON.stringify(got) === JSON.stringify(expected)) oks++;
  else fail(what, expected, got);
};
const truthy = (what, cond, detail) => {
  if (cond) oks++;
  else { failures++; console.log(`FAIL: ${what}${detail ? `: ${detail}` : ""}`); }
};

// ---- the config, with schema defaults -------------------------------------------------

function findConfigs(dir) {
  const found = {};
  for (const d of [dir, path.join(dir, "config")]) {
    if (!fs.existsSync(d) || !fs.statSync(d).isDirectory()) continue;
    for (const f of fs.readdirSync(d).sort()) {
      if (!/\.ya?ml$/.test(f)) continue;
      let doc;
      try { doc = YAML.parse(fs.readFileSync(path.join(d, f), "utf8")); } catch { continue; }
      if (doc && typeof doc === "object" && "kubernetes" in doc) found.k8s ??= doc;
      if (doc && typeof doc === "object" && "circuit_breaker" in doc) found.res ??= doc;
    }
  }
  return found;
}

const SCHEMA = {
  kubernetes: JSON.parse(fs.readFileSync(path.join(ROOT, "schema/kubernetes_config.schema.json"), "utf8")),
  circuit_breaker: JSON.parse(fs.readFileSync(path.join(ROOT, "schema/resilience_config.schema.json"), "utf8")),
};

function resolveRef(schema, node) {
  while (node && node.$ref) {
    node = node.$ref.replace(/^#\//, "").split("/").reduce((o, k) => o[k], schema);
  }
  return node;
}

// The schema's default at a dotted path, or undefined.
function schemaDefault(dotted) {
  const keys = dotted.split(".");
  const schema = SCHEMA[keys[0]];
  let node = schema;
  for (const k of keys) {
    node = resolveRef(schema, node);
    node = node && node.properties && node.properties[k];
    if (!node) return undefined;
  }
  return resolveRef(schema, node).default;
}

// The config value at a dotted path, else the schema default.
function cfgGetter(doc) {
  return (dotted) => {
    let v = doc;
    for (const k of dotted.split(".")) {
      if (v === null || v === undefined || typeof v !== "object") { v = undefined; break; }
      v = v[k];
    }
    return v === undefined || v === null ? schemaDefault(dotted) : v;
  };
}

// ---- quantities and durations ---------------------------------------------------------

const BIN = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DEC = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

function quantity(s) {
  const m = /^([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE])|[eE]([-+]?[0-9]+))?$/.exec(String(s));
  if (!m) throw new Error(`not a quantity: ${s}`);
  const n = Number(m[1]);
  if (m[3] !== undefined) return n * 10 ** Number(m[3]);
  const suf = m[2] ?? "";
  return n * (BIN[suf] ?? DEC[suf]);
}
const cpuMilli = (s) => Math.ceil(Math.round(quantity(s) * 1e6) / 1e3);
const bytes = (s) => Math.ceil(Math.round(quantity(s) * 1e3) / 1e3);

function durationSeconds(s) {
  if (typeof s === "number" || /^[0-9]+$/.test(s)) return Number(s);
  let ms = 0;
  const re = /([0-9]+(?:\.[0-9]+)?)(ns|us|µs|ms|s|m|h)/gy;
  const unit = { ns: 1e-6, us: 1e-3, "µs": 1e-3, ms: 1, s: 1e3, m: 6e4, h: 3.6e6 };
  let m, at = 0;
  while ((m = re.exec(s))) { ms += Number(m[1]) * unit[m[2]]; at = re.lastIndex; }
  if (at !== s.length) throw new Error(`not a duration: ${s}`);
  return Math.ceil(Math.round(ms) / 1000);
}

// ---- the generated manifests ----------------------------------------------------------

function loadObjects(dir) {
  const objs = [];
  for (const f of fs.readdirSync(dir).sort()) {
    if (!/\.ya?ml$/.test(f)) continue;
    const docs = YAML.parseAllDocuments(fs.readFileSync(path.join(dir, f), "utf8"), { version: "1.1" });
    for (const d of docs) {
      if (d.errors.length) throw new Error(`${f}: ${d.errors[0].message}`);
      const o = d.toJS();
      if (o) objs.push({ file: f, obj: o });
    }
  }
  return objs;
}

// maxSurge / maxUnavailable as the manifest must spell them: 3, or "25%".
const intOrPercent = (v) => (typeof v === "string" ? v : Number(v));

function checkK8s(k8sDoc, resDoc, outDir) {
  const c = cfgGetter(k8sDoc);
  const kdir = path.join(outDir, "kubernetes");
  const objs = loadObjects(kdir);
  const find = (kind, name) => objs.filter((o) => o.obj.kind === kind && (name === undefined || o.obj.metadata?.name === name));
  const one = (kind, name) => {
    const all = find(kind, name);
    truthy(`exactly one ${kind}/${name}`, all.length === 1, `found ${all.length}`);
    return all.length ? all[0].obj : {};
  };

  const app = c("kubernetes.app.name"), ns = c("kubernetes.app.namespace");
  const httpPort = c("kubernetes.app.http_port"), metricsPort = c("kubernetes.app.metrics_port");
  const zones = c("kubernetes.cluster.availability_zones");
  const replicas = c("kubernetes.deployment.replicas");
  const dist = k8sDoc.kubernetes.deployment?.replica_distribution;
  const perZone = zones.map((z, i) => (dist ? dist[z] : Math.floor(replicas / zones.length) + (i < replicas % zones.length ? 1 : 0)));
  const largest = Math.max(...perZone), smallest = Math.min(...perZone);
  const hpaOn = c("kubernetes.autoscaling.horizontal.enabled");
  const vpaOn = c("kubernetes.autoscaling.vertical.enabled");
  const caOn = c("kubernetes.autoscaling.cluster.enabled");

  // names and namespaces
  for (const { file, obj } of objs) {
    if (obj.kind === "Kustomization") continue;
    const caObj = file === "cluster-autoscaler.yaml";
    if (obj.kind === "Namespace") { eq(`${file}: Namespace name`, obj.metadata.name, ns); continue; }
    if (["ClusterRole", "ClusterRoleBinding"].includes(obj.kind)) continue;
    eq(`${file}: ${obj.kind} namespace`, obj.metadata.namespace, caObj ? "kube-system" : ns);
    if (!caObj) eq(`${file}: ${obj.kind} name`, obj.metadata.name.replace(/-config$/, ""), app);
  }

  // Names and label values as the API server validates them (validate-k8s.mjs checks the
  // schemas, which do not carry these rules): label values are at most 63 characters,
  // alphanumeric at both ends; Service names are DNS-1035 labels (start with a letter);
  // namespaces, containers and Deployment-derived names are DNS-1123 labels.
  const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
  const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
  const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
  const labelMaps = [];
  const walk = (o, p) => {
    if (Array.isArray(o)) o.forEach((v, i) => walk(v, `${p}[${i}]`));
    else if (o && typeof o === "object")
      for (const [k, v] of Object.entries(o)) {
        if ((k === "labels" || k === "matchLabels" || (k === "selector" && !v?.matchLabels)) && v && typeof v === "object")
          labelMaps.push([`${p}.${k}`, v]);
        walk(v, `${p}.${k}`);
      }
  };
  for (const { file, obj } of objs) {
    labelMaps.length = 0;
    walk(obj, `${file}:${obj.kind}`);
    for (const [p, m] of labelMaps)
      for (const [k, v] of Object.entries(m))
        truthy(`${p}.${k}: label value ${JSON.stringify(v)} is valid (<= 63 chars, alphanumeric at both ends)`,
               typeof v === "string" && v.length <= 63 && LABEL_VALUE.test(v));
    if (obj.kind === "Service")
      truthy(`${file}: Service name ${JSON.stringify(obj.metadata.name)} is a DNS-1035 label`,
             obj.metadata.name.length <= 63 && DNS1035_LABEL.test(obj.metadata.name));
    if (obj.kind === "Namespace" || obj.metadata?.namespace !== undefined) {
      const n = obj.kind === "Namespace" ? obj.metadata.name : obj.metadata.namespace;
      truthy(`${file}: namespace ${JSON.stringify(n)} is a DNS-1123 label`, n.length <= 63 && DNS1123_LABEL.test(n));
    }
    for (const ct of obj.spec?.template?.spec?.containers ?? []) {
      truthy(`${file}: container name ${JSON.stringify(ct.name)} is a DNS-1123 label`,
             ct.name.length <= 63 && DNS1123_LABEL.test(ct.name));
      for (const pt of ct.ports ?? [])
        truthy(`${file}: port name ${JSON.stringify(pt.name)} is an IANA service name`,
               pt.name === undefined || (pt.name.length <= 15 && /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(pt.name) && /[a-z]/.test(pt.name)));
    }
  }

  // kustomization: exactly the other YAML files, and only those
  const kust = one("Kustomization").resources ?? [];
  const files = fs.readdirSync(kdir).filter((f) => /\.ya?ml$/.test(f) && f !== "kustomization.yaml").sort();
  eq("kustomization resources = the generated files", [...kust].sort(), files);

  // Deployment
  const dep = one("Deployment", app);
  const spec = dep.spec ?? {}, pod = spec.template?.spec ?? {};
  const ctr = (pod.containers ?? []).find((x) => x.name === app) ?? {};
  eq("Deployment replicas", spec.replicas, replicas);
  eq("strategy type", spec.strategy?.type, "RollingUpdate");
  eq("strategy maxUnavailable", spec.strategy?.rollingUpdate?.maxUnavailable,
     intOrPercent(c("kubernetes.deployment.strategy.max_unavailable")));
  eq("strategy maxSurge", spec.strategy?.rollingUpdate?.maxSurge,
     intOrPercent(c("kubernetes.deployment.strategy.max_surge")));
  eq("selector matches the template labels",
     Object.entries(spec.selector?.matchLabels ?? {}).every(([k, v]) => spec.template?.metadata?.labels?.[k] === v), true);
  eq("terminationGracePeriodSeconds", pod.terminationGracePeriodSeconds, c("kubernetes.deployment.termination_grace_period"));
  eq("image (pinned tag)", ctr.image, `${c("kubernetes.app.image")}:${c("kubernetes.app.version")}`);
  truthy("image tag is not latest", !/:latest$/.test(ctr.image ?? ""));
  eq("command runs the runtime binary", ctr.command, [`/usr/local/bin/${app}-runtime`]);
  const args = ctr.args ?? [];
  eq("--port arg", args[args.indexOf("--port") + 1], String(httpPort));
  eq("--metrics-port arg", args[args.indexOf("--metrics-port") + 1], String(metricsPort));
  eq("container ports", (ctr.ports ?? []).map((p) => [p.name, p.containerPort, p.protocol]),
     [["http", httpPort, "TCP"], ["metrics", metricsPort, "TCP"]]);
  eq("envFrom secret", (ctr.envFrom ?? []).map((e) => e.secretRef?.name).filter(Boolean), [`${app}-secrets`]);

  // resources, compared as numbers (the manifest may spell 2000m as "2")
  const r = ctr.resources ?? {};
  eq("requests.cpu (millicores)", cpuMilli(r.requests?.cpu), cpuMilli(c("kubernetes.resources.requests.cpu")));
  eq("requests.memory (bytes)", bytes(r.requests?.memory), bytes(c("kubernetes.resources.requests.memory")));
  eq("limits.cpu (millicores)", cpuMilli(r.limits?.cpu), cpuMilli(c("kubernetes.resources.limits.cpu")));
  eq("limits.memory (bytes)", bytes(r.limits?.memory), bytes(c("kubernetes.resources.limits.memory")));

  // probes
  for (const [kind, field] of [["liveness", "livenessProbe"], ["readiness", "readinessProbe"], ["startup", "startupProbe"]]) {
    const p = ctr[field] ?? {};
    const base = `kubernetes.health_checks.${kind}`;
    const port = c(`${base}.port`) ?? httpPort;
    eq(`${field}.httpGet.path`, p.httpGet?.path, c(`${base}.path`));
    eq(`${field}.httpGet.port`, p.httpGet?.port, port);
    eq(`${field}.initialDelaySeconds`, p.initialDelaySeconds, c(`${base}.initial_delay`));
    eq(`${field}.periodSeconds`, p.periodSeconds, c(`${base}.period`));
    eq(`${field}.timeoutSeconds`, p.timeoutSeconds, c(`${base}.timeout`));
    eq(`${field}.failureThreshold`, p.failureThreshold, c(`${base}.failure_threshold`));
    eq(`${field}.successThreshold`, p.successThreshold, c(`${base}.success_threshold`));
    truthy(`${field} port is a container port`, (ctr.ports ?? []).some((cp) => cp.containerPort === p.httpGet?.port));
  }

  // restricted Pod Security Standard
  const psc = pod.securityContext ?? {}, csc = ctr.securityContext ?? {};
  eq("pod runAsNonRoot", psc.runAsNonRoot, true);
  truthy("pod runAsUser is not root", Number.isInteger(psc.runAsUser) && psc.runAsUser > 0, `got ${psc.runAsUser}`);
  eq("pod seccompProfile", psc.seccompProfile?.type, "RuntimeDefault");
  eq("container allowPrivilegeEscalation", csc.allowPrivilegeEscalation, false);
  eq("container readOnlyRootFilesystem", csc.readOnlyRootFilesystem, true);
  eq("container privileged", csc.privileged ?? false, false);
  eq("container capabilities.drop", csc.capabilities?.drop, ["ALL"]);
  truthy("container adds no capabilities", !csc.capabilities?.add?.length);
  eq("automountServiceAccountToken", pod.automountServiceAccountToken, false);
  eq("Namespace enforces the restricted PSS",
     one("Namespace", ns).metadata?.labels?.["pod-security.kubernetes.io/enforce"], "restricted");

  // zone spread (B5/B11) and anti-affinity
  const tscs = (pod.topologySpreadConstraints ?? []).filter((t) => t.topologyKey === "topology.kubernetes.io/zone");
  eq("one zone topologySpreadConstraint", tscs.length, 1);
  const tsc = tscs[0] ?? {};
  eq("TSC maxSkew = the distribution's skew", tsc.maxSkew, Math.max(1, largest - smallest));
  eq("TSC whenUnsatisfiable", tsc.whenUnsatisfiable, "DoNotSchedule");
  eq("TSC matchLabelKeys", tsc.matchLabelKeys, ["pod-template-hash"]);
  eq("TSC selects the pods", tsc.labelSelector?.matchLabels, spec.selector?.matchLabels);
  const aa = pod.affinity?.podAntiAffinity ?? {};
  const terms = (mode) => (mode === "required"
    ? (aa.requiredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.topologyKey)
    : (aa.preferredDuringSchedulingIgnoredDuringExecution ?? []).map((t) => t.podAffinityTerm?.topologyKey));
  for (const [key, topo] of [["zone", "topology.kubernetes.io/zone"], ["host", "kubernetes.io/hostname"]]) {
    const mode = c(`kubernetes.deployment.anti_affinity.${key}`);
    eq(`${key} anti-affinity required term`, terms("required").includes(topo), mode === "required");
    eq(`${key} anti-affinity preferred term`, terms("preferred").includes(topo), mode === "preferred");
  }

  // Service: ClusterIP only (D6), ports, affinity
  const svc = one("Service", app);
  eq("Service type", svc.spec?.type ?? "ClusterIP", "ClusterIP");
  for (const { file, obj } of find("Service"))
    truthy(`${file}: no Service of type LoadBalancer`, obj.spec?.type !== "LoadBalancer");
  eq("Service ports", (svc.spec?.ports ?? []).map((p) => [p.name, p.port, p.targetPort]),
     [["http", httpPort, "http"], ["metrics", metricsPort, "metrics"]]);
  eq("Service selector", svc.spec?.selector, spec.selector?.matchLabels);
  eq("Service sessionAffinity", svc.spec?.sessionAffinity ?? "None",
     c("kubernetes.load_balancer.session_affinity") === "source_ip" ? "ClientIP" : "None");

  // NetworkPolicy: admits the two ports, allows DNS egress (D2)
  const np = one("NetworkPolicy", app);
  eq("NetworkPolicy selects the pods", np.spec?.podSelector?.matchLabels, spec.selector?.matchLabels);
  eq("NetworkPolicy policyTypes", [...(np.spec?.policyTypes ?? [])].sort(), ["Egress", "Ingress"]);
  const inPorts = (np.spec?.ingress ?? []).flatMap((r) => (r.ports ?? []).map((p) => p.port));
  eq("NetworkPolicy ingress ports", [...inPorts].sort((a, b) => a - b), [httpPort, metricsPort].sort((a, b) => a - b));
  const dns = (np.spec?.egress ?? []).find((r) => (r.to ?? []).some((t) => t.podSelector?.matchLabels?.["k8s-app"] === "kube-dns"));
  eq("NetworkPolicy DNS egress (UDP+TCP 53 to kube-dns)",
     (dns?.ports ?? []).map((p) => `${p.protocol}/${p.port}`).sort(), ["TCP/53", "UDP/53"]);

  // PDB (B4): a zone's worth of pods may be drained
  const pdb = one("PodDisruptionBudget", app);
  eq("PDB maxUnavailable = largest zone", pdb.spec?.maxUnavailable, largest);
  truthy("PDB has no minAvailable", pdb.spec?.minAvailable === undefined);
  eq("PDB selector", pdb.spec?.selector?.matchLabels, spec.selector?.matchLabels);

  // HPA
  const hpas = find("HorizontalPodAutoscaler");
  if (!hpaOn) {
    eq("no HPA when autoscaling.horizontal.enabled is false", hpas.length, 0);
  } else {
    const h = one("HorizontalPodAutoscaler", app).spec ?? {};
    const hb = "kubernetes.autoscaling.horizontal";
    eq("HPA scaleTargetRef", h.scaleTargetRef, { apiVersion: "apps/v1", kind: "Deployment", name: app });
    eq("HPA minReplicas", h.minReplicas, c(`${hb}.min_replicas`));
    eq("HPA maxReplicas", h.maxReplicas, c(`${hb}.max_replicas`));
    const util = (name) => (h.metrics ?? []).find((m) => m.type === "Resource" && m.resource?.name === name)?.resource?.target;
    eq("HPA cpu target", util("cpu"), { type: "Utilization", averageUtilization: c(`${hb}.target_cpu_percentage`) });
    eq("HPA memory target", util("memory"), { type: "Utilization", averageUtilization: c(`${hb}.target_memory_percentage`) });
    const rps = c(`${hb}.target_requests_per_second`);
    const pods = (h.metrics ?? []).filter((m) => m.type === "Pods");
    if (rps > 0) eq("HPA requests/s metric", pods.map((m) => [m.pods.metric.name, m.pods.target.type, quantity(m.pods.target.averageValue)]),
                    [["http_requests_per_second", "AverageValue", rps]]);
    else eq("no requests/s metric when target_requests_per_second is 0", pods.length, 0);
    const b = h.behavior ?? {};
    eq("HPA scaleDown stabilization", b.scaleDown?.stabilizationWindowSeconds, c(`${hb}.scale_down_stabilization`));
    eq("HPA scaleDown policies", b.scaleDown?.policies,
       [{ type: "Percent", value: c(`${hb}.scale_down_percent`), periodSeconds: c(`${hb}.scale_down_period`) }]);
    eq("HPA scaleUp stabilization", b.scaleUp?.stabilizationWindowSeconds, c(`${hb}.scale_up_stabilization`));
    eq("HPA scaleUp policies", b.scaleUp?.policies, [
      { type: "Percent", value: c(`${hb}.scale_up_percent`), periodSeconds: c(`${hb}.scale_up_period`) },
      { type: "Pods", value: c(`${hb}.scale_up_pods`), periodSeconds: c(`${hb}.scale_up_period`) },
    ]);
  }

  // VPA (A1 is glc check's job; here: the manifest says what the config says)
  const vpas = find("VerticalPodAutoscaler");
  if (!vpaOn) {
    eq("no VPA when autoscaling.vertical.enabled is false", vpas.length, 0);
  } else {
    const v = one("VerticalPodAutoscaler", app).spec ?? {};
    const vb = "kubernetes.autoscaling.vertical";
    eq("VPA targetRef", v.targetRef, { apiVersion: "apps/v1", kind: "Deployment", name: app });
    eq("VPA updateMode", v.updatePolicy?.updateMode, c(`${vb}.update_mode`));
    const cp = (v.resourcePolicy?.containerPolicies ?? []).find((p) => p.containerName === app) ?? {};
    eq("VPA minAllowed.cpu", cpuMilli(cp.minAllowed?.cpu), cpuMilli(c(`${vb}.min_allowed_cpu`)));
    eq("VPA maxAllowed.cpu", cpuMilli(cp.maxAllowed?.cpu), cpuMilli(c(`${vb}.max_allowed_cpu`)));
    eq("VPA minAllowed.memory", bytes(cp.minAllowed?.memory), bytes(c(`${vb}.min_allowed_memory`)));
    eq("VPA maxAllowed.memory", bytes(cp.maxAllowed?.memory), bytes(c(`${vb}.max_allowed_memory`)));
    eq("VPA controlledResources", [...(cp.controlledResources ?? [])].sort(), [...c(`${vb}.controlled_resources`)].sort());
  }

  // cluster-autoscaler
  const cas = objs.filter((o) => o.file === "cluster-autoscaler.yaml");
  if (!caOn) {
    eq("no cluster-autoscaler when autoscaling.cluster.enabled is false", cas.length, 0);
  } else {
    const d = cas.find((o) => o.obj.kind === "Deployment")?.obj;
    const cmd = d?.spec?.template?.spec?.containers?.[0]?.command ?? [];
    const flag = (name) => cmd.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
    const cb = "kubernetes.autoscaling.cluster";
    eq("CA --scale-down-delay-after-add (s)", durationSeconds(flag("scale-down-delay-after-add") ?? ""),
       durationSeconds(c(`${cb}.scale_down_delay_after_add`)));
    eq("CA --scale-down-unneeded-time (s)", durationSeconds(flag("scale-down-unneeded-time") ?? ""),
       durationSeconds(c(`${cb}.scale_down_unneeded_time`)));
    eq("CA discovers the cluster's node groups", flag("node-group-auto-discovery"),
       `asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${c("kubernetes.cluster.name")}`);
    truthy("CA --balance-similar-node-groups", cmd.includes("--balance-similar-node-groups"));
  }

  // ConfigMap
  const cm = one("ConfigMap", `${app}-config`);
  eq("ConfigMap HTTP_PORT", cm.data?.HTTP_PORT, String(httpPort));
  eq("ConfigMap METRICS_PORT", cm.data?.METRICS_PORT, String(metricsPort));
}

// ---- the C table ----------------------------------------------------------------------

const CHECK_KIND = { none: 0, postgres: 1, redis: 2, kafka: 3 };
function inferredCheck(name) {
  if (name === "database" || name === "postgres") return "postgres";
  if (name === "redis" || name === "kafka") return name;
  return "none";
}

function checkTable(k8sDoc, resDoc, tableFile) {
  const c = cfgGetter(k8sDoc);
  const r = cfgGetter(resDoc);
  const lines = fs.readFileSync(tableFile, "utf8").trim().split("\n");
  const rows = lines.filter((l) => l.startsWith("breaker ")).map((l) => l.split(" ").slice(1));
  const services = resDoc.circuit_breaker.services ?? {};
  const deps = c("kubernetes.health_checks.readiness.dependencies");
  const expected = Object.entries(services).map(([name, b]) => {
    const g = (k) => (b && b[k] !== undefined ? b[k] : schemaDefault(`circuit_breaker.services.${k}`) ??
      SCHEMA.circuit_breaker.definitions.breaker.properties[k].default);
    return [name, g("failure_threshold"), g("recovery_timeout") * 1000, g("half_open_max_calls"),
            g("success_threshold"), CHECK_KIND[(b && b.check) || inferredCheck(name)], deps.includes(name) ? 1 : 0].map(String);
  });
  eq("C table: breakers in source order with their thresholds", rows, expected);
  const count = lines.find((l) => l.startsWith("count "))?.split(" ")[1];
  eq("C table: glc_breaker_count", Number(count), expected.length);
  const appLine = (lines.find((l) => l.startsWith("app ")) ?? "").split(" ").slice(1);
  const chans = r("circuit_breaker.monitoring.alert_channels") ?? [];
  eq("C table: glc_app", appLine, [c("kubernetes.app.name"), c("kubernetes.app.http_port"), c("kubernetes.app.metrics_port"),
    +r("circuit_breaker.monitoring.track_state_changes"), +r("circuit_breaker.monitoring.alert_on_open"),
    +r("circuit_breaker.monitoring.alert_on_close"), +chans.includes("slack"), +chans.includes("pagerduty")].map(String));
}

// ---------------------------------------------------------------------------------------

function main(argv) {
  const ti = argv.indexOf("--table");
  let table = null;
  if (ti >= 0) { table = argv[ti + 1]; argv.splice(ti, 2); }
  if (argv.length !== 2 || (ti >= 0 && !table)) {
    console.error("usage: semantic-k8s.mjs CONFIG_DIR OUT_DIR [--table FILE]");
    return 2;
  }
  const [cfgDir, outDir] = argv;
  const { k8s, res } = findConfigs(cfgDir);
  if (!k8s || !res) {
    console.error(`semantic-k8s: ${cfgDir} lacks a kubernetes or a resilience config`);
    return 2;
  }
  try {
    checkK8s(k8s, res, outDir);
    if (table) checkTable(k8s, res, table);
  } catch (e) {
    failures++;
    console.log(`FAIL: ${e.stack}`);
  }
  console.log(`${oks} checks ok, ${failures} failed (${cfgDir} -> ${outDir})`);
  return failures ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
