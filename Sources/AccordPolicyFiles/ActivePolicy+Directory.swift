public import AccordPolicy
public import Foundation

extension ActivePolicy {
    /// Reads, validates and compiles `directory`; throws `PolicyError` with every problem.
    public convenience init(directory: URL, today: CalendarDate) throws(PolicyError) {
        self.init(try AgreementSet.load(AgreementSources.read(directory: directory), today: today))
    }
}
