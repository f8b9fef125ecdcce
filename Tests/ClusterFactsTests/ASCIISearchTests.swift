import ClusterFacts
import Testing

struct ASCIISearchTests {
    func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }

    @Test func findsAWordExactlyOrWithLettersFolded() {
        #expect(ASCIISearch.contains(bytes("app via pgbouncer 1.21"), bytes("pgbouncer")))
        #expect(!ASCIISearch.contains(bytes("app via PgBouncer"), bytes("pgbouncer")))
        #expect(ASCIISearch.contains(bytes("app via PgBouncer"), bytes("pgbouncer"), caseFolded: true))
        #expect(ASCIISearch.contains(bytes("LDAPBINDPASSWD=x"), bytes("pass"), caseFolded: true))
        #expect(!ASCIISearch.contains(bytes("pgbounce"), bytes("pgbouncer"), caseFolded: true))
        #expect(ASCIISearch.contains(bytes("pgpgbouncer"), bytes("pgbouncer")), "a false start is not the end of the search")
        #expect(ASCIISearch.contains(bytes("x"), []))
    }

    /// Folding sets bit 5: for a needle of lowercase letters, only that
    /// letter in either case meets it, never another byte or a byte of a
    /// multi-byte character.
    @Test func foldingMatchesOnlyTheLetterInEitherCase() {
        for letter in UInt8(ascii: "a")...UInt8(ascii: "z") {
            let matching = (0...255).map(UInt8.init).filter { ASCIISearch.contains([$0], [letter], caseFolded: true) }
            #expect(matching == [letter - 0x20, letter], "\(matching)")
        }
        #expect(!ASCIISearch.contains(bytes("ñ"), bytes("n"), caseFolded: true))
        #expect(!ASCIISearch.contains(bytes("pa\u{DF}"), bytes("pass"), caseFolded: true))
    }
}
