import AccordAudit
import Foundation
import Testing

/// Walks every transparency-dev/merkle vector; each `wantErr` case must be rejected.
@Suite struct MerkleVectorTests {
    struct InclusionCase: Decodable {
        let leafIdx: UInt64
        let treeSize: UInt64
        let root: String
        let leafHash: String
        let proof: [String]?
        let desc: String
        let wantErr: Bool
    }

    struct ConsistencyCase: Decodable {
        let size1: UInt64
        let size2: UInt64
        let root1: String
        let root2: String
        let proof: [String]?
        let desc: String
        let wantErr: Bool
    }

    @Test func inclusionVectors() throws {
        let files = Vectors.jsonFiles(under: try Vectors.directory("merkle/inclusion"))
        #expect(files.count > 50)
        var rejected = 0
        for file in files {
            let vector = try JSONDecoder().decode(InclusionCase.self, from: Data(contentsOf: file))
            let result = Result { () throws(AuditError) in
                try InclusionProof.verify(
                    leafHash: Vectors.bytes(vector.leafHash), index: vector.leafIdx, treeSize: vector.treeSize,
                    proof: (vector.proof ?? []).map(Vectors.bytes), root: Vectors.bytes(vector.root))
            }
            if vector.wantErr {
                rejected += 1
                #expect(throws: AuditError.self, "\(file.path): \(vector.desc) must be rejected") { try result.get() }
            } else {
                #expect(throws: Never.self, "\(file.path): \(vector.desc)") { try result.get() }
            }
        }
        #expect(rejected > 40)
    }

    @Test func consistencyVectors() throws {
        let files = Vectors.jsonFiles(under: try Vectors.directory("merkle/consistency"))
        #expect(files.count > 50)
        for file in files {
            let vector = try JSONDecoder().decode(ConsistencyCase.self, from: Data(contentsOf: file))
            let result = Result { () throws(AuditError) in
                try ConsistencyProof.verify(
                    size1: vector.size1, size2: vector.size2, proof: (vector.proof ?? []).map(Vectors.bytes),
                    root1: Vectors.bytes(vector.root1), root2: Vectors.bytes(vector.root2))
            }
            if vector.wantErr {
                #expect(throws: AuditError.self, "\(file.path): \(vector.desc) must be rejected") { try result.get() }
            } else {
                #expect(throws: Never.self, "\(file.path): \(vector.desc)") { try result.get() }
            }
        }
    }
}
