import Certificates
import ClusterFacts
import Enforcement
import Foundation
import HostIO
import PlanningInputs
import PostgresClient

/// Phases A and B on the server: ALTER SYSTEM, the checks before each
/// reload, the reload and its proof, the TLS proof, and the dead-man check.
extension EffectRunner {
    func runSQL(_ statements: [String]) -> Performed {
        for statement in statements {
            do {
                _ = try connection.query(statement)
            } catch {
                return Performed(.sqlFailed("\(statement): \(operatorMessage(for: error))"), after: settingsFingerprint())
            }
        }
        return Performed(.sqlSucceeded, after: settingsFingerprint())
    }

    func checkBeforeReload(_ phase: Phase, plan: RunPlan) -> Performed {
        do {
            var problems = try PreReloadChecks.configurationErrors(connection)
            if phase == .hostsslRules {
                // The file on disk must still be the candidate that passed its checks.
                for write in plan.hbaWrites {
                    if HostFile.sha256(write.path) != FileDigest.sha256(write.contents) {
                        problems.append("\(write.path) changed on disk after it was written and checked")
                    }
                }
            }
            return Performed(problems.isEmpty ? .preReloadChecksPassed : .preReloadChecksFailed(problems))
        } catch {
            return Performed(.preReloadChecksFailed([operatorMessage(for: error)]))
        }
    }

    func checkCandidateHBA() -> Performed {
        do {
            let files = ServerUserFileSource.forServer(owner: ServerUserFileSource.serverOwner(dataDirectory: context.server.dataDirectory))
            let problems = try PreReloadChecks.candidateHBA(connection, hbaFile: context.server.hbaFile,
                                                            version: context.server.version, sslOn: true, files: files)
            return Performed(problems.isEmpty ? .preReloadChecksPassed : .preReloadChecksFailed(problems))
        } catch {
            return Performed(.preReloadChecksFailed([operatorMessage(for: error)]))
        }
    }

    /// After phase B new sessions come the operator's way with SSL; before it,
    /// and when putting things back, the way the operator came.
    func reload(_ phase: Phase, rollingBack: Bool) -> Performed {
        let probe = phase == .hostsslRules && !rollingBack ? context.sslTarget : context.target
        do {
            switch try ReloadProof.reload(connection, probe: probe, hba: (context.server.hbaFile, context.server.version)) {
            case .taken(let loadedAt):
                var after = settingsFingerprint()
                var evidence = EffectEvidence()
                if phase == .hostsslRules && !rollingBack {
                    evidence.hostsslLoadedAt = loadedAt
                    let (detail, ended) = endAttemptsUnderTheOldRules(loadedAt: loadedAt)
                    if !detail.isEmpty { after = (after ?? [:]).merging(detail) { $1 } }
                    evidence.endedLogins = ended
                }
                return Performed(.reloaded, after: after, evidence: evidence)
            case .notTaken(let reason): return Performed(.reloadNotTaken(reason), after: settingsFingerprint())
            }
        } catch {
            return Performed(.reloadNotTaken(operatorMessage(for: error)))
        }
    }

    /// 18: the hostssl rules are live; connections still authenticating from
    /// before meet the old ones, which may admit them in plain text, and the
    /// plan could not name them (no user yet). A failure here is left to the
    /// confirmation, which counts any still there.
    func endAttemptsUnderTheOldRules(loadedAt: Double) -> (journal: [String: String], ended: [EndedLogin]) {
        do {
            let outcome = try SessionTermination.endAttempts(before: loadedAt, connection, version: context.server.version)
            return (SessionTermination.journalDetail(outcome), outcome.ended)
        } catch {
            return (["ending_attempts_failed": operatorMessage(for: error)], [])
        }
    }

    func restart() -> Performed {
        do {
            let how = try ServerRestart.restart(dataDirectory: context.server.dataDirectory)
            connection.close()
            connection = try ServerRestart.reconnect(connection.target)
            return Performed(.restarted, after: ["restarted_by": how])
        } catch {
            return Performed(.restartFailed(operatorMessage(for: error)))
        }
    }

