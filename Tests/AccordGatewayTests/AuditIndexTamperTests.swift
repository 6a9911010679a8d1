import AccordCore
import AccordAudit
import AccordCrypto
import AccordGateway
import AccordStore
import AccordTestSupport
import Foundation
import GRDB
import Testing

/// A privacy officer's `accord audit verify` over the database of a real gateway in which
/// someone changed a row's agreement column (dropping the triggers first): the signed leaves are
/// untouched, so only deriving the columns from each leaf again can catch it.
@Suite(.serialized) struct AuditIndexTamperTests {
    @Test func accordAuditVerifyNamesARowWhoseAgreementWasChanged() async throws {
        let fixture = try GatewayFixture()
        try await fixture.closing {
            for n in 0 ..< 3 {
                let text = try fixture.issue(from: "nz.immigration", to: ["nz.police"], jti: "inz-index-\(n)")
                _ = try await fixture.gateway.submit(text, from: "nz.immigration")
            }
            _ = try await fixture.store.checkpointNow()
            let accepted = try await fixture.store.query(AuditQuery(events: [.messageAccepted]))
            let target = try #require(accepted.last)
            let agreement = try #require(target.record.agreement?.id)
            let database = fixture.directory.appendingPathComponent("accord.sqlite").path
            let common = ["--db", database, "--origin", "test.accord/audit", "--key", fixture.pki.directory.appendingPathComponent("gateway/signing-key.pem").path]
            let accord = PackageRoot.accordExecutable.path

            let clean = try await ExternalProcess.run(accord, ["audit", "verify"] + common)
            #expect(clean.status == 0, "\(clean.standardError)")

            var unchecked = Configuration()
            unchecked.foreignKeysEnabled = false
            let raw = try DatabaseQueue(path: database, configuration: unchecked)
            try await raw.write { db in
                try db.execute(sql: "DROP TRIGGER audit_leaf_refuse_update")
                try db.execute(sql: "UPDATE audit_leaf SET agreement_id = 'some-other-agreement' WHERE idx = ?", arguments: [Int64(target.index)])
            }
            try raw.close()
            // The search by its real agreement now misses the leaf: that is what verification must reveal.
            #expect(try await fixture.store.query(AuditQuery(agreementID: agreement)).map(\.index).contains(target.index) == false)

            let caught = try await ExternalProcess.run(accord, ["audit", "verify"] + common)
            #expect(caught.status == 1)
            #expect(caught.standardError.contains("INDEX MISMATCH: leaf \(target.index): its search columns disagree with the signed leaf (agreement_id)"),
                    "\(caught.standardError)")
        }
    }
}
