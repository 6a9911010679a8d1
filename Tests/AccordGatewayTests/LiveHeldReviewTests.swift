import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// Review by content on a running gateway with the shipped agreements (docs/console.md,
/// "Reviewing a held message"): the s66C flow holds a referral that discloses a child-tagged
/// claim, the officer sees the values through the console, each view is audited without them,
/// a flow may need two officers, a rejection needs a reason, and the sender sees the outcome.
@Suite(.serialized, .needs("curl", fromPackage: "curl")) struct LiveHeldReviewTests {
    static let child = #"{"subject": {"family_name": "Tuilagi", "given_names": "Mele", "is_child": true}, "summary": "Found working nights", "informant": {"name": "Constable R. Singh"}}"#
    static let adult = #"{"subject": {"family_name": "Tuilagi", "given_names": "Sione"}, "summary": "Found working nights", "informant": {"name": "Constable R. Singh"}}"#
    static let officer = "urn:accord:operator:privacy-officer:officer"

    func officer(_ gateway: LiveGateway, _ path: String, _ extra: [String] = []) async throws -> ExternalProcess.Output {
        let port = try #require(gateway.consolePort)
        return try await ExternalProcess.run("curl", [
            "--silent", "--show-error", "--max-time", "30", "--cacert", gateway.pki.caCertificate.path,
            "--cert", gateway.pki.operatorCertificate("officer").path, "--key", gateway.pki.operatorKey("officer").path,
            "--write-out", "\n%{http_code}",
        ] + extra + ["https://localhost:\(port)\(path)"])
    }

    /// `accord send` from Police to Oranga Tamariki for child protection; the message id and the delivery's line.
    func send(_ gateway: LiveGateway, _ content: String) async throws -> (message: String, recipient: [String: Any]) {
        let file = gateway.directory.appendingPathComponent("content-\(UUID().uuidString).json")
        try Data(content.utf8).write(to: file)
        let sent = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
            "send", "--as", "nz.police", "--gateway", "localhost:\(gateway.port)", "--pki", gateway.pki.directory.path,
            "--to", "nz.oranga-tamariki", "--type", "referral", "--purpose", "child-protection", "--classification", "SENSITIVE",
            "--json", file.path,
        ])
        try #require(sent.status == 0, "accord send: \(sent.standardError)")
        let receipt = try #require(try JSONSerialization.jsonObject(with: Data(sent.standardOutput.utf8)) as? [String: Any])
        return (try #require(receipt["message_id"] as? String), try #require((receipt["recipients"] as? [[String: Any]])?.first))
    }

    /// The sender's `GET /v1/messages/{id}`: the state of each delivery.
    func states(_ gateway: LiveGateway, _ message: String) async throws -> [String?] {
        let status = try await gateway.curl("/v1/messages/\(message)", as: "nz.police")
        try #require(status.httpStatus == 200, "\(status.standardOutput)")
        let deliveries = try JSONSerialization.jsonObject(with: Data(status.body.utf8)) as? [String: Any]
        return (deliveries?["deliveries"] as? [[String: Any]] ?? []).map { $0["state"] as? String }
    }

    @Test func aChildsDetailsAreHeldAndTheOfficerSeesTheValuesBeforeReleasingThem() async throws {
        let scratch = try PackageRoot.temporaryDirectory("live-held-review")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let gateway = try await LiveGateway.start(console: true, agreements: try AgreementsInForce.copy(into: scratch))
        try await gateway.closing {
            let adult = try await send(gateway, Self.adult)
            #expect(adult.recipient["status"] as? String == "delivered")
            let child = try await send(gateway, Self.child)
            #expect(child.recipient["status"] as? String == "held")
            let delivery = DeliveryID(try #require(child.recipient["delivery_id"] as? String))
            let held = try #require(try await gateway.server.store.query(AuditQuery(events: [.messageHeld])).map(\.record).first)
            #expect(held.deliveryID == delivery && held.reason == "review-required")
            #expect(held.details["hold"] == "disclosed-child" && held.details["hold_paths"] == "subject.is_child", "\(held.details)")
            #expect(try await states(gateway, child.message) == ["held"])

            let list = try await officer(gateway, "/held")
            #expect(list.body.contains("discloses child-tagged claims (subject.is_child)"), "\(list.body)")
            #expect(!list.body.contains("Mele"), "a value is on the list of held messages")
            let page = try await officer(gateway, "/held/review?delivery=\(delivery)")
            #expect(page.httpStatus == 200, "\(page.standardOutput)")
            for (path, value) in [("subject.family_name", "&quot;Tuilagi&quot;"), ("subject.given_names", "&quot;Mele&quot;"),
                                  ("subject.is_child", "true"), ("summary", "&quot;Found working nights&quot;")] {
                #expect(page.body.contains("<tr><td><code>\(path)</code></td><td>\(value)</td></tr>"), "\(path) in \(page.body)")
            }
            #expect(!page.body.contains("Constable R. Singh"), "a withheld value is shown")
            #expect(page.body.contains("<dt>Claims withheld</dt><dd>informant, informant.name</dd>"), "\(page.body)")

            let viewed = try await gateway.server.store.query(AuditQuery(events: [.messageViewedForReview]))
            #expect(viewed.count == 1)
            let view = try #require(viewed.first)
            #expect(view.record.actor == Self.officer && view.record.deliveryID == delivery)
            #expect(Set(view.record.disclosed) == ["subject.family_name", "subject.given_names", "subject.is_child", "summary"])
            // `informant` is the object's own disclosure, withheld with its member.
            #expect(view.record.withheld == ["informant", "informant.name"])
            let leaf = String(decoding: view.bytes, as: UTF8.self)
            #expect(!leaf.contains("Tuilagi") && !leaf.contains("Mele"), "a value is in the audit leaf")

            let token = try #require(page.body.firstMatch(of: /name="csrf" value="([^"]+)"/)?.1)
            let approved = try await officer(gateway, "/held/approve", ["--data-urlencode", "csrf=\(token)",
                "--data-urlencode", "message=\(child.message)", "--data-urlencode", "delivery=\(delivery)"])
            #expect(approved.body.contains("released for delivery"), "\(approved.body)")
            #expect(try await states(gateway, child.message) == ["pending"])
            let inbox = try await gateway.curl("/v1/inbox", as: "nz.oranga-tamariki")
            #expect(inbox.body.contains(delivery.rawValue))
            #expect(try await states(gateway, child.message) == ["delivered"])
        }
    }

    /// The issue's test: the same held referral, reviewed and released by the officer in the
    /// system Chromium over mutual TLS with the development officer's PKCS#12 file.
    @Test(.needsPython, .needs("chromium", fromPackage: "chromium"), .needs("chromedriver", fromPackage: "chromium-driver"),
          .needs("pk12util", fromPackage: "libnss3-tools"))
    func theOfficerReviewsTheValuesAndReleasesTheMessageInChromium() async throws {
        let scratch = try PackageRoot.temporaryDirectory("live-held-browser")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let gateway = try await LiveGateway.start(console: true, agreements: try AgreementsInForce.copy(into: scratch))
        try await gateway.closing {
            #expect(try await send(gateway, Self.adult).recipient["status"] as? String == "delivered")
            let child = try await send(gateway, Self.child)
            let delivery = DeliveryID(try #require(child.recipient["delivery_id"] as? String))
            #expect(child.recipient["status"] as? String == "held")
            let port = try #require(gateway.consolePort)
            let screenshots = try PackageRoot.temporaryDirectory("console-screenshots-held-review")
            let output = try await ExternalProcess.python("console_held_review_browser.py", [
                "--url", "https://localhost:\(port)", "--p12", gateway.pki.operatorPKCS12("officer").path,
                "--password", DevelopmentPKI.developmentPKCS12Password, "--ca", gateway.pki.caCertificate.path,
                "--out", screenshots.path, "--reason", "discloses child-tagged claims (subject.is_child)",
                "--value", "Tuilagi", "--value", "Mele", "--value", "Found working nights", "--withheld", "informant.name",
                "--hidden", "Constable R. Singh",
            ])
            #expect(output.status == 0, "\(output.standardOutput)\n\(output.standardError)")
            #expect(try await gateway.server.store.delivery(id: delivery)?.state == .pending)
            let viewed = try await gateway.server.store.query(AuditQuery(events: [.messageViewedForReview])).map(\.record)
            #expect(viewed.map(\.actor) == [Self.officer] && viewed.first?.deliveryID == delivery)
            let released = try await gateway.server.store.query(AuditQuery(events: [.messageReleased])).map(\.record)
            #expect(released.map(\.actor) == [Self.officer])
            #expect(try await states(gateway, child.message) == ["pending"])
        }
    }

    @Test func aFlowThatNeedsTwoOfficersIsReleasedByTheSecondAndARejectionNeedsAReason() async throws {
        let scratch = try PackageRoot.temporaryDirectory("live-held-two")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let agreements = try AgreementsInForce.copy(into: scratch)
        try AgreementLifecycleTests.edit(agreements, "ot-police-s66c") {
            $0.replacingOccurrences(of: "      disclosed_tags: [child]\n    notes:", with: "      disclosed_tags: [child]\n      approvals: 2\n    notes:")
        }
        let gateway = try await LiveGateway.start(agreements: agreements)
        try await gateway.closing {
            let reviewer = gateway.server.gateway
            let first = try await send(gateway, Self.child)
            let delivery = DeliveryID(try #require(first.recipient["delivery_id"] as? String))
            let alice = "urn:accord:operator:privacy-officer:alice", bob = "urn:accord:operator:privacy-officer:bob"

            guard case .approvalRecorded(_, let remaining) = try await reviewer.decide(deliveryID: delivery, release: true, by: alice) else {
                Issue.record("one approval released a delivery that needs two")
                return
            }
            #expect(remaining == 1)
            #expect(try await states(gateway, first.message) == ["held"])
            let twice = await #expect(throws: GatewayProblem.self) { try await reviewer.decide(deliveryID: delivery, release: true, by: alice) }
            #expect(twice?.code == "already-approved")
            let content = try await reviewer.reviewContent(deliveryID: delivery, for: bob)
            #expect(content.approvedBy == [alice] && content.approvalsRequired == 2)
            guard case .released = try await reviewer.decide(deliveryID: delivery, release: true, by: bob) else {
                Issue.record("the second officer's approval did not release it")
                return
            }
            #expect(try await states(gateway, first.message) == ["pending"])
            let released = try #require(try await gateway.server.store.query(AuditQuery(events: [.messageReleased])).first?.record)
            #expect(released.actor == bob && released.details["approved_by"] == "\(alice),\(bob)")

            let second = try await send(gateway, Self.child)
            let other = DeliveryID(try #require(second.recipient["delivery_id"] as? String))
            for reason in [nil, "   "] {
                let unexplained = await #expect(throws: GatewayProblem.self) { try await reviewer.decide(deliveryID: other, release: false, by: alice, reason: reason) }
                #expect(unexplained?.code == "reason-required" && unexplained?.status == 400)
            }
            #expect(try await states(gateway, second.message) == ["held"])
            guard case .rejected = try await reviewer.decide(deliveryID: other, release: false, by: alice, reason: "no risk of harm is described") else {
                Issue.record("the rejection was not made")
                return
            }
            #expect(try await states(gateway, second.message) == ["rejected"])
            let denied = try #require(try await gateway.server.store.query(AuditQuery(events: [.messageDenied])).map(\.record).first { $0.deliveryID == other })
            #expect(denied.actor == alice && denied.details["officer_reason"] == "no risk of harm is described")
        }
    }
}