    /// Phase A's proof. A TCP operator's libpq logs in where their session
    /// went, as their clients would; a socket operator's credentials never go
    /// to a listen address, where someone else's listener may sit: the
    /// handshake alone (docs/POSTGRES.md, "The dead-man check over TCP").
    func probeTLS(_ expected: String?) -> Performed {
        guard let host = context.tcpHost else { return Performed(.tlsFailed("the server does not listen on TCP")) }
        switch ServedCertificate.probe(host: host, port: context.server.port, target: context.target,
                                       login: context.ownTransport == .tcp && !context.operatorVerifiesServer, keyShare: context.keyShare) {
        case .served(let fingerprint, let version, let via):
            return Performed(.tlsProven(fingerprint: fingerprint, protocolVersion: version ?? "unknown"), after: ["served_sha256": fingerprint, "via": via])
        case .noHandshake(let reason):
            return Performed(.tlsFailed(reason))
        }
    }

    func reconnectWithSSL() -> Performed {
        do {
            let encrypted = try Connection.connect(connection.target.with("sslmode", "require"))
            guard encrypted.sslInUse else {
                encrypted.close()
                return Performed(.reconnectFailed("the new connection is not encrypted"))
            }
            connection.close()
            connection = encrypted
            return Performed(.reconnectedWithSSL, after: ["pid": String(encrypted.backendPID), "tls": encrypted.sslAttribute("protocol") ?? "?"])
        } catch {
            return Performed(.reconnectFailed(operatorMessage(for: error)))
        }
    }

    /// The dead-man check: a NEW session the operator's way, encrypted, within
    /// the bound. An operator on the unix socket is never touched by the
    /// rewrite, so for them TCP with SSL must also work: a handshake showing a
    /// certificate the run accepts (`accepted`, SHA-256), then an answer to a
    /// startup packet (docs/POSTGRES.md, "The dead-man check over TCP").
    func openTestConnection(timeoutSeconds: Int, proven: String?) -> Performed {
        let deadline = Date().addingTimeInterval(Double(timeoutSeconds))
        // Nothing proven (a record from before it was kept): the certificate the server's files name.
        var accepted: Set<String> = (proven ?? currentCertificateFingerprint()).map { [$0] } ?? []
        var renewed: String?
        var lookedUp = proven == nil
        var last = "no attempt finished"
        repeat {
            let remaining = max(1, Int(deadline.timeIntervalSinceNow.rounded(.up)))
            switch attemptOperatorWay(timeoutSeconds: min(5, remaining), accepted: accepted) {
            case nil:
                return Performed(.testConnectionSucceeded, after: renewed.map { ["certificate_renewed_since_the_proof": $0] })
            case .otherCertificate(let fingerprint, let message)? where !lookedUp:
                // Renewed on disk since phase A's proof (a long --observe, a resume days later):
                // the certificate ssl_cert_file names now, usable, is the server's too (only the
                // holder of its key can serve it). Looked up once, on the first mismatch.
                lookedUp = true
                if let current = currentCertificateFingerprint(), current == fingerprint {
                    renewed = fingerprint
                    accepted.insert(fingerprint)
                    continue
                }
                last = message
            case let failure?:
                last = failure.message
            }
            Thread.sleep(forTimeInterval: 0.02)
        } while Date() < deadline
        return Performed(.testConnectionFailed(last))
    }

    /// Why a dead-man attempt did not get in.
    enum DeadManFailure: Error {
        case refused(String)
        /// The peer at the address served another certificate than the one accepted.
        case otherCertificate(fingerprint: String, message: String)

        var message: String {
            switch self {
            case .refused(let message), .otherCertificate(_, let message): return message
            }
        }
    }

    /// Whether a certificate served at a listen address is the server's: the
    /// one the run proved, or the one ssl_cert_file names now (renewed since);
    /// anything where neither is known, for want of something to compare with.
    func isTheServers(_ served: String, proven: String?) -> Bool {
        if served == proven { return true }
        guard let current = currentCertificateFingerprint() else { return proven == nil }
        return current == served
    }

