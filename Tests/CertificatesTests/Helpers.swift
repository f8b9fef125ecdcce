import Certificates
import ClusterFacts
import Foundation
import X509

/// Material made in memory for the pure tests.
enum Material {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let serverUser = FileOwner(name: "postgres", uid: 111, gid: 0)

    static func snapshot(_ path: String, _ text: String, owner: UInt32 = 111, mode: UInt32 = 0o600) -> FileSnapshot {
        FileSnapshot(path: path, kind: .regular, bytes: Array(text.utf8), ownerUID: owner, ownerName: owner == 0 ? "root" : "postgres", mode: mode)
    }

    static func plan(_ mode: GenerationMode, kind: KeyKind = .ecdsaP256, dns: [String] = ["db.example.com"],
                     ip: [String] = ["10.0.0.5"], days: Int = 397, at date: Date = now) throws -> GenerationPlan {
        try GenerationPlan.make(mode, request: CertificateRequest(dnsNames: dns, ipAddresses: ip, keyKind: kind, validityDays: days),
                                layout: GenerationLayout(outputDirectory: "/data", caDirectory: "/ca", owner: serverUser), now: date)
    }

    static func text(_ plan: GenerationPlan, _ path: String) -> String {
        String(decoding: plan.files.first { $0.path == path }!.contents, as: UTF8.self)
    }

    static func inspect(_ plan: GenerationPlan, names: [String], at date: Date = now, keyMode: UInt32 = 0o600) -> CertificateReport {
        CertificateInspection(certificate: snapshot("/data/server.crt", text(plan, "/data/server.crt"), mode: 0o644),
                              key: snapshot("/data/server.key", text(plan, "/data/server.key"), mode: keyMode),
                              ca: snapshot("/data/root.crt", text(plan, "/data/root.crt"), mode: 0o644),
                              serverUser: serverUser, names: names, now: date).run()
    }
}
