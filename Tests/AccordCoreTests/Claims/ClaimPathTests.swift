import AccordCore
import Testing

/// The one claim path: typed segments, the text agreements write, and the rules between them.
@Suite struct ClaimPathTests {
    @Test func claimPathsAndRules() {
        for valid in ["a", "a.b", "indicators[*]", "a[*].b_2", "a[*][*]"] { #expect(ClaimPath.isValid(valid), "\(valid)") }
        for invalid in ["", "A", "a..b", ".a", "a.", "a[0]", "a b", "1a", "a.[*]"] {
            #expect(!ClaimPath.isValid(invalid), "\(invalid)")
        }
        #expect(ClaimPath.rule("subject", covers: "subject.name"))
        #expect(ClaimPath.rule("subject", covers: "subject"))
        #expect(ClaimPath.rule("list", covers: "list[*]"))
        #expect(ClaimPath.rule("list[*]", covers: "list[*].x"))
        #expect(!ClaimPath.rule("subject", covers: "subjects.name"))
        #expect(!ClaimPath.rule("subject.name", covers: "subject"))
    }

    @Test func oddClaimNamesStayUnambiguousInPaths() {
        let path = ClaimPath([.member("a.b"), .element, .member("c")])
        #expect(path.description == #"["a.b"][*].c"#)
    }

    @Test func readsBackTheTextItWrites() throws {
        let paths = [
            ClaimPath([.member("subject"), .member("passport_number")]),
            ClaimPath([.member("indicators"), .element]),
            ClaimPath([.member("a"), .element, .element, .member("b_2")]),
            ClaimPath([.member("a.b"), .element, .member("c")]),
            ClaimPath([.member("x"), .member(""), .member("q\"uote]"), .member("[*]")]),
        ]
        for path in paths {
            #expect(ClaimPath(parsing: path.description) == path, "\(path)")
        }
        for invalid in ["", ".a", "a.", "a..b", "[*]", "a[0]", "a]b", "[\"a\"", "[\"a\"]x", "a.[*]"] {
            #expect(ClaimPath(parsing: invalid) == nil, "\(invalid)")
        }
    }

    @Test func coversItselfAndWhatLiesBelow() throws {
        let subject = try #require(ClaimPath(parsing: "subject"))
        #expect(subject.covers(try #require(ClaimPath(parsing: "subject.name"))))
        #expect(subject.covers(subject))
        #expect(!subject.covers(try #require(ClaimPath(parsing: "subjects.name"))))
        #expect(!(try #require(ClaimPath(parsing: "subject.name"))).covers(subject))
        #expect(ClaimPath(parsing: "addresses[*].city")?.lastMemberName == "city")
        #expect(ClaimPath(parsing: "indicators[*]")?.lastMemberName == "indicators")
    }
}
