import AccordCrypto
import AccordPolicy
import AccordPolicyFiles
import ArgumentParser
import Foundation

/// `accord agreements diff <old> <new>`: the flows a change opens or closes, the claims it
/// newly discloses or withholds, and the files digest naming the version of `<new>` reviewed.
struct DiffAgreements: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Show flows opened or closed and claims newly disclosed or withheld between two agreement directories."
    )

    @Argument(help: "The agreements directory in force.")
    var old: String

    @Argument(help: "The proposed agreements directory.")
    var new: String

    @OptionGroup var options: AgreementDateOption

    func run() throws {
        let day = try options.day()
        let before = try AgreementsIO.load(old, on: day)
        let after = try AgreementsIO.load(new, on: day)
        let diff = PolicyDiff(old: before, new: after, on: day)
        if diff.changes.isEmpty {
            print("no change in what may be sent on \(day)")
        }
        for change in diff.changes { print(change.description) }
        // The version reviewed, for `accord agreements activate --digest`.
        let files = try AgreementSources.read(directory: URL(fileURLWithPath: new), hashing: SHA256.Hasher.self).filesDigest
        print("files digest of \(new): \(files)")
    }
}
