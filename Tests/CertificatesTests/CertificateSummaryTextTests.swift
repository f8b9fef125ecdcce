@testable import Certificates
import SwiftASN1
import Testing
import X509

/// `CertificateSummary` writes a name itself (`DistinguishedName.text`)
/// where it asked X509's `description`: the same text, character for
/// character, which reports and plans have always shown.
struct CertificateSummaryTextTests {
    static func attribute(_ type: ASN1ObjectIdentifier, _ value: String) -> RelativeDistinguishedName.Attribute {
        .init(type: type, value: .init(utf8String: value))
    }

    static let names: [DistinguishedName] = [
        DistinguishedName(),
        DistinguishedName([RelativeDistinguishedName(attribute(.RDNAttributeType.commonName, "localhost"))]),
        DistinguishedName([
            RelativeDistinguishedName(attribute(.RDNAttributeType.countryName, "DE")),
            RelativeDistinguishedName(attribute(.RDNAttributeType.organizationName, "Acme, Inc.")),
            RelativeDistinguishedName([attribute(.RDNAttributeType.organizationalUnitName, "db+ops"),
                                       attribute(.RDNAttributeType.commonName, "=\"x\"\\ é")]),
            RelativeDistinguishedName(attribute(.RDNAttributeType.commonName, " db.example.com ")),
        ]),
        DistinguishedName([RelativeDistinguishedName(), RelativeDistinguishedName(attribute(.RDNAttributeType.commonName, "after an empty one"))]),
    ]

    @Test(arguments: names)
    func theTextIsX509sDescription(name: DistinguishedName) {
        #expect(name.text == name.description)
    }
}
