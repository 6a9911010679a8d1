import AccordAudit
import AccordGateway
import AccordServer
import AccordStore
import AccordTestSupport
import Foundation
import Testing

/// `/v1/log/…` and `/v1/proofs/…` answer as docs/openapi.yaml says, and the proofs they give
/// verify against the checkpoint they come with.
@Suite(.needs("curl", fromPackage: "curl"), .needsPython) struct LogApiContractTests {
    @Test func proofsAndTilesMatchTheContractAndVerify() async throws {
        let gateway = try await LiveGateway.start()
        try await gateway.closing {
            _ = try await gateway.server.store.checkpointNow()
            let stored = try #require(try await gateway.server.store.latestCheckpoint())
            let size = stored.size
            var exchanges: [[String: Any]] = []
            func get(_ path: String, as agency: String = "nz.police") async throws -> ExternalProcess.Output {
                let answer = try await gateway.curl(path, as: agency)
                // A tile path spans several segments, which an OpenAPI path template cannot match.
                if !path.contains("/tile/") { exchanges.append(answer.exchange("GET", path)) }
                return answer
            }
            let checkpoint = try await get("/v1/log/checkpoint")
            #expect(checkpoint.httpStatus == 200 && checkpoint.standardOutput.hasPrefix(stored.note), "\(checkpoint.standardOutput)")
            let opened = try Checkpoint.open(stored.note, verifier: NoteVerifier(verifierKey: gateway.server.gateway.auditVerifierKey))

            let inclusion = try await get("/v1/proofs/inclusion?leaf=\(size - 1)")
            let proof = try #require(try JSONSerialization.jsonObject(with: Data(inclusion.body.utf8)) as? [String: Any])
            let path = try #require(proof["proof"] as? [String]).map { [UInt8](Data(base64Encoded: $0)!) }
            let leafHashText = try #require(proof["leaf_hash"] as? String)
            let leafHash = [UInt8](try #require(Data(base64Encoded: leafHashText)))
            try InclusionProof.verify(leafHash: leafHash, index: size - 1, treeSize: size, proof: path, root: opened.rootHash)

            let tile = try await gateway.curl("/v1/log/tile/0/000.p/\(size)", as: "nz.police")
            #expect(tile.httpStatus == 200 && tile.contentType == "application/octet-stream")
            #expect(try await get("/v1/log/tile/0/000.p/\(size + 1)").httpStatus == 404)
            #expect(try await get("/v1/log/tile/entries/000.p/1").httpStatus == 403)
            #expect(try await get("/v1/log/tile/0/x000/001").httpStatus == 400)
            #expect(try await get("/v1/proofs/consistency?from=1&to=\(size)").httpStatus == 200)
            #expect(try await get("/v1/proofs/consistency?from=0&to=\(size)").httpStatus == 400)
            #expect(try await get("/v1/proofs/inclusion?leaf=\(size)").httpStatus == 404)
            #expect(try await get("/v1/proofs/inclusion").httpStatus == 400)
            let failures = try await openAPIFailures(exchanges, in: gateway.directory)
            #expect(failures == [], "\(failures)")
        }
    }
}
