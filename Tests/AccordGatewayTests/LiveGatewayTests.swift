import AccordAudit
import AccordClient
import AccordCrypto
import AccordGateway
import AccordServer
import AccordStore
import AccordTLS
import AccordTestSupport
import Foundation
import Testing

/// `accord serve` over real sockets with real clients: curl, and Python's `requests` with the
/// `sd-jwt` reference library as both the sending and the receiving agency system.
@Suite(.serialized) struct LiveGatewayTests {
    static var content: [String: Any] {
        [
        "subject": ["family_name": "Tupou", "given_names": "Sione", "passport_number": "FJ1234567"],
        "indicators": ["passport-or-id-withheld", "debt-bondage"],
        "summary": "Worker reports passport held by employer",
        "informant": ["name": "Mele Informant"],
        "health": ["concerns": "untreated injury"],
        ]
    }

    func exchange(_ gateway: LiveGateway, shallow: Bool = false, clear: [String: Any] = [:]) async throws -> [String: Any] {
        let request: [String: Any] = [
            "shallow": shallow, "clear_content": clear,
            "base": "https://localhost:\(gateway.port)", "pki": gateway.pki.directory.path,
            "sender": "nz.immigration", "recipient": "nz.police",
            "routing": ["type": "referral", "purpose": "law-enforcement", "classification": "IN-CONFIDENCE"],
            "content": Self.content,
        ]
        let file = gateway.directory.appendingPathComponent("exchange.json")
        try JSONSerialization.data(withJSONObject: request).write(to: file)
        let output = try await ExternalProcess.python("gateway_exchange.py", [file.path])
        try #require(output.status == 0, "gateway_exchange.py failed: \(output.standardError)")
        return try #require(try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any])
    }

    @Test(.needsPython) func aMessageGoesFromOneAgencySystemToAnotherRedactedAndVerifiable() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            let answer = try await exchange(gateway)
            #expect(answer["submit_status"] as? Int == 202)
            let receipt = try #require(answer["receipt"] as? [String: Any])
            let recipients = try #require(receipt["recipients"] as? [[String: Any]])
            #expect(recipients.first?["status"] as? String == "delivered")
            #expect(recipients.first?["withheld"] as? [String] == ["health", "health.concerns", "informant", "informant.name"])

            // The recipient's reference verifier accepted the agency's signature and the gateway's binding.
            let verified = try #require((answer["verified"] as? [[String: Any]])?.first)
            let payload = try #require(verified["payload"] as? [String: Any])
            #expect((payload["subject"] as? [String: Any])?["passport_number"] as? String == "FJ1234567")
            #expect(payload["informant"] == nil && payload["health"] == nil)
            #expect(answer["ack_statuses"] as? [Int] == [200])
            let exchanges = try #require(answer["exchanges"] as? [[String: Any]])
            #expect(exchanges.count == 5)
            #expect(try await openAPIFailures(exchanges, in: gateway.directory) == [])

