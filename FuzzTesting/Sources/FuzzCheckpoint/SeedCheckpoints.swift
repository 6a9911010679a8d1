import AccordAudit
import AccordCrypto
import Foundation

/// The seed notes: signed checkpoints of an empty and of a grown log (one with an extension
/// line and a second, unknown signer), and the verifier key text. Written by
/// `FuzzTesting/make-seeds`; the fuzz run only reads them.
enum SeedCheckpoints {
    static func write(to folder: String, signer key: PrivateKey) {
        do {
            let signer = try NoteSigner(name: "accord.fuzz/log", privateKey: key)
            let witness = try NoteSigner(name: "witness.example/w1", privateKey: try PrivateKey.generate(.edDSA))
            let empty = try Checkpoint(origin: "accord.fuzz/log", size: 0, rootHash: SHA256.hash([UInt8]()))
            let grown = try Checkpoint(origin: "accord.fuzz/log", size: 1234, rootHash: SHA256.hash(Array("leaves".utf8)),
                                       extensions: ["timestamp 1760000000"])
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            try empty.signed(by: signer).encoded.write(toFile: folder + "/empty.note", atomically: true, encoding: .utf8)
            try grown.signed(by: [signer, witness]).encoded.write(toFile: folder + "/grown-witnessed.note", atomically: true, encoding: .utf8)
            try (signer.verifier.verifierKey + "\n").write(toFile: folder + "/verifier-key.txt", atomically: true, encoding: .utf8)
        } catch {
            fatalError("cannot write the seed checkpoints: \(error)")
        }
    }
}
