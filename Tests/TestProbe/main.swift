// pgsw-probe: a test client that runs inside the suite's network namespaces.
//
//   pgsw-probe attempts FILE     try each conninfo in FILE (a JSON array of
//                                strings) in order; print one JSON line per attempt
//   pgsw-probe hold N CONNINFO   open N sessions and keep them until killed
//   pgsw-probe load SECONDS CONNINFO [...]
//                                busy application clients until SIGTERM (at most
//                                SECONDS); one JSON report at the end
import Foundation
import PostgresClient

struct Outcome: Encodable {
    var ok: Bool
    var ssl: Bool
    var error: String?
}

func attempt(_ conninfo: String) -> Outcome {
    do {
        let connection = try Connection.connect(ConnectionTarget(conninfo), timeoutSeconds: 5)
        defer { connection.close() }
        return Outcome(ok: true, ssl: connection.sslInUse, error: nil)
    } catch {
        if case .connectionFailed(_, let message) = error { return Outcome(ok: false, ssl: false, error: message) }
        return Outcome(ok: false, ssl: false, error: "\(error)")
    }
}

let arguments = CommandLine.arguments
switch arguments.count > 1 ? arguments[1] : "" {
case "attempts" where arguments.count == 3:
    let data = FileManager.default.contents(atPath: arguments[2]) ?? Data()
    let conninfos = (try? JSONDecoder().decode([String].self, from: data)) ?? []
    let encoder = JSONEncoder()
    for conninfo in conninfos {
        let line = String(decoding: try! encoder.encode(attempt(conninfo)), as: UTF8.self)
        print(line)
    }
case "hold" where arguments.count == 4:
    var held: [Connection] = []
    for _ in 0..<(Int(arguments[2]) ?? 1) {
        do {
            held.append(try Connection.connect(ConnectionTarget(arguments[3])))
        } catch {
            FileHandle.standardError.write(Data("pgsw-probe: \(error)\n".utf8))
            exit(1)
        }
    }
    FileHandle.standardOutput.write(Data("holding \(held.count)\n".utf8))
    while true { sleep(3600) }
case "load":
    guard let options = LoadOptions(Array(arguments.dropFirst(2))) else {
        FileHandle.standardError.write(Data("usage: pgsw-probe \(LoadOptions.usage)\n".utf8))
        exit(2)
    }
    let clients = LoadClients(options)
    signal(SIGTERM, SIG_IGN)
    let termination = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
    termination.setEventHandler { clients.stop() }
    termination.resume()
    let report = clients.run()
    FileHandle.standardOutput.write(try! JSONEncoder().encode(report) + Data("\n".utf8))
default:
    FileHandle.standardError.write(Data("usage: pgsw-probe attempts FILE | hold N CONNINFO | \(LoadOptions.usage)\n".utf8))
    exit(2)
}