            // A claim the agreement does not allow appears in no response, log line or audit record;
            // no payload value at all appears in a log line or the audit log.
            let bodies = (answer["bodies"] as? [String] ?? []).joined(separator: "\n")
            let count = try await gateway.server.store.leafCount()
            let audit = try await gateway.server.store.leaves(in: 0..<count).map { String(decoding: $0.bytes, as: UTF8.self) }.joined(separator: "\n")
            let logs = gateway.logs.all.joined(separator: "\n")
            #expect(!logs.isEmpty && count >= 4)
            for withheld in ["Mele Informant", "untreated injury"] {
                #expect(!bodies.contains(withheld) && !audit.contains(withheld) && !logs.contains(withheld), "withheld value leaked")
            }
            for value in ["FJ1234567", "Tupou", "Sione"] {
                #expect(!audit.contains(value) && !logs.contains(value), "a payload value reached the audit log or a log line")
            }
        }
    }

    @Test(.needs("curl", fromPackage: "curl"), .needsPython) func curlSeesProblemsForBadRequestsAndTheHandshakeRefusesStrangers() async throws {
        var limits = GatewayConfiguration.Limits()
        limits.maxBodyBytes = 4096
        let gateway = try await LiveGateway.start(limits: limits)
        try await gateway.closing {

            let health = try await gateway.curl("/healthz", as: "nz.police")
            #expect(health.httpStatus == 200 && health.body.contains("ok"))
            let agreements = try await gateway.curl("/v1/agreements", as: "nz.police")
            #expect(agreements.httpStatus == 200 && agreements.body.contains("\"agency\":\"nz.police\"") && agreements.body.contains("inz-police-investigations"))

            let wrongType = try await gateway.curl("/v1/messages", as: "nz.police", ["-X", "POST", "-H", "Content-Type: application/json", "--data", "{}"])
            #expect(wrongType.httpStatus == 415 && wrongType.contentType == "application/problem+json")
            #expect(wrongType.body.contains("\"type\":\"urn:accord:problem:unsupported-media-type\""))

            let tooLarge = try await gateway.curl("/v1/messages", as: "nz.police", ["-X", "POST", "-H", "Content-Type: application/sd-jwt", "--data-binary", String(repeating: "a", count: 10_000)])
            #expect(tooLarge.httpStatus == 413 && tooLarge.body.contains("body-too-large"), "\(tooLarge.standardOutput)")

            let garbage = try await gateway.curl("/v1/messages", as: "nz.police", ["-X", "POST", "-H", "Content-Type: application/sd-jwt", "--data-binary", "eyJ.x.y~"])
            #expect(garbage.httpStatus == 400 && garbage.body.contains("\"code\":\"invalid-base64url\""), "\(garbage.standardOutput)")

            let unknown = try await gateway.curl("/v1/inbox/d-nope/ack", as: "nz.police", ["-X", "POST"])
            #expect(unknown.httpStatus == 404 && unknown.body.contains("urn:accord:problem:not-found"))

            let metrics = try await gateway.curl("/metrics", operator: "auditor")
            #expect(metrics.httpStatus == 200 && metrics.body.contains("accord_messages_refused_total"))
            let agencyMetrics = try await gateway.curl("/metrics", as: "nz.police")
            #expect(agencyMetrics.httpStatus == 403 && agencyMetrics.body.contains("not-an-operator"), "\(agencyMetrics.standardOutput)")

            // Every answer above, refusals included, is as docs/openapi.yaml documents it.
            let documented = [health.exchange("GET", "/healthz"), agreements.exchange("GET", "/v1/agreements"),
                              wrongType.exchange("POST", "/v1/messages"), tooLarge.exchange("POST", "/v1/messages"),
                              garbage.exchange("POST", "/v1/messages"), unknown.exchange("POST", "/v1/inbox/d-nope/ack"),
                              metrics.exchange("GET", "/metrics"), agencyMetrics.exchange("GET", "/metrics")]
            #expect(try await openAPIFailures(documented, in: gateway.directory) == [])

            let stranger = try await gateway.curl("/healthz", as: nil)
            #expect(stranger.status != 0 && stranger.httpStatus == 0, "a client without a certificate got an answer")

            // Refusals are audited, with no payload.
            let denied = try await gateway.server.store.query(AuditQuery(events: [.messageDenied]))
            #expect(denied.map(\.record.reason) == ["invalid-base64url"], "\(denied.map(\.record.reason))")
        }
    }

    @Test func limitsAnswer429WithRetryAfter() async throws {
        var limits = GatewayConfiguration.Limits()
        limits.requestsPerSecond = 1
        limits.burst = 2
        limits.maxConnectionsPerAgency = 1
        let gateway = try await LiveGateway.start(limits: limits)
        try await gateway.closing {
            let context = try TLSContext.agencyClient(pkiDirectory: gateway.pki.directory, agency: "nz.customs", serverName: "localhost")
            let first = try await AccordHTTPConnection.connect(host: "localhost", port: gateway.port, context: context)
            // A burst of two, then refused. A stall on a loaded machine can return a token
            // between requests, so the refusal may come a request or two later, never sooner.
            var answers = [try await first.request(method: "GET", path: "/v1/agreements")]
            while answers.count < 8, answers.last?.status == 200 {
                answers.append(try await first.request(method: "GET", path: "/v1/agreements"))
            }
            let statuses = answers.map(\.status)
            #expect(statuses.prefix(2) == [200, 200] && statuses.last == 429, "\(statuses)")
            let limited = try #require(answers.last)
            #expect(limited.status == 429 && Int(limited.header("Retry-After") ?? "") ?? 0 >= 1 && limited.bodyText.contains("rate-limited"))

            // A second connection of the same agency is over its limit of one.
            let second = try await AccordHTTPConnection.connect(host: "localhost", port: gateway.port, context: context)
            let overAPI = try await second.request(method: "GET", path: "/v1/agreements")
            #expect(overAPI.status == 429 && overAPI.bodyText.contains("too-many-connections") && overAPI.header("Connection") == "close")
            await first.close()
            await second.close()
        }
    }

    @Test(.needsPython) func aSlowClientIsDisconnectedAtTheRequestDeadline() async throws {
        var limits = GatewayConfiguration.Limits()
        limits.requestTimeoutSeconds = 1
        let gateway = try await LiveGateway.start(limits: limits)
        try await gateway.closing {
            let output = try await ExternalProcess.python("slow_client.py", [
                "\(gateway.port)", gateway.pki.caCertificate.path,
                gateway.pki.agencyTLSCertificate("nz.police").path, gateway.pki.agencyTLSKey("nz.police").path,
            ])
            let seconds = Double(output.standardOutput.split(separator: " ").last?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "") ?? -1
            #expect(output.standardOutput.hasPrefix("closed after") && seconds >= 0.9 && seconds < 5, "\(output.standardOutput)\(output.standardError)")

            // A prompt client on a kept-alive connection is not affected by the deadline between requests.
            let context = try TLSContext.agencyClient(pkiDirectory: gateway.pki.directory, agency: "nz.police", serverName: "localhost")
            let connection = try await AccordHTTPConnection.connect(host: "localhost", port: gateway.port, context: context)
            #expect(try await connection.request(method: "GET", path: "/healthz").status == 200)
            try await Task.sleep(for: .milliseconds(1_500))
            #expect(try await connection.request(method: "GET", path: "/healthz").status == 200)
            await connection.close()
        }
    }

    @Test(.needsPython) func claimsInClearArePermittedOnlyWhereNoRecipientCanSeeThem() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            // The reference issuer's default: only top-level claims selectively disclosable, so
            // `informant.name` is in clear inside the `informant` disclosure, which the agreement
            // drops: accepted. An object disclosed whole is forwarded only by a path permitting
            // the object itself, so `subject` is withheld too (over-withholding, never a leak).
            let shallow = try await exchange(gateway, shallow: true)
            #expect(shallow["submit_status"] as? Int == 202, "\(shallow["receipt"] ?? shallow)")
            let payload = try #require(((shallow["verified"] as? [[String: Any]])?.first)?["payload"] as? [String: Any])
            #expect(payload["informant"] == nil && payload["health"] == nil && payload["subject"] == nil, "\(payload)")
            #expect(payload["summary"] as? String == "Worker reports passport held by employer")

            // A claim in clear at the top level cannot be withheld: refused, and its name is not echoed.
            let clear = try await exchange(gateway, clear: ["FJ9999999": "seized"])
            #expect(clear["submit_status"] as? Int == 403)
            let bodies = (clear["bodies"] as? [String] ?? []).joined()
            #expect(bodies.contains("clear-claim-not-permitted") && !bodies.contains("FJ9999999"))
        }
    }

    /// A TCP health probe (connect, then close: load balancers, Kubernetes) is closed at once,
    /// not held until the handshake timeout, and does not fill the log with notices.
    @Test(.needsPython, .needs("curl", fromPackage: "curl")) func aConnectionClosedBeforeTheHandshakeIsLetGoAtOnce() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            let probes = try await ExternalProcess.python("silent_connect.py", ["\(gateway.port)", "3", "5", "--half-close"])
            let lines = probes.standardOutput.split(separator: "\n")
            #expect(lines.count == 3 && lines.allSatisfy { $0.hasPrefix("closed ") }, "\(probes.standardOutput)\(probes.standardError)")
            #expect(lines.compactMap { Double($0.split(separator: " ").last ?? "") }.allSatisfy { $0 < 2 }, "\(probes.standardOutput)")
            // The server logs a refusal just after it has closed the connection, so wait for it.
            let isRefusal = { (line: String) in line.contains("TLS connection refused") }
            _ = await eventually { gateway.logs.all.filter(isRefusal).count >= 3 }
            let refused = gateway.logs.all.filter(isRefusal)
            #expect(refused.count == 3 && refused.allSatisfy { $0.hasPrefix("debug ") && $0.contains("tls-closed-before-handshake") }, "\(refused)")
            // The gateway still serves.
            #expect(try await gateway.curl("/healthz", as: "nz.police").httpStatus == 200)
        }
    }
}
