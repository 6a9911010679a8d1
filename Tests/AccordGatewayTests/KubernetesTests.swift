import AccordGateway
import AccordTestSupport
import Foundation
import Testing

/// The Kubernetes manifests in Deploy/kubernetes: valid against a pinned Kubernetes version's
/// schemas (strict), one replica, hardened, and consistent with the accord.yaml they carry
/// and with the image (Tests/Interop/kubernetes_manifests.py reads them; the checks are here).
@Suite struct KubernetesTests {
    /// The oldest Kubernetes these manifests claim (docs/operations.md, "Kubernetes").
    static let kubernetesVersion = "1.30.0"

    struct Manifests: Decodable {
        struct Workload: Decodable {
            struct Container: Decodable {
                struct Probe: Decodable { let tcp: Bool; let port: Int?; let path: String?; let scheme: String? }
                let runAsNonRoot: Bool?, runAsUser: Int?, readOnlyRootFilesystem: Bool?, allowPrivilegeEscalation: Bool?
                let capabilitiesDropped: [String], capabilitiesAdded: [String], seccomp: String?
                let ports: [String: Int], environment: [String: String], mounts: [String: String], probes: [String: Probe]
            }
            let kind: String, replicas: Int, strategy: String?, terminationGracePeriodSeconds: Int, fsGroup: Int?
            let persistentVolumes: [String], projected: [String: [String]], containers: [Container]
        }
        struct Service: Decodable { let name: String, type: String, externalTrafficPolicy: String?, targetPorts: [Int?] }
        struct IngressRule: Decodable { let ports: [Int?], fromAnywhere: Bool }
        let validated: [String], failures: [String], workloads: [Workload], services: [Service], networkPolicy: [IngressRule]
        let configuration: String?
    }

    @Test(.needsPython)
    func theManifestsValidateAndMatchTheGatewaysConfiguration() async throws {
        let directory = PackageRoot.url.appendingPathComponent("Deploy/kubernetes").path
        let output = try await ExternalProcess.python("kubernetes_manifests.py", [directory, Self.kubernetesVersion])
        try #require(output.status == 0, "\(output.standardError)")
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let manifests = try decoder.decode(Manifests.self, from: Data(output.standardOutput.utf8))
        #expect(manifests.failures.isEmpty, "\(manifests.failures.joined(separator: "\n"))")
        for kind in ["Namespace", "ConfigMap", "StatefulSet", "Service", "NetworkPolicy"] {
            #expect(manifests.validated.contains { $0.contains(" \(kind)/") }, "no \(kind) was validated")
        }

        // One writer: exactly one workload, one replica, never two pods at once, state on a volume.
        try #require(manifests.workloads.count == 1)
        let workload = manifests.workloads[0]
        #expect(workload.replicas == 1, "SQLite has one writer: the gateway must run as one replica")
        #expect(workload.kind == "StatefulSet" || workload.strategy == "Recreate")
        #expect(workload.terminationGracePeriodSeconds > 20, "the gateway's graceful shutdown takes up to 20 s")
        try #require(workload.containers.count == 1)
        let container = workload.containers[0]

        // Hardened like the systemd unit, as the image's unprivileged user.
        let imageUser = try Self.containerfileUser()
        #expect(container.runAsNonRoot == true && container.runAsUser == imageUser && workload.fsGroup == imageUser)
        #expect(container.readOnlyRootFilesystem == true && container.allowPrivilegeEscalation == false)
        #expect(container.capabilitiesDropped == ["ALL"] && container.capabilitiesAdded.isEmpty)
        #expect(container.seccomp == "RuntimeDefault")

        // The accord.yaml of the ConfigMap loads, with the container's environment over it.
        let text = try #require(manifests.configuration, "no ConfigMap holds accord.yaml")
        let scratch = try PackageRoot.temporaryDirectory("kubernetes")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let file = scratch.appendingPathComponent("accord.yaml")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let inFile = try GatewayConfiguration.load(file: file.path, environment: [:])
        let environment = try Self.containerfileEnvironment().merging(container.environment) { $1 }
        let configuration = try GatewayConfiguration.load(file: file.path, environment: environment)
        #expect(configuration.listen == inFile.listen && configuration.consoleListen == inFile.consoleListen
                && configuration.operationsListen == inFile.operationsListen,
                "ACCORD_* variables of the image or the container contradict accord.yaml")

