import AccordAudit
import AccordCrypto
import Foundation
import Testing

/// C2SP tlog-tiles paths and entry bundles, tlog-cosignature/v1 cosignatures, and the
/// tlog-witness rule: cosign only a consistent extension of what was cosigned before.
@Suite struct WitnessTests {
    static let origin = "accord.test/audit"

    @Test func tileIndexesUseThreeDigitGroupsPrefixedWithX() throws {
        let tile = try TilePath(level: 0, index: 1_234_067)
        #expect(tile.description == "tile/0/x001/x234/067")
        #expect(try TilePath(parsing: "tile/0/x001/x234/067") == tile)
        let partial = try TilePath(parsing: "tile/entries/x001/234.p/7")
        #expect(partial.isEntries && partial.index == 1234 && partial.count == 7)
        #expect(partial.description == "tile/entries/x001/234.p/7")
        #expect(try TilePath(parsing: "tile/2/000").leafRanges.first == 0 ..< 65_536)
    }

    @Test(arguments: ["tile/0/1", "tile/0/x000/001", "tile/0/001/002", "tile/64/000", "tile/0/000.p/256", "tile/0/000.p/0",
                      "tile/0/000.p/07", "tiles/0/000", "tile/-1/000", "tile/0/x1000/000"])
    func malformedTilePathsAreRefused(_ path: String) {
        #expect(throws: AuditError.self) { try TilePath(parsing: path) }
    }

    @Test func aTileIsAvailableOnlyOnceTheTreeCoversIt() throws {
        #expect(try TilePath(level: 0, index: 0, count: 5).isAvailable(treeSize: 5))
        #expect(try !TilePath(level: 0, index: 0, count: 6).isAvailable(treeSize: 5))
        #expect(try !TilePath(level: 1, index: 0, count: 1).isAvailable(treeSize: 255))
        #expect(try TilePath(level: 1, index: 0, count: 1).isAvailable(treeSize: 256))
    }

    @Test func entryBundlesRoundTripAndRefuseTruncation() throws {
        let entries: [[UInt8]] = [Array("one".utf8), [], Array(repeating: 7, count: 300)]
        let bundle = try EntryBundle.encode(entries)
        #expect(bundle.prefix(5) == [0, 3, 0x6F, 0x6E, 0x65])
        #expect(try EntryBundle.decode(bundle) == entries)
        #expect(throws: AuditError.self) { try EntryBundle.decode(Array(bundle.dropLast())) }
    }

    @Test func aCosignatureVerifiesOverTheCheckpointAndItsTime() throws {
        let cosigner = try Cosigner(name: "witness.test", privateKey: PrivateKey.generate(.edDSA))
        let verifier = try CosignatureVerifier(verifierKey: cosigner.verifier.verifierKey)
        #expect(verifier.keyID == cosigner.verifier.keyID)
        let log = try NoteSigner(name: Self.origin, privateKey: PrivateKey.generate(.edDSA))
        let note = try Checkpoint(origin: Self.origin, size: 3, rootHash: Array(repeating: 1, count: 32)).signed(by: log)
        let line = try cosigner.cosign(checkpointText: note.text, time: 1_700_000_000)
        let cosigned = try SignedNote(parsing: note.encoded + line)
        #expect(try verifier.verifiedTime(of: cosigned) == 1_700_000_000)
        let other = try Checkpoint(origin: Self.origin, size: 4, rootHash: Array(repeating: 1, count: 32)).signed(by: log)
        let moved = try SignedNote(parsing: other.encoded + line)
        #expect(throws: AuditError.self) { try verifier.verifiedTime(of: moved) }
        // A log's own verifier key (type 0x01) is not a cosignature key.
        #expect(throws: AuditError.self) { try CosignatureVerifier(verifierKey: log.verifier.verifierKey) }
    }

    @Test func aWitnessCosignsOnlyConsistentExtensions() throws {
        let log = try NoteSigner(name: Self.origin, privateKey: PrivateKey.generate(.edDSA))
        let logs = [Self.origin: [log.verifier]]
        let honest = MerkleTree(leafHashes: (0 ..< 20).map { TreeHasher().leafHash(Array("leaf \($0)".utf8)) })
        func note(_ tree: MerkleTree, _ size: UInt64, signer: NoteSigner? = nil) throws -> String {
            try Checkpoint(origin: Self.origin, size: size, rootHash: tree.root(treeSize: size)).signed(by: signer ?? log).encoded
        }
        var held: (size: UInt64, root: [UInt8])?
        func decide(_ request: AddCheckpointRequest) -> WitnessDecision {
            let decision = WitnessDecision.decide(request, logs: logs) { _ in held }
            if case .cosign(let checkpoint) = decision { held = (checkpoint.size, checkpoint.rootHash) }
            return decision
        }

        #expect(decide(AddCheckpointRequest(oldSize: 0, proof: [], note: try note(honest, 8))) == .cosign(try Checkpoint(text: SignedNote(parsing: try note(honest, 8)).text)))
        #expect(decide(AddCheckpointRequest(oldSize: 0, proof: [], note: try note(honest, 12))) == .conflict(latestSize: 8))
        let proof = try honest.consistencyProof(size1: 8, size2: 12)
        let parsed = try AddCheckpointRequest(parsing: AddCheckpointRequest(oldSize: 8, proof: proof, note: try note(honest, 12)).body)
        guard case .cosign = decide(parsed) else { Issue.record("a consistent extension was refused"); return }

        // The tail cut at 10 and rewritten: re-signed with the log's own key, and refused.
        let rewritten = MerkleTree(leafHashes: (0 ..< 16).map { TreeHasher().leafHash(Array(($0 < 10 ? "leaf \($0)" : "forged \($0)").utf8)) })
        let forged = try rewritten.consistencyProof(size1: 12, size2: 16)
        guard case .inconsistent = decide(AddCheckpointRequest(oldSize: 12, proof: forged, note: try note(rewritten, 16))) else {
            Issue.record("a rewritten log was cosigned"); return
        }
        guard case .inconsistent = decide(AddCheckpointRequest(oldSize: 12, proof: [], note: try note(rewritten, 12))) else {
            Issue.record("a second root for the size cosigned was accepted"); return
        }
        guard case .badRequest = decide(AddCheckpointRequest(oldSize: 12, proof: [], note: try note(rewritten, 10))) else {
            Issue.record("a rollback was not refused"); return
        }
        #expect(held?.size == 12)

        let stranger = try NoteSigner(name: Self.origin, privateKey: PrivateKey.generate(.edDSA))
        guard case .forbidden = decide(AddCheckpointRequest(oldSize: 12, proof: [], note: try note(honest, 12, signer: stranger))) else {
            Issue.record("a checkpoint signed by another key was not refused"); return
        }
        let elsewhere = try NoteSigner(name: "other.test/log", privateKey: PrivateKey.generate(.edDSA))
        let foreign = try Checkpoint(origin: "other.test/log", size: 1, rootHash: honest.root(treeSize: 1)).signed(by: elsewhere).encoded
        guard case .unknownLog = decide(AddCheckpointRequest(oldSize: 0, proof: [], note: foreign)) else {
            Issue.record("a log the witness does not follow was not refused"); return
        }
    }

    @Test func malformedAddCheckpointBodiesNameTheProblem() {
        for body in ["old 1\n", "old x\n\nnote\n", "old 1\nnot-base64\n\nnote\n", "new 1\n\nnote\n"] {
            #expect(throws: AuditError.self, "\(body)") { try AddCheckpointRequest(parsing: body) }
        }
    }
}
