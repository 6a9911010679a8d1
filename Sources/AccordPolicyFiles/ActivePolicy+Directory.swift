public import AccordCore
public import AccordPolicy
public import Foundation

extension ActivePolicy {
    /// Reads, validates and compiles `directory`; throws `PolicyError` with every problem.
    public convenience init(directory: URL, today: CalendarDate, hashing: any SHA256Hashing.Type) throws(PolicyError) {
        self.init(try AgreementSet.load(AgreementSources.read(directory: directory, hashing: hashing), today: today))
    }
}
