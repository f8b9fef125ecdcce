import Certificates
import Foundation
import Testing

/// Generation in memory, checked by our own inspection (the openssl and
/// real-server oracles are in OpenSSLOracleTests and RealServerTests).
struct GenerationTests {
    @Test(arguments: [KeyKind.ecdsaP256, .rsa3072])
    func caSignedCertificateInspectsClean(kind: KeyKind) throws {
        let plan = try Material.plan(.localCA, kind: kind)
        #expect(plan.files.map(\.path) == ["/ca/ca.key", "/ca/ca.crt", "/data/server.key", "/data/server.crt", "/data/root.crt"])
        #expect(plan.files.filter(\.isSecret).allSatisfy { $0.mode == 0o600 })
        #expect(plan.files.filter { !$0.isSecret }.allSatisfy { $0.mode == 0o644 })
        // The CA key stays with the CA: its owner is the operator, not the server.
        #expect(plan.files[0].owner == nil && plan.files[2].owner == Material.serverUser)
        let report = Material.inspect(plan, names: ["db.example.com", "10.0.0.5"])
        #expect(report.findings.isEmpty, "\(report.findings.map(\.message))")
        #expect(report.verifyFullReady)
        #expect(report.certificate?.key?.description == kind.description)
        #expect(report.certificate?.isCertificateAuthority == false)
        #expect(report.certificate?.dnsNames == ["db.example.com"] && report.certificate?.ipAddresses == ["10.0.0.5"])
        let days = report.certificate!.notAfter.timeIntervalSince(Material.now) / 86_400
        #expect(abs(days - 397) < 0.01)
    }

    @Test func selfSignedDoublesAsRootCertificate() throws {
        let plan = try Material.plan(.selfSigned)
        #expect(Material.text(plan, "/data/server.crt") == Material.text(plan, "/data/root.crt"))
        let report = Material.inspect(plan, names: ["db.example.com"])
        #expect(report.findings.isEmpty, "\(report.findings.map(\.message))")
        #expect(report.certificate?.isSelfSigned == true && report.certificate?.isCertificateAuthority == true)
    }

    @Test func signingRequestCarriesTheNames() throws {
        let plan = try Material.plan(.signingRequest, dns: ["db.example.com", "db"], ip: ["192.0.2.7"])
        #expect(plan.files.map(\.path) == ["/data/server.key", "/data/server.csr"])
        #expect(plan.rootCertificatePath == nil)
        #expect(Material.text(plan, "/data/server.csr").hasPrefix("-----BEGIN CERTIFICATE REQUEST-----"))
    }

    @Test func plansNeverShowKeyBytes() throws {
        let plan = try Material.plan(.localCA)
        for file in plan.files where file.isSecret {
            let body = Material.text(plan, file.path).split(separator: "\n").dropFirst().first.map(String.init) ?? ""
            #expect(!file.planLine.contains(body.prefix(16)))
            #expect(file.planLine.contains("mode 0600"))
        }
    }

    @Test(arguments: [
        (CertificateRequest(dnsNames: [], ipAddresses: []), GenerationError.noNames),
        (CertificateRequest(dnsNames: [], ipAddresses: ["10.0.0.300"]), .badAddress("10.0.0.300")),
        (CertificateRequest(dnsNames: ["bad_name.example"], ipAddresses: []), .badHostName("bad_name.example")),
        (CertificateRequest(dnsNames: ["db"], ipAddresses: [], validityDays: 0), .badValidity(0)),
    ])
    func badRequestsAreRefusedBeforeAnyKeyIsMade(request: CertificateRequest, expected: GenerationError) {
        #expect(throws: expected) {
            try GenerationPlan.make(.selfSigned, request: request,
                                    layout: GenerationLayout(outputDirectory: "/d", caDirectory: "/c", owner: nil), now: Material.now)
        }
        #expect(!expected.description.isEmpty)
    }

    @Test func clientStringsForEveryName() {
        let strings = ClientConnectionStrings.make(names: ["db.example.com", "::1"], port: 5433, database: "app", user: "alice",
                                                   rootCertificate: "/etc/ssl/root ca.crt")
        #expect(strings[0].libpq == "host=db.example.com port=5433 dbname=app user=alice sslmode=verify-full sslrootcert='/etc/ssl/root ca.crt'")
        #expect(strings[1].uri == "postgresql://alice@[::1]:5433/app?sslmode=verify-full&sslrootcert=/etc/ssl/root%20ca.crt")
        #expect(strings[1].jdbc == "jdbc:postgresql://[::1]:5433/app?user=alice&sslmode=verify-full&sslrootcert=/etc/ssl/root%20ca.crt")
    }
}
