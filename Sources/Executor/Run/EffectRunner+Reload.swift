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

    func probeTLS(_ expected: String?) -> Performed {
        guard let host = context.tcpHost else { return Performed(.tlsFailed("the server does not listen on TCP")) }
        switch ServedCertificate.probe(host: host, port: context.server.port, target: context.target,
                                       login: !context.operatorVerifiesServer) {
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
    /// rewrite, so for them a TCP SSL handshake must also reach authentication
    /// (the new rules admit SSL; a missing TCP password does not matter), or,
    /// where libpq trips on the operator's own TLS files, the handshake alone
    /// must show the certificate the run proved (`served`, its SHA-256).
    func openTestConnection(timeoutSeconds: Int, served: String?) -> Performed {
        let deadline = Date().addingTimeInterval(Double(timeoutSeconds))
        var last = "no attempt finished"
        repeat {
            let remaining = max(1, Int(deadline.timeIntervalSinceNow.rounded(.up)))
            switch attemptOperatorWay(timeoutSeconds: min(5, remaining), served: served) {
            case nil: return Performed(.testConnectionSucceeded)
            case let failure?: last = failure
            }
            Thread.sleep(forTimeInterval: 0.02)
        } while Date() < deadline
        return Performed(.testConnectionFailed(last))
    }

    /// nil when the operator gets in; else why not. The operator's own way
    /// and, for a socket operator, TCP with SSL are tried at once: two
    /// independent connections, so neither waits for the other.
    func attemptOperatorWay(timeoutSeconds: Int, served: String?) -> String? {
        let tcpAnswer = context.ownTransport == .tcp ? nil : context.tcpHost.map { host in
            Concurrent.start { self.attemptTCPWithSSL(host: host, timeoutSeconds: timeoutSeconds, served: served) }
        }
        do {
            let fresh = try Connection.connect(context.sslTarget, timeoutSeconds: timeoutSeconds)
            // A Kerberos operator's libpq takes GSS encryption where it can, whatever
            // the sslmode; the rewrite's hostgssenc twin admits it (docs/POSTGRES.md,
            // "GSS encryption"): encrypted either way.
            let encrypted = fresh.sslInUse || fresh.gssEncryptionInUse
            fresh.close()
            if context.ownTransport == .tcp { return encrypted ? nil : "the new connection is not encrypted" }
        } catch {
            // The operator's own way failed: that is the answer; the TCP attempt ends on its own deadline.
            return operatorMessage(for: error)
        }
        return tcpAnswer?.value() ?? nil
    }

    func attemptTCPWithSSL(host: String, timeoutSeconds: Int, served: String?) -> String? {
        // The point is SSL: no GSS encryption in its place (docs/POSTGRES.md, "GSS encryption").
        let target = context.tcpTarget(host: host).with("sslmode", "require").with("gssencmode", "disable")
        let started = Date()
        let outcome = Connection.handshakeOutcome(target, timeoutSeconds: timeoutSeconds)
        // Whoever answered at this address must be the server the run proved: another
        // listener there (the server on ::1 only, someone else's on 127.0.0.1) proves nothing.
        if let served, let der = outcome.servedCertificate, Fingerprint.sha256(der) != served {
            return "TCP with SSL to \(host): the peer serves certificate SHA-256 \(Fingerprint.sha256(der)), not the proven \(served)"
        }
        switch outcome {
        case .connected:
            return nil
        case .endedAfterTheHandshake(let error, _):
            // A server that completes the handshake and then never answers is no way in.
            // Told by the clock: libpq's "timeout expired" is translated in the operator's locale.
            // libpq counts whole seconds, from 2 up, so its timeout can end up to a second early.
            if Date().timeIntervalSince(started) >= Double(max(timeoutSeconds, 2) - 1) {
                return "TCP with SSL to \(host): \(operatorMessage(for: error))"
            }
            // Refused by the rules, or by authentication, after the handshake: TLS
            // works. The rewrite only turns host into hostssl, so an address it
            // refuses over SSL now was refused before too (a cluster with no loopback
            // TCP rule): not a lock-out of anyone, and the operator's socket got in above.
            return nil
        case .failed(let error):
            // No finished handshake. libpq may have tripped on the operator's own TLS
            // files (a root certificate or a client certificate at home, for other
            // servers), which the socket they came by never reads: the handshake
            // alone, showing the certificate the run proved, says TLS over TCP works
            // (docs/POSTGRES.md, "Authentication is part of the outcome").
            switch ServedCertificate.withoutLogin(host: host, port: context.server.port, timeoutSeconds: timeoutSeconds) {
            case .served(let fingerprint, _, _) where served == nil || fingerprint == served:
                return nil
            case .served(let fingerprint, _, _):
                return "TCP with SSL to \(host): \(operatorMessage(for: error)); the handshake alone shows certificate SHA-256 \(fingerprint), not the proven \(served ?? "")"
            case .noHandshake(let reason):
                return "TCP with SSL to \(host): \(operatorMessage(for: error)); \(reason)"
            }
        }
    }
}
