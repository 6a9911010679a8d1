import AccordCore
import AccordPostgres

extension PGValue {
    /// A typed identifier as the text column that holds it.
    static func id(_ value: some Identifier) -> PGValue { .text(value.rawValue) }
}
