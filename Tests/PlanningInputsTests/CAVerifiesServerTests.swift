import Certificates
import Foundation
import HostIO
@testable import PlanningInputs
import Testing
import TestSupport

/// The confirmation runs a verify-full test with the server's ssl_ca_file
/// only where that CA verifies the server. A CA file that loads nothing (not
/// PEM) counted before, for want of a chain finding: the run then ended on a
/// verify-full test that could never pass. Failed on the code before.
struct CAVerifiesServerTests {
    @Test func aCAThatLoadsNothingVerifiesNothing() throws {
        let root = try TestEnvironment.scratchDirectory()
        let made = try Wizard.run(["certs", "generate", "--ca", "--dns", "localhost", "--key-type", "ecdsa-p256", "--out", root, "--ca-dir", root + "/ca"])
        #expect(made.exitCode == 0, "\(made.stderr)")
        try Data("not a certificate\n".utf8).write(to: URL(fileURLWithPath: root + "/garbage.crt"))
        func report(ca: String) -> CertificateReport {
            CertificateInspection(certificate: FileSnapshots.read(root + "/server.crt"), key: FileSnapshots.read(root + "/server.key"),
                                  ca: FileSnapshots.read(ca), serverUser: OSUser.current.fileOwner, names: ["localhost"], now: Date()).run()
        }
        #expect(CertificateFactsReader.caVerifiesServer(report(ca: root + "/root.crt"), caPath: root + "/root.crt"))
        #expect(!CertificateFactsReader.caVerifiesServer(report(ca: root + "/garbage.crt"), caPath: root + "/garbage.crt"))
    }
}
