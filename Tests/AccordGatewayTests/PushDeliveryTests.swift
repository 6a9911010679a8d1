import AccordCore
import AccordAudit
import AccordCrypto
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Push delivery through `accord serve` to a receiving agency system written in Python
/// (`Tests/Interop/push_receiver.py`, docs/api.md "Push delivery"): over mutual TLS, through
/// a receiver's failures and the gateway's own SIGKILL.
@Suite(.serialized, .enabled(if: PythonEnvironment.canBeMade, "needs python3 with venv"))
struct PushDeliveryTests {
    /// A served gateway whose registry gives nz.police the receiver's endpoint.
    struct Setup {
        let served: ServedGateway
        let receiver: PushReceiver
        let content: URL

        /// `endpoint`: whether the registry gives nz.police the receiver's endpoint from the start.
        init(_ label: String, yaml: String = "", endpoint: Bool = true) throws {
            let port = try FreePort.find()
            served = try ServedGateway(label, agreements: { directory in
                let copy = directory.appendingPathComponent("Agreements")
                try FileManager.default.copyItem(at: PackageRoot.url.appendingPathComponent("Agreements"), to: copy)
                try Self.setEndpoint(endpoint ? port : nil, in: copy)
                return copy
            }, yaml: "push: {horizon_seconds: 3600, poll_milliseconds: 50}\n" + yaml)
            receiver = try PushReceiver(for: "nz.police", port: port, pki: served.pki, in: served.directory)
            content = served.directory.appendingPathComponent("referral.json")
            try Data(#"{"summary": "triage", "subject": {"family_name": "Ratu"}}"#.utf8).write(to: content)
        }

        /// Gives nz.police, in the registry of the agreements directory `agreements`, an endpoint
        /// on `port` (replacing any), or none.
        static func setEndpoint(_ port: Int?, in agreements: URL) throws {
            let registry = agreements.appendingPathComponent("agencies.yaml")
            let line = "    certificate: urn:accord:agency:nz.police\n"
            var text = try String(contentsOf: registry, encoding: .utf8)
            #expect(text.contains(line))
            text = text.replacing(#/\n    endpoint: https://localhost:[0-9]+/accord/deliveries(?=\n)/#, with: "")
            if let port { text = text.replacingOccurrences(of: line, with: line + "    endpoint: https://localhost:\(port)/accord/deliveries\n") }
            try text.write(to: registry, atomically: true, encoding: .utf8)
        }

        func send() async throws -> ExternalProcess.Output {
            try await ExternalProcess.run(served.accord, [
                "send", "--as", "nz.immigration", "--gateway", "localhost:\(served.port)", "--pki", served.pki.directory.path,
                "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
            ])
        }

        /// The items nz.police would pull now.
        func pulled() async throws -> [[String: Any]] {
            let output = try await served.curl("/v1/inbox")
            let page = try JSONSerialization.jsonObject(with: Data(output.standardOutput.utf8)) as? [String: Any]
            return page?["items"] as? [[String: Any]] ?? []
        }

        /// Whether nz.police's inbox is empty within 30 s (the pushes' acknowledgements recorded).
        func inboxEmpties() async throws -> Bool {
            await eventuallyHolds(within: .seconds(30)) { try await pulled().isEmpty }
        }

        /// nz.police's push metrics as `GET /metrics` gives them to an operator (auditor), by name.
        func pushMetrics() async throws -> [String: Double] {
            _ = try served.pki.ensure(agencies: [], operators: DevelopmentPKI.Operator.development)
            let output = try await ExternalProcess.run("curl", [
                "--silent", "--max-time", "60", "--cacert", served.pki.caCertificate.path,
                "--cert", served.pki.operatorCertificate("auditor").path, "--key", served.pki.operatorKey("auditor").path,
                "https://localhost:\(served.port)/metrics",
            ])
            var values: [String: Double] = [:]
            for line in output.standardOutput.split(separator: "\n") where line.hasPrefix("accord_push_") {
                let parts = line.split(separator: " ")
                guard parts.count == 2, parts[0].hasSuffix("{recipient=\"nz.police\"}"), let value = Double(parts[1]) else { continue }
                values[String(parts[0].prefix { $0 != "{" })] = value
            }
            return values
        }

        /// Starts the receiver (with `failFirst` 503s first) and the gateway, waits until the
        /// gateway answers (an issue is recorded if it does not), and runs `body` with the
        /// gateway's process; both are killed by their pids when it returns or throws.
        func running(failFirst: Int = 0, _ body: (BackgroundProcess) async throws -> Void) async throws {
            let receiver = try await self.receiver.start(failFirst: failFirst)
            defer { kill(receiver.processIdentifier, SIGKILL) }
            let server = try served.start()
            defer { kill(server.processIdentifier, SIGKILL) }
            guard try await served.waitUntilServing(server) else { return }
            try await body(server)
        }

        /// Stops the gateway with SIGTERM, then reads its audit log.
        func stop(_ server: BackgroundProcess) async throws -> (exit: ExternalProcess.Output, records: [AuditRecord], deliveries: [StoredDelivery]) {
            kill(server.processIdentifier, SIGTERM)
            let exit = await server.finish()
            let store = try SQLiteStore.open(path: served.database, configuration: StoreConfiguration(origin: "accord.local/audit", signer: nil))
            let records = try await store.query(AuditQuery(events: [.messageDelivered, .messageAcknowledged])).map(\.record)
            let deliveries = try await store.deliveries(recipient: "nz.police", states: DeliveryState.allCases)
            return (exit, records, deliveries)
        }
    }

    /// Pushed without being pulled. How soon is not asserted here: a loaded machine running the
    /// whole suite makes any bound a guess (an idle worker looks every `push.poll_milliseconds`).
    @Test func aDeliveryIsPushedVerifiesAndIsAcknowledgedViaPush() async throws {
        let setup = try Setup("push-basic")
        defer { setup.served.remove() }
        try await setup.running { server in
            let sent = try await setup.send()
            try #require(sent.status == 0, "\(sent.standardError)")
            #expect(await eventually { setup.receiver.filed.count == 1 }, "not pushed")
            let post = try #require(await eventually { setup.receiver.posts.count == 1 } ? setup.receiver.posts.first : nil)
            #expect(post.status == 200 && post.consistent)
            #expect(post.verified == true, "the sd-jwt reference library did not verify the pushed presentation")
            #expect(post.client == ["urn:accord:gateway:push"], "\(post.client)")
            // Acknowledged by the push: nothing is left to pull.
            #expect(try await setup.inboxEmpties())

            let (exit, records, deliveries) = try await setup.stop(server)
            #expect(exit.status == 0, "\(exit.standardError)")
            let delivery = try #require(deliveries.first)
            #expect(deliveries.count == 1 && delivery.state == .acknowledged && delivery.id == post.deliveryID)
            let acknowledged = records.filter { $0.event == .messageAcknowledged }
            #expect(acknowledged.count == 1 && acknowledged.first?.details["via"] == "push" && acknowledged.first?.deliveryID == delivery.id)
        }
    }

    /// The agency's CA revoked its server certificate: the gateway refuses it as it refuses a
    /// revoked client, posts nothing, and the delivery waits in the inbox.
    @Test func aReceiverWhoseCertificateIsRevokedGetsNothing() async throws {
        let setup = try Setup("push-revoked")
        defer { setup.served.remove() }
        let serial = try Certificate(pem: String(contentsOf: setup.receiver.certificate, encoding: .utf8)).serialNumberHex
        try TrustReloadTests.publishCRL(setup.served.pki, revoking: [serial])
        try await setup.running { server in
            let sent = try await setup.send()
            try #require(sent.status == 0, "\(sent.standardError)")
            #expect(await eventually { server.standardErrorSoFar.contains("push failed; will retry") }, "\(server.standardErrorSoFar)")
            #expect(setup.receiver.posts.isEmpty, "a receiver with a revoked certificate was sent the delivery")
            #expect(try await setup.pulled().count == 1, "the delivery left the inbox")
            _ = try await setup.stop(server)
        }
    }

    /// The agency's CA revokes the receiver's certificate while the gateway runs and the
    /// operator reloads the trust: the gateway pushes nothing more to it, not even over the
    /// connection it already held; a CRL without the entry, reloaded, lets the waiting delivery
    /// go. A renewed CRL or push certificate applies to pushes the same way; a push certificate
    /// that does not match its key is refused like any invalid trust.
    @Test func aRevocationReloadedWhileRunningStopsPushesAndAFreshCRLResumesThem() async throws {
        let setup = try Setup("push-reload")
        defer { setup.served.remove() }
        try await setup.running { server in
            func reload() async throws {
                let reloaded = try await ExternalProcess.run(setup.served.accord, ["certificates", "reload", "--config", setup.served.config.path])
                #expect(reloaded.status == 0, "\(reloaded.standardOutput)\(reloaded.standardError)")
            }

            try #require(try await setup.send().status == 0)
            #expect(await eventually { setup.receiver.filed.count == 1 }, "the first delivery was not pushed")

            let serial = try Certificate(pem: String(contentsOf: setup.receiver.certificate, encoding: .utf8)).serialNumberHex
            try TrustReloadTests.publishCRL(setup.served.pki, revoking: [serial])
            try await reload()
            try #require(try await setup.send().status == 0)
            #expect(await eventually(timeout: .seconds(30)) { server.standardErrorSoFar.contains("push failed; will retry") },
                    "\(server.standardErrorSoFar)")
            #expect(setup.receiver.filed.count == 1, "a receiver revoked and reloaded was pushed to")
            #expect(try await setup.pulled().count == 1, "the delivery left the inbox")

            try TrustReloadTests.publishCRL(setup.served.pki, revoking: [])
            try await reload()
            #expect(await eventually(timeout: .seconds(60)) { setup.receiver.filed.count == 2 }, "the delivery was not pushed after the fresh CRL")
            #expect(try await setup.inboxEmpties())

            // A push certificate that does not match the push key rejects the reload, naming
            // push; the gateway keeps pushing with what it had.
            let pki = setup.served.pki
            try FileManager.default.removeItem(at: pki.gatewayPushCertificate)
            try FileManager.default.copyItem(at: pki.agencyTLSCertificate("nz.police"), to: pki.gatewayPushCertificate)
            let rejected = try await ExternalProcess.run(setup.served.accord, ["certificates", "reload", "--config", setup.served.config.path])
            #expect(rejected.status != 0 && rejected.standardError.contains("rejected"), "\(rejected.standardOutput)\(rejected.standardError)")
            #expect(await eventually { server.standardErrorSoFar.contains("trust reload rejected") },
                    "\(server.standardErrorSoFar)")
            let rejection = server.standardErrorSoFar.split(separator: "\n").first { $0.contains("trust reload rejected") } ?? ""
            #expect(rejection.contains("cannot set up TLS for its endpoint") && rejection.contains("push-client.pem"), "\(rejection)")
            try #require(try await setup.send().status == 0)
            #expect(await eventually(timeout: .seconds(30)) { setup.receiver.filed.count == 3 }, "a rejected reload stopped pushes")
            _ = try await setup.stop(server)
        }
    }

