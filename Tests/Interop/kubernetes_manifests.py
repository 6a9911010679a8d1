"""Validates a directory of Deploy/ (kubernetes, kubernetes-postgres) against the Kubernetes
OpenAPI schemas bundled in kubernetes-validate (offline, strict: an unknown or misspelt field
fails), a CloudNativePG Cluster against cloudnative_pg_cluster.schema.json beside this file
(the fields the manifests rely on, not the operator's whole CRD: see that file), and reports
the facts the Swift tests check (replicas, security context, ports, paths, probes, spread,
disruption budget, egress, database secrets).

Usage: kubernetes_manifests.py <directory> <Kubernetes version, e.g. 1.30.0>
Answer (JSON on standard output):
  {"validated": ["file: Kind/name"], "failures": ["..."], "workloads": [...], "services": [...],
   "configuration": "<accord.yaml from the ConfigMap>", "network_policy": [...], "egress": [...],
   "disruption_budgets": [...], "databases": [...]}
"""
import json
import os
import shutil
import subprocess
import sys

import jsonschema
import kubernetes_validate
import yaml

CLOUDNATIVE_PG = "postgresql.cnpg.io/v1"


def cluster_schema():
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cloudnative_pg_cluster.schema.json")
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


def validate(documents, source, version, answer):
    for document in documents:
        name = "%s %s/%s" % (source, document.get("kind"), document.get("metadata", {}).get("name"))
        if document.get("apiVersion") == CLOUDNATIVE_PG:
            failures = sorted(jsonschema.Draft202012Validator(cluster_schema()).iter_errors(document), key=lambda e: list(e.path))
            for error in failures:
                answer["failures"].append("%s: %s: %s" % (name, ".".join(str(part) for part in error.path), error.message))
            if not failures:
                answer["validated"].append(name)
            continue
        try:
            kubernetes_validate.validate(document, version, strict=True)
            answer["validated"].append(name)
        except kubernetes_validate.ValidationError as error:
            path = ".".join(str(part) for part in error.path)
            answer["failures"].append("%s: %s: %s" % (name, path, error.message))
        except (kubernetes_validate.SchemaNotFoundError, kubernetes_validate.InvalidSchemaError) as error:
            answer["failures"].append("%s: %s" % (name, error.message))


def open_to_all(peer):
    """Whether a NetworkPolicy peer admits any address, or every pod of every namespace."""
    if "ipBlock" in peer:
        return peer["ipBlock"].get("cidr") in ("0.0.0.0/0", "::/0")
    def everything(selector):
        return selector is not None and not selector.get("matchLabels") and not selector.get("matchExpressions")
    return everything(peer.get("namespaceSelector")) and (peer.get("podSelector") is None or everything(peer["podSelector"]))


def selects(selector, labels):
    """Whether a label selector with matchLabels alone matches these labels."""
    if not selector or selector.get("matchExpressions"):
        return False
    wanted = selector.get("matchLabels", {})
    return bool(wanted) and all(labels.get(key) == value for key, value in wanted.items())


def target_port(port, container_ports):
    target = port.get("targetPort", port["port"])
    return container_ports.get(target) if isinstance(target, str) else target


