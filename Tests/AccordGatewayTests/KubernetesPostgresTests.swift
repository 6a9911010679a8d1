import AccordGateway
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// The Kubernetes manifests in Deploy/kubernetes-postgres: three gateway replicas on a
/// CloudNativePG cluster, valid against the pinned Kubernetes schemas (the Cluster against the
/// hand-written schema of the fields they use), spread over nodes, kept two-up through drains,
/// hardened like the single-replica set, and wired to the database the operator creates
/// (Tests/Interop/kubernetes_manifests.py reads them; the checks are here).
@Suite struct KubernetesPostgresTests {
    static let directory = PackageRoot.url.appendingPathComponent("Deploy/kubernetes-postgres")

    /// The keys of the `<cluster>-app` Secret CloudNativePG writes for the database owner
    /// (its documentation, "Connecting from an application").
    static let applicationSecretKeys: Set<String> = ["username", "password", "host", "port", "dbname", "uri", "jdbc-uri", "pgpass"]

    struct Manifests: Decodable {
        struct Workload: Decodable {
            struct Container: Decodable {
                struct Probe: Decodable { let tcp: Bool; let port: Int?; let path: String?; let scheme: String? }
                let runAsNonRoot: Bool?, runAsUser: Int?, readOnlyRootFilesystem: Bool?, allowPrivilegeEscalation: Bool?
                let capabilitiesDropped: [String], capabilitiesAdded: [String], seccomp: String?
                let ports: [String: Int], environment: [String: String], secretEnvironment: [String: String]
                let mounts: [String: String], probes: [String: Probe]
            }
            struct Spread: Decodable { let topologyKey: String, whenUnsatisfiable: String, maxSkew: Int, selectsPods: Bool }
            struct SecretVolume: Decodable { let secret: String, keys: [String] }
            let kind: String, replicas: Int, strategy: String?, maxUnavailable: Int?, terminationGracePeriodSeconds: Int, fsGroup: Int?
            let persistentVolumes: [String], projected: [String: [String]], secretVolumes: [String: SecretVolume]
            let podLabels: [String: String], topologySpread: [Spread], antiAffinityTopologyKeys: [String]
            let containers: [Container]
        }
        struct Service: Decodable { let name: String, type: String, externalTrafficPolicy: String?, targetPorts: [Int?], sessionAffinity: String }
        struct IngressRule: Decodable { let ports: [Int?], fromAnywhere: Bool }
        struct EgressRule: Decodable { let ports: [Int?], toPodLabels: [[String: String]], toAnywhere: Bool }
        struct DisruptionBudget: Decodable { let minAvailable: Int?, maxUnavailable: Int?, selector: [String: String] }
        struct Database: Decodable { let name: String, instances: Int, database: String, owner: String, synchronousReplicas: Int, antiAffinity: Bool }
        let validated: [String], failures: [String], rendered: Bool
        let workloads: [Workload], services: [Service], networkPolicy: [IngressRule], egress: [EgressRule]
        let disruptionBudgets: [DisruptionBudget], databases: [Database]
        let configuration: String?
    }

    /// What was validated and what failed, without the facts (which a broken file may not give).
    struct Verdict: Decodable { let validated: [String], failures: [String] }

    static func manifests<Answer: Decodable>(in directory: URL, as answer: Answer.Type = Manifests.self) async throws -> Answer {
        let output = try await ExternalProcess.python("kubernetes_manifests.py", [directory.path, KubernetesTests.kubernetesVersion])
        try #require(output.status == 0, "\(output.standardError)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(Answer.self, from: Data(output.standardOutput.utf8))
    }

