import AccordAudit
import AccordCrypto
import AccordGateway
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// With `cosignatures_required`, the inclusion proof an agency asks for without a size comes
/// with the first checkpoint covering its leaf that the witnesses cosigned, not with one they
/// never saw: witnesses are sent the latest checkpoint at each round, so a checkpoint signed
/// between two rounds stays without cosignatures for good (docs/audit.md, "Evidence in every answer").
@Suite(.needs("curl", fromPackage: "curl")) struct CosignedInclusionTests {
    @Test func theProofComesWithTheFirstCoveringCheckpointTheWitnessCosigned() async throws {
        let witness = try Cosigner(name: "witness.test", privateKey: try PrivateKey.generate(.edDSA))
        // Nothing listens there: the gateway's own rounds get no cosignature, the test gives them.
        let nowhere = try FreePort.find()
        let gateway = try await LiveGateway.start(configure: { configuration in
            configuration.log.witnesses = [.init(name: "witness.test", url: "http://127.0.0.1:\(nowhere)", key: witness.verifier.verifierKey, plainHTTP: true)]
            configuration.log.cosignaturesRequired = 1
        })
        try await gateway.closing {
            let store = gateway.server.store
            let content = gateway.directory.appendingPathComponent("referral.json")
            try Data(#"{"summary": "triage", "subject": {"family_name": "Ratu"}}"#.utf8).write(to: content)
            func send() async throws -> Int {
                let sent = try await ExternalProcess.run(PackageRoot.accordExecutable.path, [
                    "send", "--as", "nz.immigration", "--gateway", "localhost:\(gateway.port)", "--pki", gateway.pki.directory.path, "--json",
                    "--to", "nz.police", "--type", "referral", "--purpose", "law-enforcement", content.path,
                ])
                try #require(sent.status == 0, "\(sent.standardError)")
                let receipt = try JSONSerialization.jsonObject(with: Data(sent.standardOutput.utf8)) as? [String: Any]
                return try #require((receipt?["recipients"] as? [[String: Any]])?.first?["audit_leaf"] as? Int)
            }
            // The gateway's own timer may sign a checkpoint first; either way the latest covers the leaf.
            func signed() async throws -> StoredCheckpoint {
                _ = try await store.checkpointNow()
                return try #require(try await store.latestCheckpoint(), "no checkpoint was signed")
            }
            let leaf = try await send()
            let skipped = try await signed()
            _ = try await send()
            let cosigned = try await signed()
            try #require(UInt64(leaf) < skipped.size && skipped.size < cosigned.size, "sizes \(leaf), \(skipped.size), \(cosigned.size)")

            let uncosigned = try await gateway.curl("/v1/proofs/inclusion?leaf=\(leaf)", as: "nz.police")
            #expect(uncosigned.httpStatus == 404 && uncosigned.body.contains("not-yet-covered")
                    && uncosigned.body.contains("cosignatures the witnessing policy requires"), "\(uncosigned.standardOutput)")

            let text = try SignedNote(parsing: cosigned.note).text
            let line = try witness.cosign(checkpointText: text, time: UInt64(Date().timeIntervalSince1970))
            try await store.recordCosignature(StoredCosignature(checkpointSize: cosigned.size, witness: "witness.test", signatureLine: line, receivedAt: Date()))

            let answer = try await gateway.curl("/v1/proofs/inclusion?leaf=\(leaf)", as: "nz.police")
            let proof = try #require(try JSONSerialization.jsonObject(with: Data(answer.body.utf8)) as? [String: Any], "\(answer.standardOutput)")
            #expect(proof["tree_size"] as? Int == Int(cosigned.size), "\(answer.body)")
            let note = try SignedNote(parsing: try #require(proof["checkpoint"] as? String))
            #expect(throws: Never.self) { try witness.verifier.verifiedTime(of: note) }
            let opened = try Checkpoint.open(note.encoded, verifier: NoteVerifier(verifierKey: gateway.server.gateway.auditVerifierKey))
            let path = try #require(proof["proof"] as? [String]).map { [UInt8](Data(base64Encoded: $0)!) }
            let leafHashText = try #require(proof["leaf_hash"] as? String)
            let leafHash = [UInt8](try #require(Data(base64Encoded: leafHashText)))
            try InclusionProof.verify(leafHash: leafHash, index: UInt64(leaf), treeSize: cosigned.size, proof: path, root: opened.rootHash)

            // Asked for by its size, the checkpoint no witness saw is still given, as signed.
            let bySize = try await gateway.curl("/v1/proofs/inclusion?leaf=\(leaf)&size=\(skipped.size)", as: "nz.police")
            #expect(bySize.httpStatus == 200 && bySize.body.contains("\"tree_size\":\(skipped.size)") && !bySize.body.contains("witness.test"),
                    "\(bySize.standardOutput)")
        }
    }
}
