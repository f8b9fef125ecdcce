import ClusterFacts
import Foundation
import HostIO
@testable import Sandbox
import Testing

/// `practice --destroy` kills and removes, as the user it names, what a
/// record lists. A record under a shared state base is read only from a
/// directory nobody else could write: another user who made
/// `pg-ssl-wizard/practice` first could otherwise plant one naming root and
/// any directory. Failed on the code before, which read the record by path.
struct PracticeRecordTrustTests {
    @Test func aRecordPlantedByAnotherUserIsNotRead() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("pgsw-shared-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: false)
        defer { try? FileManager.default.removeItem(atPath: base) }
        #expect(chmod(base, 0o1777) == 0)
        let practice = base + "/pg-ssl-wizard/practice"
        try FileManager.default.createDirectory(atPath: practice, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let planted = PracticeRecord(scenario: .basic, roots: [base + "/victim"], dataDirectories: [], binDirectory: "/usr/bin",
                                     owner: OSUser.current, operatorConninfo: "host=/tmp", serverLog: "", clientsLog: "", createdAt: Date(timeIntervalSince1970: 1_800_000_000))
        try Data(try StoredJSON.bytes(planted)).write(to: URL(fileURLWithPath: practice + "/basic.json"))
        let environment = ["XDG_STATE_HOME": base]
        #expect(PracticeRecord.load(.basic, environment: environment) == planted, "this user's own tree is read")
        for level in [base + "/pg-ssl-wizard", practice] {
            #expect(chown(level, 65_534, 65_534) == 0, "the tests run as root")
        }
        #expect(PracticeRecord.load(.basic, environment: environment) == nil)
        #expect(PracticeRecord.kept(environment: environment).isEmpty)
    }
}