    @Test(.needsPython)
    func threeReplicasOnCloudNativePGValidateAndAgreeWithTheGatewaysConfiguration() async throws {
        let manifests = try await Self.manifests(in: Self.directory)
        #expect(manifests.failures.isEmpty, "\(manifests.failures.joined(separator: "\n"))")
        for kind in ["Namespace", "ConfigMap", "Deployment", "Service", "NetworkPolicy", "PodDisruptionBudget", "Cluster"] {
            #expect(manifests.validated.contains { $0.contains(" \(kind)/") }, "no \(kind) was validated")
        }

        // Several interchangeable nodes: no state of their own, spread over machines.
        try #require(manifests.workloads.count == 1)
        let workload = manifests.workloads[0]
        #expect(workload.kind == "Deployment" && workload.replicas == 3)
        #expect(workload.persistentVolumes.isEmpty, "the nodes keep their state in PostgreSQL, on no volume of their own")
        #expect(workload.strategy == "RollingUpdate" && workload.maxUnavailable == 0, "an upgrade keeps every replica serving")
        #expect(workload.terminationGracePeriodSeconds > 20, "the gateway's graceful shutdown takes up to 20 s")
        #expect(workload.topologySpread.contains { $0.topologyKey == "kubernetes.io/hostname" && $0.whenUnsatisfiable == "DoNotSchedule" && $0.maxSkew == 1 && $0.selectsPods },
                "two gateways on one node would fall together")
        #expect(workload.antiAffinityTopologyKeys.contains("kubernetes.io/hostname"))
        try #require(manifests.disruptionBudgets.count == 1)
        let budget = manifests.disruptionBudgets[0]
        #expect(!budget.selector.isEmpty && budget.selector.allSatisfy { workload.podLabels[$0.key] == $0.value }, "the budget must select the gateway's pods")
        #expect(budget.minAvailable == workload.replicas - 1 || budget.maxUnavailable == 1,
                "a drain takes one gateway at a time, and can take one")

        try #require(workload.containers.count == 1)
        let container = workload.containers[0]
        let imageUser = try KubernetesTests.containerfileUser()
        #expect(container.runAsNonRoot == true && container.runAsUser == imageUser && workload.fsGroup == imageUser)
        #expect(container.readOnlyRootFilesystem == true && container.allowPrivilegeEscalation == false)
        #expect(container.capabilitiesDropped == ["ALL"] && container.capabilitiesAdded.isEmpty)
        #expect(container.seccomp == "RuntimeDefault")

        // The database CloudNativePG runs, and the gateway reaching it through what the operator creates.
        try #require(manifests.databases.count == 1)
        let database = manifests.databases[0]
        #expect(database.instances >= 3 && database.antiAffinity, "a primary and two replicas, on separate nodes")
        #expect(database.synchronousReplicas >= 1, "a failover must not lose a commit the gateway acknowledged")
        for (variable, reference) in container.secretEnvironment {
            let parts = reference.split(separator: "/").map(String.init)
            #expect(parts.count == 2 && parts[0] == "\(database.name)-app" && Self.applicationSecretKeys.contains(parts[1]),
                    "\(variable) reads \(reference), which CloudNativePG does not create")
        }
        #expect(container.secretEnvironment["PGPASSWORD"] == "\(database.name)-app/password", "libpq reads the password from PGPASSWORD")
        let caVolume = try #require(workload.secretVolumes.first { $0.value.secret == "\(database.name)-ca" }, "the server's CA is not mounted")
        #expect(caVolume.value.keys == ["ca.crt"], "only the CA certificate: never its private key")
        let caDirectory = try #require(container.mounts.first { $0.value == caVolume.key }?.key)

        // accord.yaml of the ConfigMap with the image's and the container's environment, the
        // Secret's values in place as the kubelet expands $(NAME).
        let text = try #require(manifests.configuration, "no ConfigMap holds accord.yaml")
        let scratch = try PackageRoot.temporaryDirectory("kubernetes-postgres")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("accord.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let fromSecret = ["PGUSER": "accord", "PGPASSWORD": "not-in-the-url", "PGHOST": "\(database.name)-rw", "PGPORT": "5432", "PGDATABASE": database.database]
        #expect(Set(container.secretEnvironment.keys) == Set(fromSecret.keys))
        var environment = try KubernetesTests.containerfileEnvironment()
        for (name, value) in container.environment {
            environment[name] = fromSecret.reduce(value) { $0.replacingOccurrences(of: "$(\($1.key))", with: $1.value) }
        }
        let configuration = try GatewayConfiguration.load(file: file.path, environment: environment)
        #expect(PostgresStore.isURL(configuration.database), "the gateways must run on PostgreSQL, not \(configuration.database)")
        let url = try #require(URLComponents(string: configuration.database))
        #expect(url.host == "\(database.name)-rw" && url.path == "/\(database.database)" && url.user == "accord" && url.password == nil)
        let query = Dictionary((url.queryItems ?? []).map { ($0.name, $0.value ?? "") }) { $1 }
        #expect(query["sslmode"] == "verify-full", "the gateway must verify the database server's certificate and name")
        #expect(query["sslrootcert"] == "\(caDirectory)/ca.crt")
        #expect(query["connect_timeout"].flatMap(Int.init).map { $0 > 0 } == true)

        // Egress to the database's instances; ingress and probes as in the single-replica set.
        #expect(manifests.egress.contains { $0.ports == [5432] && $0.toPodLabels.contains { $0["cnpg.io/cluster"] == database.name } },
                "the NetworkPolicy must let the gateways reach PostgreSQL")
        let console = try #require(configuration.consoleListen)
        let operations = try #require(configuration.operationsListen)
        #expect(container.ports["agency"] == configuration.listen.port && container.ports["console"] == console.port
                && container.ports["operations"] == operations.port)
        let paths = ["startupProbe": "/livez", "livenessProbe": "/livez", "readinessProbe": "/readyz"]
        #expect(Set(container.probes.keys) == Set(paths.keys))
        for (name, probe) in container.probes {
            #expect(!probe.tcp && probe.scheme == "HTTP" && probe.port == operations.port && probe.path == paths[name])
        }
        let agency = manifests.services.filter { $0.targetPorts.contains(configuration.listen.port) }
        let operators = manifests.services.filter { $0.targetPorts.contains(console.port) }
        try #require(agency.count == 1 && operators.count == 1)
        #expect(["LoadBalancer", "NodePort"].contains(agency[0].type) && agency[0].externalTrafficPolicy == "Local")
        #expect(operators[0].type == "ClusterIP" && operators[0].sessionAffinity == "ClientIP",
                "console sessions and form tokens live in one node's memory")
        #expect(manifests.networkPolicy.contains { $0.ports == [configuration.listen.port] && $0.fromAnywhere })
        #expect(!manifests.networkPolicy.contains { $0.ports.contains(console.port) && $0.fromAnywhere })
        #expect(!manifests.networkPolicy.contains { $0.ports.contains(operations.port) || $0.ports.isEmpty })

        // Agreements and certificates mounted as in the single-replica set.
        #expect(container.mounts[configuration.agreementsDirectory] != nil)
        for subdirectory in try KubernetesTests.agreementSubdirectories() {
            #expect(container.mounts["\(configuration.agreementsDirectory)/\(subdirectory)"] != nil)
        }
        let certificates = try #require(container.mounts[configuration.certificatesDirectory])
        for key in ["tls.pem", "tls-key.pem", "signing-key.pem", "binding-key.pem", "subject-hmac.key"] {
            #expect(workload.projected[certificates]?.contains("gateway/\(key)") == true, "gateway/\(key) is not in the certificates volume")
        }
    }

    /// The files both sets share stay the same, so a change to one reaches the other.
    @Test func theSharedFilesMatchTheSingleReplicaSet() throws {
        for name in ["namespace.yaml", "service-agency.yaml"] {
            let here = try String(contentsOf: Self.directory.appendingPathComponent(name), encoding: .utf8)
            let there = try String(contentsOf: PackageRoot.url.appendingPathComponent("Deploy/kubernetes/\(name)"), encoding: .utf8)
            #expect(here == there, "Deploy/kubernetes-postgres/\(name) differs from Deploy/kubernetes/\(name)")
        }
    }

    /// The Cluster check is strict: a misspelt field or a wrong type is refused, naming where.
    @Test(.needsPython)
    func aMisspeltClusterFieldIsRefused() async throws {
        let scratch = try PackageRoot.temporaryDirectory("kubernetes-postgres-bad")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let copy = scratch.appendingPathComponent("manifests")
        try FileManager.default.copyItem(at: Self.directory, to: copy)
        let cluster = copy.appendingPathComponent("postgres-cluster.yaml")
        let text = try String(contentsOf: cluster, encoding: .utf8)
        try #require(text.contains("  instances: 3\n") && text.contains("      number: 1\n"))
        try text.replacingOccurrences(of: "  instances: 3\n", with: "  instance: 3\n")
            .replacingOccurrences(of: "      number: 1\n", with: "      number: \"one\"\n")
            .write(to: cluster, atomically: true, encoding: .utf8)
        let manifests = try await Self.manifests(in: copy, as: Verdict.self)
        #expect(manifests.failures.contains { $0.contains("Cluster/accord-db") && $0.contains("'instance' was unexpected") })
        #expect(manifests.failures.contains { $0.contains("Cluster/accord-db: spec.postgresql.synchronous.number") })
        #expect(!manifests.validated.contains { $0.contains("Cluster/") })
    }
}
