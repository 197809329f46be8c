"""Checks of the rendered Kubernetes manifests (deploy/k8s), beyond the schema validation.

The main one: the NetworkPolicies, evaluated the way Kubernetes does, allow exactly the
caller -> callee pairs of ALLOWED below, for every pod and port of the deployment and a set
of outside callers. Also: probes, users, resources, replicas, autoscalers, disruption
budgets, and that the one config.json names files each pod really mounts.

Run by scripts/check-manifests (which makes the local overlay's throwaway keys first);
standalone: `python3 -m unittest discover -s deploy/tests` with PyYAML, kubectl on PATH
(or KUBECTL=...), and deploy/k8s/overlays/local/keys/ made by deploy/make-keys.
"""

import json
import os
import subprocess
import unittest
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parent.parent
OVERLAYS = ("local", "production")
SERVICES = ("records", "intake", "vault", "evaluation", "negotiation")
STATELESS = ("intake", "vault", "evaluation", "negotiation")
RPC_PORTS = {"records": 7100, "intake": 7200, "vault": 7300, "evaluation": 7400, "negotiation": 7500}
NAMESPACE = "tenderdialogue"

# Who may open a connection to whom, on which named port. "gateway" is the ingress
# controller (the outside world's clients: startups, officers, evaluators, negotiators, the
# public and auditors), "tenderctl" an operator's pod in the namespace, "monitoring"
# Prometheus. A NetworkPolicy works on pods and ports, not methods: Records' Append is open
# to the gateway and tenderctl at L4 and refused by Records to every role but `service`.
ALLOWED = {
    # Events (Append) to Records, from the four services that report to it.
    ("intake", "records", "rpc"),
    ("vault", "records", "rpc"),
    ("evaluation", "records", "rpc"),
    ("negotiation", "records", "rpc"),
    # Service to service reads.
    ("evaluation", "intake", "rpc"),        # OpenEvaluation: the challenge, the applications
    ("negotiation", "evaluation", "rpc"),   # OpenDialogues: the result, the shortlist
    # People, through the gateway. No service calls the Vault.
    ("gateway", "records", "rpc"),          # public reads and proofs
    ("gateway", "intake", "rpc"),
    ("gateway", "vault", "rpc"),
    ("gateway", "evaluation", "rpc"),
    ("gateway", "negotiation", "rpc"),
    # Operators: the auditor's `tenderctl record verify`, the Vault's Rewrap.
    ("tenderctl", "records", "rpc"),
    ("tenderctl", "vault", "rpc"),
    # Metrics.
    *{("monitoring", service, "ops") for service in SERVICES},
    # The database, only from the five services.
    *{(service, "postgres", "postgres") for service in SERVICES},
}

# Callers from outside the rendered workloads: (namespace, namespace labels, pod labels).
OUTSIDE = {
    "gateway": ("ingress-nginx", {"kubernetes.io/metadata.name": "ingress-nginx"},
                {"app.kubernetes.io/name": "ingress-nginx"}),
    "monitoring": ("monitoring", {"kubernetes.io/metadata.name": "monitoring"},
                   {"app.kubernetes.io/name": "prometheus"}),
    "tenderctl": (NAMESPACE, {"kubernetes.io/metadata.name": NAMESPACE},
                  {"app.kubernetes.io/name": "tenderctl"}),
    "other-pod": (NAMESPACE, {"kubernetes.io/metadata.name": NAMESPACE},
                  {"app.kubernetes.io/name": "debug-shell"}),
    "elsewhere": ("default", {"kubernetes.io/metadata.name": "default"},
                  {"app.kubernetes.io/name": "ingress-nginx"}),
}

# Secrets and ConfigMaps that production takes from the platform's secret store rather
# than from the manifests (docs/OPERATIONS.md, "Deploying": the same list, with the files).
EXTERNAL_IN_PRODUCTION = {
    ("ConfigMap", "tender-public-keys"),
    ("Secret", "postgres"),
    *{("Secret", f"{service}-database") for service in SERVICES},
    *{("Secret", f"{service}-keys") for service in ("records", "vault", "evaluation", "negotiation")},
    *{("Secret", f"{service}-service-token") for service in STATELESS},
}

_rendered = {}


def render(overlay):
    if overlay not in _rendered:
        kubectl = os.environ.get("KUBECTL", "kubectl")
        text = subprocess.run([kubectl, "kustomize", str(DEPLOY / "k8s" / "overlays" / overlay)],
                              check=True, capture_output=True, text=True).stdout
        _rendered[overlay] = [doc for doc in yaml.safe_load_all(text) if doc]
    return _rendered[overlay]


