import AccordCore
import AccordPolicy

/// The text a new draft agreement starts from: every key an agreement has, filled with
/// values from the active registry and schemas so that it passes the checks as a draft, and
/// comments saying what to replace.
enum AgreementTemplate {
    static func draft(id: String, set: AgreementSet, today: CalendarDate) -> String {
        let domestic = set.agencies.values.filter { !$0.isOverseas }.map(\.id).sorted()
        let from = domestic.first ?? "sending.agency"
        let to = domestic.dropFirst().first ?? "receiving.agency"
        let schema = set.schemas.values.sorted { $0.type < $1.type }.first
        let type = schema?.type ?? "referral"
        // A claim no one-sided rule is about: not tagged for children, health or victims.
        let claims = schema?.claims.filter { $0.tags.isDisjoint(with: [.child, .health, .victim]) }.map(\.path) ?? []
        let disclose = claims.first ?? "summary"
        let purpose = set.purposes.keys.sorted().first ?? "law-enforcement"
        let until = CalendarDate(year: today.year + 1, month: today.month, day: min(today.day, 28)) ?? today
        let review = CalendarDate(year: today.month > 6 ? today.year + 1 : today.year, month: (today.month + 5) % 12 + 1,
                                  day: min(today.day, 28)) ?? today
        return """
            # A new agreement, saved as a draft: a draft carries no message. When it is ready, set
            # status to active (or use "Make active"), review what activation changes, and activate.
            # The file is named after the id. Replace every value below.
            id: \(id)
            title: New information-sharing agreement
            version: 1
            status: draft
            legal_basis:
              - instrument: Privacy Act 2020
                provision: s22, IPP 11(1)(e)(i)
                summary: State the provision that permits this sharing and why it applies here.
            parties: [\(from), \(to)]
            valid_from: \(today)
            valid_until: \(until)
            review_by: \(review)
            flows:
              - from: [\(from)]
                to: [\(to)]
                types: [\(type)]
                purposes: [\(purpose)]
                max_classification: IN-CONFIDENCE
                handling: H1
                disclose:
                  - \(disclose)
                notes: Name only the claims the recipient needs; everything else is withheld.

            """
    }
}