def main():
    directory, version = sys.argv[1], sys.argv[2]
    answer = {"validated": [], "failures": [], "workloads": [], "services": [], "network_policy": [],
              "egress": [], "disruption_budgets": [], "databases": [], "configuration": None, "rendered": False}
    files = sorted(name for name in os.listdir(directory) if name.endswith((".yaml", ".yml")))
    resources = []
    for name in files:
        with open(os.path.join(directory, name), encoding="utf-8") as handle:
            documents = [document for document in yaml.safe_load_all(handle) if document]
        if name == "kustomization.yaml":
            listed = set(documents[0].get("resources", []))
            for missing in sorted(set(files) - listed - {name}):
                answer["failures"].append("kustomization.yaml does not list %s" % missing)
            for absent in sorted(listed - set(files)):
                answer["failures"].append("kustomization.yaml lists %s, which does not exist" % absent)
            continue
        validate(documents, name, version, answer)
        resources += documents
    # What `kubectl apply -k` would send, where kubectl is installed (CI has none; optional).
    if shutil.which("kubectl"):
        rendered = subprocess.run(["kubectl", "kustomize", directory], capture_output=True, text=True)
        if rendered.returncode != 0:
            answer["failures"].append("kubectl kustomize: %s" % rendered.stderr.strip())
        else:
            validate([d for d in yaml.safe_load_all(rendered.stdout) if d], "kustomize", version, answer)
            answer["rendered"] = True

    container_ports = {}
    for resource in resources:
        kind, spec = resource["kind"], resource.get("spec", {})
        if kind == "ConfigMap" and "accord.yaml" in resource.get("data", {}):
            answer["configuration"] = resource["data"]["accord.yaml"]
        elif kind in ("StatefulSet", "Deployment"):
            pod = spec["template"]["spec"]
            pod_security = pod.get("securityContext", {})
            containers = []
            for container in pod["containers"]:
                # A container's own securityContext wins over the pod's (as the kubelet applies them).
                security = {**pod_security, **container.get("securityContext", {})}
                ports = {port["name"]: port["containerPort"] for port in container.get("ports", [])}
                container_ports.update(ports)
                probes = {}
                for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
                    if probe in container:
                        handler = container[probe]
                        port = (handler.get("tcpSocket") or handler.get("httpGet") or {}).get("port")
                        probes[probe] = {"tcp": "tcpSocket" in handler,
                                         "port": ports.get(port) if isinstance(port, str) else port,
                                         "path": (handler.get("httpGet") or {}).get("path"),
                                         "scheme": (handler.get("httpGet") or {}).get("scheme", "HTTP") if "httpGet" in handler else None}
                containers.append({
                    "name": container["name"],
                    "run_as_non_root": security.get("runAsNonRoot"),
                    "run_as_user": security.get("runAsUser"),
                    "read_only_root_filesystem": security.get("readOnlyRootFilesystem"),
                    "allow_privilege_escalation": security.get("allowPrivilegeEscalation"),
                    "capabilities_dropped": security.get("capabilities", {}).get("drop", []),
                    "capabilities_added": security.get("capabilities", {}).get("add", []),
                    "seccomp": security.get("seccompProfile", {}).get("type"),
                    "ports": ports,
                    "environment": {item["name"]: item["value"] for item in container.get("env", []) if "value" in item},
                    # Variables from a Secret, as "secret/key".
                    "secret_environment": {item["name"]: "%s/%s" % (item["valueFrom"]["secretKeyRef"]["name"], item["valueFrom"]["secretKeyRef"]["key"])
                                           for item in container.get("env", []) if "secretKeyRef" in item.get("valueFrom", {})},
                    "mounts": {mount["mountPath"]: mount["name"] for mount in container.get("volumeMounts", [])},
                    "probes": probes,
                })
            # Files of projected volumes by mount path: each item's path, or "*" for a whole source.
            projected = {}
            for volume in pod.get("volumes", []):
                for source in volume.get("projected", {}).get("sources", []):
                    for kind_of_source in ("secret", "configMap"):
                        if kind_of_source in source:
                            items = source[kind_of_source].get("items")
                            paths = [item["path"] for item in items] if items else ["*"]
                            projected.setdefault(volume["name"], []).extend(paths)
            # Plain Secret volumes: the Secret and the keys mounted (all of them when items is absent).
            secrets = {volume["name"]: {"secret": volume["secret"]["secretName"],
                                        "keys": [item["key"] for item in volume["secret"].get("items", [])] or ["*"]}
                       for volume in pod.get("volumes", []) if "secret" in volume}
            pod_labels = spec["template"].get("metadata", {}).get("labels", {})
            spread = [{"topology_key": rule["topologyKey"], "when_unsatisfiable": rule["whenUnsatisfiable"],
                       "max_skew": rule["maxSkew"], "selects_pods": selects(rule.get("labelSelector"), pod_labels)}
                      for rule in pod.get("topologySpreadConstraints", [])]
            anti = pod.get("affinity", {}).get("podAntiAffinity", {})
            terms = [term["podAffinityTerm"] for term in anti.get("preferredDuringSchedulingIgnoredDuringExecution", [])]
            terms += anti.get("requiredDuringSchedulingIgnoredDuringExecution", [])
            anti_affinity = [term["topologyKey"] for term in terms if selects(term.get("labelSelector"), pod_labels)]
            claims = [claim["metadata"]["name"] for claim in spec.get("volumeClaimTemplates", [])]
            claims += [volume["name"] for volume in pod.get("volumes", []) if "persistentVolumeClaim" in volume]
            answer["workloads"].append({
                "kind": kind, "name": resource["metadata"]["name"], "replicas": spec.get("replicas", 1),
                "strategy": spec.get("strategy", {}).get("type"),
                "termination_grace_period_seconds": pod.get("terminationGracePeriodSeconds", 30),
                "fs_group": pod_security.get("fsGroup"), "persistent_volumes": claims, "projected": projected,
                "containers": containers, "secret_volumes": secrets, "pod_labels": pod_labels,
                "topology_spread": spread, "anti_affinity_topology_keys": anti_affinity,
                "max_unavailable": spec.get("strategy", {}).get("rollingUpdate", {}).get("maxUnavailable"),
            })
        elif kind == "NetworkPolicy":
            for rule in spec.get("ingress", []):
                answer["network_policy"].append({
                    "ports": [port.get("port") for port in rule.get("ports", [])],
                    "from_anywhere": not rule.get("from") or any(open_to_all(peer) for peer in rule["from"]),
                })
            for rule in spec.get("egress", []):
                answer["egress"].append({
                    "ports": [port.get("port") for port in rule.get("ports", [])],
                    "to_pod_labels": [peer["podSelector"].get("matchLabels", {}) for peer in rule.get("to", []) if "podSelector" in peer],
                    "to_anywhere": not rule.get("to"),
                })
        elif kind == "PodDisruptionBudget":
            answer["disruption_budgets"].append({
                "min_available": spec.get("minAvailable"), "max_unavailable": spec.get("maxUnavailable"),
                "selector": spec.get("selector", {}).get("matchLabels", {}),
            })
        elif kind == "Cluster" and resource.get("apiVersion") == CLOUDNATIVE_PG:
            initdb = spec.get("bootstrap", {}).get("initdb", {})
            answer["databases"].append({
                "name": resource["metadata"]["name"], "instances": spec.get("instances", 1),
                "database": initdb.get("database", "app"), "owner": initdb.get("owner", initdb.get("database", "app")),
                "synchronous_replicas": spec.get("postgresql", {}).get("synchronous", {}).get("number", 0),
                "anti_affinity": spec.get("affinity", {}).get("enablePodAntiAffinity", False),
            })
    for resource in resources:
        if resource["kind"] == "Service":
            spec = resource["spec"]
            answer["services"].append({
                "name": resource["metadata"]["name"], "type": spec.get("type", "ClusterIP"),
                "external_traffic_policy": spec.get("externalTrafficPolicy"),
                "target_ports": [target_port(port, container_ports) for port in spec.get("ports", [])],
                "session_affinity": spec.get("sessionAffinity", "None"),
            })
    json.dump(answer, sys.stdout)


if __name__ == "__main__":
    main()