def of_kind(docs, kind):
    return {doc["metadata"]["name"]: doc for doc in docs if doc["kind"] == kind}


def workloads(docs):
    return {**of_kind(docs, "Deployment"), **of_kind(docs, "StatefulSet")}


def selector_matches(selector, labels):
    """A LabelSelector against a label set; an empty selector matches everything."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and key in labels and labels[key] in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def peer_matches(peer, policy_namespace, source):
    source_namespace, namespace_labels, pod_labels = source
    if "ipBlock" in peer:
        raise AssertionError("ipBlock peers are not modelled by this test")
    if "namespaceSelector" in peer:
        if not selector_matches(peer["namespaceSelector"], namespace_labels):
            return False
    elif source_namespace != policy_namespace:
        return False
    return selector_matches(peer.get("podSelector") or {}, pod_labels)


def port_matches(rule_port, port_number, port_name):
    if rule_port.get("protocol", "TCP") != "TCP":
        return False
    port = rule_port.get("port")
    if port is None:
        return True
    if isinstance(port, str):
        return port == port_name
    return port <= port_number <= rule_port.get("endPort", port)


def allowed_connections(docs):
    """Every (source, destination, port name) the rendered NetworkPolicies let through."""
    policies = list(of_kind(docs, "NetworkPolicy").values())
    sources = dict(OUTSIDE)
    destinations = {}
    for name, workload in workloads(docs).items():
        template = workload["spec"]["template"]
        labels = template["metadata"]["labels"]
        sources[name] = (NAMESPACE, {"kubernetes.io/metadata.name": NAMESPACE}, labels)
        ports = [(port["containerPort"], port.get("name"))
                 for container in template["spec"]["containers"] for port in container.get("ports", [])]
        destinations[name] = (labels, ports)
    allowed = set()
    for destination, (labels, ports) in destinations.items():
        selecting = [policy for policy in policies
                     if policy["metadata"].get("namespace", NAMESPACE) == NAMESPACE
                     and "Ingress" in policy["spec"].get("policyTypes", ["Ingress"])
                     and selector_matches(policy["spec"]["podSelector"], labels)]
        for source_name, source in sources.items():
            for number, port_name in ports:
                if not selecting:
                    allowed.add((source_name, destination, port_name))
                    continue
                for policy in selecting:
                    for rule in policy["spec"].get("ingress") or []:
                        peers = rule.get("from")
                        if peers and not any(peer_matches(peer, NAMESPACE, source) for peer in peers):
                            continue
                        rule_ports = rule.get("ports")
                        if rule_ports and not any(port_matches(p, number, port_name) for p in rule_ports):
                            continue
                        allowed.add((source_name, destination, port_name))
    return allowed


CONFIG = json.loads((DEPLOY / "k8s" / "base" / "config" / "config.json").read_text())


def configured_files(service):
    """The file paths in config.json that service reads: the shared keys and its section's."""
    def paths(section, skip=()):
        for key, value in section.items():
            if key in skip:
                continue
            if isinstance(value, dict):
                yield from paths(value)
            elif key.endswith(("File", "Files")) or key == "grantIssuerKeys":
                yield from value.split(",")
    shared = {key: value for key, value in CONFIG.items() if key not in SERVICES}
    # A section's "url" is where the others call that service, not a key of its own.
    return list(paths(shared)) + list(paths(CONFIG[service], skip=("url",)))


def service_container(deployment):
    (container,) = [c for c in deployment["spec"]["template"]["spec"]["containers"] if c["name"] == "service"]
    return container


class NetworkPolicies(unittest.TestCase):
    def test_exactly_the_intended_callers_reach_each_port(self):
        for overlay in OVERLAYS:
            with self.subTest(overlay=overlay):
                actual = allowed_connections(render(overlay))
                self.assertEqual(sorted(actual - ALLOWED), [], "allowed but not intended")
                self.assertEqual(sorted(ALLOWED - actual), [], "intended but not allowed")

    def test_every_pod_is_isolated_by_default(self):
        for overlay in OVERLAYS:
            with self.subTest(overlay=overlay):
                policies = of_kind(render(overlay), "NetworkPolicy")
                deny = policies["default-deny-ingress"]["spec"]
                self.assertEqual(deny["podSelector"], {})
                self.assertEqual(deny["policyTypes"], ["Ingress"])
                self.assertNotIn("ingress", deny)

    def test_the_vault_is_called_by_no_service(self):
        # The table above says so; this guards it against an edit of the table alone.
        callers = {source for source, destination, port in ALLOWED if (destination, port) == ("vault", "rpc")}
        self.assertEqual(callers, {"gateway", "tenderctl"})