        // Ports: the listeners, the container, the probes, the Services and the NetworkPolicy agree.
        let console = try #require(configuration.consoleListen, "the console must listen")
        #expect(configuration.listen.host == "0.0.0.0" && console.host == "0.0.0.0", "both listeners must be reachable in the pod")
        #expect(container.ports["agency"] == configuration.listen.port && container.ports["console"] == console.port)
        // The kubelet probes the operations listener over plain HTTP (it holds no client
        // certificate): alive while it answers /livez, in the Services while /readyz passes.
        let operations = try #require(configuration.operationsListen, "the probes need the operations listener")
        #expect(operations.host == "0.0.0.0", "the kubelet probes the pod's address, not its loopback")
        #expect(container.ports["operations"] == operations.port)
        #expect(Set(container.probes.keys) == ["startupProbe", "readinessProbe", "livenessProbe"])
        let paths = ["startupProbe": "/livez", "livenessProbe": "/livez", "readinessProbe": "/readyz"]
        for (name, probe) in container.probes {
            #expect(!probe.tcp && probe.scheme == "HTTP" && probe.port == operations.port && probe.path == paths[name],
                    "\(name): an HTTP GET of \(paths[name] ?? "?") on the operations port")
        }
        let agency = manifests.services.filter { $0.targetPorts.contains(configuration.listen.port) }
        let operators = manifests.services.filter { $0.targetPorts.contains(console.port) }
        try #require(agency.count == 1 && operators.count == 1, "one Service for each listener")
        #expect(["LoadBalancer", "NodePort"].contains(agency[0].type) && agency[0].externalTrafficPolicy == "Local")
        #expect(operators[0].type == "ClusterIP", "the console is never exposed outside the cluster")
        #expect(manifests.networkPolicy.contains { $0.ports == [configuration.listen.port] && $0.fromAnywhere })
        #expect(manifests.networkPolicy.contains { $0.ports == [console.port] && !$0.fromAnywhere })
        #expect(!manifests.networkPolicy.contains { $0.ports.contains(console.port) && $0.fromAnywhere })
        // The probes come from the node, which a NetworkPolicy never blocks; no pod may reach them.
        #expect(!manifests.networkPolicy.contains { $0.ports.contains(operations.port) || $0.ports.isEmpty })
        #expect(!manifests.services.contains { $0.targetPorts.contains(operations.port) }, "the probes are not a Service")

        // Paths: the database on the persistent volume; agreements and certificates where mounted,
        // with Agreements/ laid out as in the repository.
        let database = URL(fileURLWithPath: configuration.database).deletingLastPathComponent().path
        #expect(container.mounts[database].map(workload.persistentVolumes.contains) == true, "\(database) is not a persistent volume")
        let agreements = configuration.agreementsDirectory
        #expect(container.mounts[agreements] != nil)
        for subdirectory in try Self.agreementSubdirectories() {
            #expect(container.mounts["\(agreements)/\(subdirectory)"] != nil, "Agreements/\(subdirectory)/ is not mounted")
        }
        let certificates = try #require(container.mounts[configuration.certificatesDirectory], "no certificates volume")
        let files = workload.projected[certificates] ?? []
        for key in ["tls.pem", "tls-key.pem", "signing-key.pem", "binding-key.pem", "subject-hmac.key", "push-client.pem", "push-client-key.pem"] {
            #expect(files.contains("gateway/\(key)"), "gateway/\(key) is not in the certificates volume")
        }
        for agency in try Self.agencyIDs() {
            #expect(files.contains("agencies/\(agency)/signing.pem"), "no place for \(agency)'s signing certificate")
        }
    }

    /// The numeric user the image runs as (`useradd --uid N`).
    static func containerfileUser() throws -> Int {
        let text = try String(contentsOf: PackageRoot.url.appendingPathComponent("Deploy/Containerfile"), encoding: .utf8)
        let match = try #require(text.firstMatch(of: /useradd [^\n]*--uid (\d+)/), "the Containerfile must fix the accord user's uid")
        return try #require(Int(match.1))
    }

    /// The variables the image sets (`ENV NAME=value`, one a line).
    static func containerfileEnvironment() throws -> [String: String] {
        let text = try String(contentsOf: PackageRoot.url.appendingPathComponent("Deploy/Containerfile"), encoding: .utf8)
        let pairs = text.matches(of: /(?m)^ENV (\w+)=(\S+)$/).map { (String($0.1), String($0.2)) }
        return Dictionary(pairs) { $1 }
    }

    /// The subdirectories of Agreements/; each becomes a ConfigMap mounted inside the first.
    static func agreementSubdirectories() throws -> [String] {
        let root = PackageRoot.url.appendingPathComponent("Agreements")
        return try FileManager.default.contentsOfDirectory(atPath: root.path).filter { name in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: root.appendingPathComponent(name).path, isDirectory: &isDirectory) && isDirectory.boolValue
        }.sorted()
    }

    /// The agency ids of the shipped registry.
    static func agencyIDs() throws -> [String] {
        let text = try String(contentsOf: PackageRoot.url.appendingPathComponent("Agreements/agencies.yaml"), encoding: .utf8)
        return text.matches(of: /\n\s*- id: ([\w.-]+)/).map { String($0.1) }
    }
}