    @Test func aReceiverAnswering503TwiceGetsTheDeliveryOnceAndItIsAcknowledged() async throws {
        let setup = try Setup("push-503")
        defer { setup.served.remove() }
        try await setup.running(failFirst: 2) { server in
            try #require(try await setup.send().status == 0)
            #expect(await eventually { setup.receiver.posts.count >= 3 })
            let posts = setup.receiver.posts
            #expect(posts.map(\.status) == [503, 503, 200], "\(posts.map(\.status))")
            #expect(Set(posts.map(\.deliveryID)).count == 1)
            #expect(setup.receiver.filed == [posts[0].deliveryID])
            #expect(try await setup.inboxEmpties())

            let (_, records, deliveries) = try await setup.stop(server)
            #expect(deliveries.map(\.state) == [.acknowledged])
            // Each try is a hand-out, audited, with its KB-JWT naming that leaf; one acknowledgement.
            #expect(records.filter { $0.event == .messageDelivered }.count == 3)
            #expect(records.filter { $0.event == .messageAcknowledged }.map { $0.details["via"] } == ["push"])
        }
    }

    /// An administrator adds nz.police's endpoint to the registry, moves it to another receiver,
    /// then removes it, each time reloading the agreements with SIGHUP and never restarting: the
    /// delivery waiting meanwhile is pushed once the endpoint is there, the next goes to the new
    /// receiver, and without an endpoint deliveries wait to be pulled.
    @Test func anEndpointAddedMovedAndRemovedByAnActivationIsFollowedWithoutARestart() async throws {
        let setup = try Setup("push-follow", endpoint: false)
        defer { setup.served.remove() }
        let moved = try PushReceiver(for: "nz.police", port: try FreePort.find(), pki: setup.served.pki,
                                     in: setup.served.directory.appendingPathComponent("moved"))
        let second = try await moved.start()
        defer { kill(second.processIdentifier, SIGKILL) }
        try await setup.running { server in
            func activate(_ port: Int?) async throws {
                let activations = server.standardErrorSoFar.components(separatedBy: "agreement set activated").count
                try Setup.setEndpoint(port, in: setup.served.agreements)
                kill(server.processIdentifier, SIGHUP)
                try #require(await eventually { server.standardErrorSoFar.components(separatedBy: "agreement set activated").count > activations },
                             "the edited registry was not activated: \(server.standardErrorSoFar.suffix(2000))")
            }
            try #require(try await setup.send().status == 0)
            try #require(try await setup.pulled().count == 1, "the delivery is in the inbox")

            try await activate(setup.receiver.port)
            #expect(await eventually { setup.receiver.filed.count == 1 }, "the waiting delivery was not pushed once the endpoint was added")
            #expect(try await setup.inboxEmpties())

            try await activate(moved.port)
            try #require(try await setup.send().status == 0)
            #expect(await eventually { moved.filed.count == 1 }, "the next delivery did not go to the moved endpoint")
            #expect(setup.receiver.filed.count == 1, "the old endpoint got a delivery after it was moved")
            #expect(try await setup.inboxEmpties())

            try await activate(nil)
            #expect(await eventually { server.standardErrorSoFar.contains("push stopped") }, "\(server.standardErrorSoFar.suffix(2000))")
            try #require(try await setup.send().status == 0)
            #expect(await eventuallyHolds(within: .seconds(60)) { try await setup.pulled().count == 1 }, "the delivery is not waiting to be pulled")
            #expect(setup.receiver.filed.count == 1 && moved.filed.count == 1 && moved.posts.count == 1,
                    "a delivery was pushed after the endpoint was removed")
        }
    }

    @Test func aReceiverThatIsDownIsRetriedWithBackoffAndTheInboxKeepsTheDelivery() async throws {
        let setup = try Setup("push-down")
        defer { setup.served.remove() }
        let server = try setup.served.start()
        defer { kill(server.processIdentifier, SIGKILL) }
        try await setup.served.waitUntilServing(server)

        try #require(try await setup.send().status == 0)
        try await Task.sleep(for: .seconds(4))
        let pulled = try await setup.pulled()
        #expect(pulled.count == 1, "the delivery left the inbox while its receiver was down")

        // What an operator's Prometheus sees meanwhile (docs/api.md, "Push delivery"); the
        // gauges are refreshed every 5 s.
        var down: [String: Double] = [:]
        _ = await eventuallyHolds(within: .seconds(60)) {
            down = try await setup.pushMetrics()
            return down["accord_push_backlog"] == 1 && (down["accord_push_attempts_total"] ?? 0) >= 3
        }
        #expect((down["accord_push_attempts_total"] ?? 0) >= 3, "\(down)")
        // Every try failed, but one may be in flight when scraped: counted as an attempt already.
        let attempts = down["accord_push_attempts_total"] ?? 0, failures = down["accord_push_failures_total"] ?? 0
        #expect(failures >= 3 && (attempts - 1 ... attempts).contains(failures), "\(down)")
        #expect(down["accord_push_backlog"] == 1, "\(down)")
        // Refreshed every 5 s: positive while a delivery waits, however soon after it arrived.
        #expect((down["accord_push_oldest_age_seconds"] ?? 0) > 0, "\(down)")
        #expect(down["accord_push_undeliverable"] == 0, "\(down)")

        // The receiver comes back: the next try reaches it.
        let receiver = try await setup.receiver.start()
        defer { kill(receiver.processIdentifier, SIGKILL) }
        #expect(await eventually(timeout: .seconds(60)) { setup.receiver.filed.count == 1 })
        var back: [String: Double] = [:]
        _ = await eventuallyHolds(within: .seconds(60)) {
            back = try await setup.pushMetrics()
            return back["accord_push_backlog"] == 0
        }
        #expect(back["accord_push_backlog"] == 0, "the backlog gauge never fell to 0: \(back)")
        #expect((back["accord_push_attempts_total"] ?? 0) > (down["accord_push_attempts_total"] ?? 0), "\(down) then \(back)")
        #expect((back["accord_push_attempts_total"] ?? 0) > (back["accord_push_failures_total"] ?? 0), "\(back)")
        #expect(back["accord_push_oldest_age_seconds"] == 0, "\(back)")
        let deliveryID = try #require(pulled.first?["delivery_id"] as? String)
        #expect(setup.receiver.filed == [DeliveryID(deliveryID)])
        // What was pushed is an inbox item: the same members, the same delivery; only the
        // hand-out (its leaf, its fresh KB-JWT) differs.
        let pushed = try #require(try JSONSerialization.jsonObject(
            with: Data(contentsOf: setup.receiver.inbox.appendingPathComponent("\(deliveryID).json"))) as? [String: Any])
        #expect(Set(pushed.keys) == Set(try #require(pulled.first).keys), "\(pushed.keys.sorted())")
        for key in ["delivery_id", "message_id", "from", "type", "purpose", "agreement", "received_at"] {
            #expect(pushed[key] as? String == pulled.first?[key] as? String, "\(key)")
        }

        let (_, records, _) = try await setup.stop(server)
        let tries = records.filter { $0.event == .messageDelivered }.map(\.time)
        // Refused connections: at least three tries in four seconds, further and further apart.
        #expect(tries.count >= 4, "\(tries)")
        let gaps = zip(tries.dropFirst(), tries).map { $0.timeIntervalSince($1) }
        #expect(gaps.count >= 3 && gaps[2] > gaps[0], "\(gaps)")
    }

    @Test func aGatewayKilledMidPushDeliversEverythingAfterItsRestartAndLosesNoAcknowledgement() async throws {
        let setup = try Setup("push-kill")
        defer { setup.served.remove() }
        // A slow receiver, so that the SIGKILL lands while a push is in flight.
        let receiver = try await setup.receiver.start(delayMilliseconds: 300)
        defer { kill(receiver.processIdentifier, SIGKILL) }
        var server = try setup.served.start()
        defer { kill(server.processIdentifier, SIGKILL) }
        try await setup.served.waitUntilServing(server)

        for _ in 0..<6 { try #require(try await setup.send().status == 0) }
        #expect(await eventually { setup.receiver.filed.count >= 2 })
        kill(server.processIdentifier, SIGKILL)
        _ = await server.finish()
        let acknowledgedBeforeKill = setup.receiver.posts.filter { $0.status == 200 }.map(\.deliveryID)

        server = try setup.served.start()
        try await setup.served.waitUntilServing(server)
        #expect(await eventually(timeout: .seconds(60)) { setup.receiver.filed.count == 6 }, "\(setup.receiver.filed.count) of 6 filed")
        #expect(try await setup.inboxEmpties())

        let (exit, records, deliveries) = try await setup.stop(server)
        #expect(exit.status == 0, "\(exit.standardError)")
        #expect(deliveries.count == 6 && deliveries.allSatisfy { $0.state == .acknowledged }, "\(deliveries.map(\.state))")
        #expect(Set(deliveries.map(\.id)) == setup.receiver.filed)
        let acknowledged = Set(records.filter { $0.event == .messageAcknowledged }.compactMap(\.deliveryID))
        #expect(acknowledged == Set(deliveries.map(\.id)))
        #expect(!acknowledgedBeforeKill.isEmpty)
        for id in acknowledgedBeforeKill {
            // Answered 200 before the kill: either acknowledged then, or pushed again after the restart.
            #expect(acknowledged.contains(id))
        }
    }
}