class Workloads(unittest.TestCase):
    def test_each_service_runs_its_own_command_with_probes_on_the_ops_port(self):
        for overlay in OVERLAYS:
            deployments = of_kind(render(overlay), "Deployment")
            self.assertEqual(sorted(deployments), sorted(SERVICES))
            for name in SERVICES:
                with self.subTest(overlay=overlay, service=name):
                    container = service_container(deployments[name])
                    self.assertEqual(container["command"], [f"tender-{name}"])
                    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
                    self.assertEqual(ports, {"rpc": RPC_PORTS[name], "ops": RPC_PORTS[name] + 1000})
                    self.assertEqual(container["readinessProbe"]["httpGet"], {"path": "/readyz", "port": "ops"})
                    self.assertEqual(container["livenessProbe"]["httpGet"], {"path": "/healthz", "port": "ops"})
                    self.assertEqual(container["startupProbe"]["httpGet"], {"path": "/healthz", "port": "ops"})

    def test_every_container_runs_as_non_root_with_resources(self):
        for overlay in OVERLAYS:
            for name, workload in workloads(render(overlay)).items():
                pod = workload["spec"]["template"]["spec"]
                with self.subTest(overlay=overlay, workload=name):
                    self.assertTrue(pod["securityContext"]["runAsNonRoot"])
                    self.assertNotEqual(pod["securityContext"]["runAsUser"], 0)
                    self.assertFalse(pod.get("automountServiceAccountToken", True))
                    for container in pod["containers"]:
                        security = container["securityContext"]
                        self.assertFalse(security["allowPrivilegeEscalation"])
                        self.assertTrue(security["readOnlyRootFilesystem"])
                        self.assertEqual(security["capabilities"]["drop"], ["ALL"])
                        self.assertTrue({"cpu", "memory"} <= set(container["resources"]["requests"]))
                        self.assertIn("memory", container["resources"]["limits"])

    def test_the_grace_period_covers_the_drain(self):
        drain = CONFIG["shutdown"]["graceSeconds"]
        for overlay in OVERLAYS:
            for name, deployment in of_kind(render(overlay), "Deployment").items():
                with self.subTest(overlay=overlay, service=name):
                    pod = deployment["spec"]["template"]["spec"]
                    sleep = service_container(deployment)["lifecycle"]["preStop"]["sleep"]["seconds"]
                    self.assertGreater(pod["terminationGracePeriodSeconds"], sleep + drain)

    def test_records_is_one_writer_and_a_standby_without_autoscaler(self):
        docs = render("production")
        self.assertEqual(of_kind(docs, "Deployment")["records"]["spec"]["replicas"], 2)
        self.assertEqual(of_kind(docs, "PodDisruptionBudget")["records"]["spec"]["maxUnavailable"], 1)
        for overlay in OVERLAYS:
            targets = [hpa["spec"]["scaleTargetRef"]["name"] for hpa in of_kind(render(overlay), "HorizontalPodAutoscaler").values()]
            self.assertNotIn("records", targets)

    def test_the_stateless_services_autoscale_in_production(self):
        hpas = of_kind(render("production"), "HorizontalPodAutoscaler")
        self.assertEqual(sorted(hpa["spec"]["scaleTargetRef"]["name"] for hpa in hpas.values()), sorted(STATELESS))
        for hpa in hpas.values():
            self.assertGreaterEqual(hpa["spec"]["minReplicas"], 2)

    def test_every_service_has_a_disruption_budget_and_a_service(self):
        for overlay in OVERLAYS:
            docs = render(overlay)
            pdbs, services = of_kind(docs, "PodDisruptionBudget"), of_kind(docs, "Service")
            for name in SERVICES:
                with self.subTest(overlay=overlay, service=name):
                    self.assertEqual(pdbs[name]["spec"]["selector"]["matchLabels"], {"app.kubernetes.io/name": name})
                    rpc = [port for port in services[name]["spec"]["ports"] if port["name"] == "rpc"]
                    self.assertEqual(rpc[0]["port"], RPC_PORTS[name])
                    self.assertEqual(rpc[0]["appProtocol"], "kubernetes.io/h2c")