    /// The fingerprint of the certificate ssl_cert_file names now, when it and its key are usable.
    func currentCertificateFingerprint() -> String? {
        guard let snapshot = try? ServerInspector(connection: connection).snapshot() else { return nil }
        let facts = CertificateFactsReader.read(snapshot, files: ServerSSLFiles.from(snapshot),
                                                tls: TLSObservation(availability: .notProbed("checking files")), names: [], now: Date())
        return facts.condition == .usable ? facts.fingerprint : nil
    }

    /// nil when the operator gets in; else why not. The operator's own way
    /// and, for a socket operator, TCP with SSL are tried at once: two
    /// independent connections, so neither waits for the other.
    func attemptOperatorWay(timeoutSeconds: Int, accepted: Set<String>) -> DeadManFailure? {
        let tcpAnswer = context.ownTransport == .tcp ? nil : context.tcpHost.map { host in
            Concurrent.start { self.attemptTCPWithSSL(host: host, timeoutSeconds: timeoutSeconds, accepted: accepted) }
        }
        do {
            let fresh = try Connection.connect(context.sslTarget, timeoutSeconds: timeoutSeconds)
            // A Kerberos operator's libpq takes GSS encryption where it can, whatever
            // the sslmode; the rewrite's hostgssenc twin admits it (docs/POSTGRES.md,
            // "GSS encryption"): encrypted either way.
            let encrypted = fresh.sslInUse || fresh.gssEncryptionInUse
            fresh.close()
            if context.ownTransport == .tcp { return encrypted ? nil : .refused("the new connection is not encrypted") }
        } catch {
            // The operator's own way failed: that is the answer. The TCP attempt is waited
            // for (its deadline bounds it), so retries never pile up attempts on the server.
            _ = tcpAnswer?.value()
            return .refused(operatorMessage(for: error))
        }
        return tcpAnswer?.value() ?? nil
    }

    /// A socket operator's TCP with SSL, with no credentials: the address is a
    /// listen address of the server's, where another listener may sit (the
    /// server on ::1 only, someone else's process on 127.0.0.1 at its port),
    /// so nothing secret goes there, and the certificate is compared before
    /// anything more is said. The startup packet's answer says the server
    /// gets past the handshake: `R` (the rules admit SSL this far; no
    /// password is needed for that) or `E` (refused by the rules or the
    /// server: the rewrite only turns host into hostssl, so an address it
    /// refuses over SSL now was refused before too, not a lock-out of anyone,
    /// and the operator's socket got in). A server that completes the
    /// handshake and then never answers is no way in. The operator's own TLS
    /// files (a root or client certificate at home, for other servers) play
    /// no part, as for the socket they came by.
    func attemptTCPWithSSL(host: String, timeoutSeconds: Int, accepted: Set<String>) -> DeadManFailure? {
        let session: StartTLSHandshake.Session
        switch StartTLSHandshake.open(host: host, port: context.server.port, timeoutSeconds: timeoutSeconds, keyShare: context.keyShare) {
        case .success(let opened): session = opened
        case .failure(let failure): return .refused("TCP with SSL to \(host): \(failure.reason)")
        }
        defer { session.close() }
        let fingerprint = Fingerprint.sha256(session.served.certificateDER)
        if !accepted.isEmpty && !accepted.contains(fingerprint) {
            return .otherCertificate(fingerprint: fingerprint, message: "TCP with SSL to \(host): the peer serves certificate SHA-256 \(fingerprint), "
                                     + "not the proven \(accepted.sorted().joined(separator: " or "))")
        }
        switch session.firstAnswer(user: context.ownUser, database: context.ownDatabase, applicationName: Self.deadManApplicationName) {
        case .success(UInt8(ascii: "R")), .success(UInt8(ascii: "E")):
            return nil
        case .success(let other):
            return .refused("TCP with SSL to \(host): the handshake passed, then an unexpected answer to the startup packet (byte \(other))")
        case .failure(let failure):
            return .refused("TCP with SSL to \(host): the handshake passed, then \(failure.reason)")
        }
    }

    /// How the dead-man check's TCP attempt names itself in the server's log.
    static let deadManApplicationName = "pg-ssl-wizard dead-man check"
}