class Configuration(unittest.TestCase):
    def test_service_urls_name_the_services(self):
        services = of_kind(render("production"), "Service")
        for name in ("records", "intake", "evaluation"):
            with self.subTest(url=name):
                self.assertEqual(CONFIG[name]["url"], f"http://{name}:{RPC_PORTS[name]}")
                self.assertIn(name, services)
        self.assertEqual(CONFIG["environment"], "production")

    def test_every_configured_file_is_mounted(self):
        docs = render("local")
        maps = {(doc["kind"], doc["metadata"]["name"]): doc for doc in docs if doc["kind"] in ("Secret", "ConfigMap")}
        for name, deployment in of_kind(docs, "Deployment").items():
            pod = deployment["spec"]["template"]["spec"]
            volumes = {volume["name"]: volume for volume in pod["volumes"]}
            mounts = service_container(deployment)["volumeMounts"]
            for path in configured_files(name):
                with self.subTest(service=name, file=path):
                    (mount,) = [m for m in mounts if path.startswith(m["mountPath"] + "/")]
                    volume = volumes[mount["name"]]
                    if "secret" in volume:
                        source = maps[("Secret", volume["secret"]["secretName"])]
                    else:
                        source = maps[("ConfigMap", volume["configMap"]["name"])]
                    self.assertIn(path[len(mount["mountPath"]) + 1:], source.get("data", {}))

    def test_every_referenced_secret_and_config_map_exists_or_is_external(self):
        for overlay in OVERLAYS:
            docs = render(overlay)
            rendered = {(doc["kind"], doc["metadata"]["name"]) for doc in docs}
            referenced = set()
            for workload in workloads(docs).values():
                for volume in workload["spec"]["template"]["spec"].get("volumes", []):
                    if "secret" in volume:
                        referenced.add(("Secret", volume["secret"]["secretName"]))
                    if "configMap" in volume:
                        referenced.add(("ConfigMap", volume["configMap"]["name"]))
            external = EXTERNAL_IN_PRODUCTION if overlay == "production" else set()
            with self.subTest(overlay=overlay):
                self.assertEqual(sorted(referenced - rendered - external), [])
                if overlay == "production":
                    self.assertEqual(sorted(external - referenced), [], "listed as external but not used")


class ComposeFile(unittest.TestCase):
    compose = yaml.safe_load((DEPLOY / "compose.yaml").read_text())

    def test_five_services_and_postgres_with_readiness_checks(self):
        services = self.compose["services"]
        self.assertEqual(sorted(services), sorted(SERVICES + ("postgres",)))
        for name in SERVICES:
            with self.subTest(service=name):
                service = services[name]
                ops = RPC_PORTS[name] + 1000
                self.assertEqual(service["command"], [f"tender-{name}"])
                self.assertTrue(service["read_only"])
                self.assertTrue(service["init"])
                self.assertEqual(service["depends_on"]["postgres"]["condition"], "service_healthy")
                self.assertIn(f"/dev/tcp/127.0.0.1/{ops}", service["healthcheck"]["test"][-1])
                self.assertIn("GET /readyz", service["healthcheck"]["test"][-1])
                self.assertEqual(sorted(service["ports"]),
                                 sorted([f"127.0.0.1:{RPC_PORTS[name]}:{RPC_PORTS[name]}", f"127.0.0.1:{ops}:{ops}"]))
        self.assertNotIn("ports", services["postgres"])

    def test_every_configured_file_is_mounted_as_a_secret_or_config(self):
        for name in SERVICES:
            service = self.compose["services"][name]
            targets = {secret["target"] for secret in service["secrets"]}
            targets |= {config["target"] for config in service["configs"]}
            with self.subTest(service=name):
                self.assertEqual(sorted(set(configured_files(name)) - targets), [])
                self.assertIn("/etc/tender/secrets/database-url", targets)

    def test_every_secret_is_a_file_make_keys_writes(self):
        keys = DEPLOY / "k8s" / "overlays" / "local" / "keys"
        for name, secret in self.compose["secrets"].items():
            with self.subTest(secret=name):
                self.assertTrue(secret["file"].startswith("./keys/"))
                self.assertTrue((keys / Path(secret["file"]).name).is_file())


if __name__ == "__main__":
    unittest.main()
