import Certificates
import ClusterFacts
import Enforcement
import Foundation
import HBA
import HostIO
import PlanningInputs
import PostgresClient
import SQLCatalogue

/// Steps 5 and 6 on the server: the sessions still plain, their end, the
/// standbys coming back over SSL, and the proof that plain text is refused.
extension EffectRunner {
    /// TLS versions below the floor this run sets: sessions on them are ended like plain ones.
    static func weakVersions(_ record: RunRecord) -> [String] { TLSVersions.below(record.state.plan.confirmation.minimumTLS) }

    /// Within `--grace`, each planned session still exposed is ended at a
    /// moment it is outside a transaction; the record keeps the state each was
    /// signalled in. The statement re-reads which are still exposed, so no
    /// look before it: one would only keep them connected longer.
    func terminate(_ pids: [Int32], timeoutMilliseconds: Int?, record: RunRecord) -> Performed {
        let starts = record.state.plan.terminateStarts
        var signalled: [SessionEnding] = []
        do {
            let outcome = try SessionTermination.endAtTransactionBoundaries(
                connection, pids, weakVersions: Self.weakVersions(record), graceSeconds: Double(context.graceSeconds),
                timeoutMilliseconds: timeoutMilliseconds ?? 5000, version: context.server.version, starts: starts, signalled: &signalled,
                progress: { [terminationProgress] progress in terminationProgress?(progress) })
            var evidence = EffectEvidence()
            evidence.terminated = outcome.ended.filter { !outcome.remaining.contains($0.pid) }.map(TerminatedSession.init)
            if outcome.remaining.isEmpty { evidence.lastPlainGoneAt = Date() }
            let ended = outcome.ended.map(\.pid) + walsendersAlreadyGone(record.state.plan, signalled: outcome.ended.map(\.pid))
            return Performed(.terminated(ended: ended, remaining: outcome.remaining),
                             after: ["remaining": outcome.remaining.map(String.init).joined(separator: ","),
                                     "cut_inside_transaction": outcome.ended.filter { $0.cutInsideTransaction == true }.map { String($0.pid) }
                                        .joined(separator: ",")],
                             evidence: evidence)
        } catch {
            // Every planned one counts as ended, so each planned standby is waited for. Those
            // signalled before the failure are what the step did: the journal and the report
            // name them, as gone when a look shows them no longer exposed, else as not seen gone.
            let look = lookAfterFailure(pids, record: record, starts: starts)
            var evidence = EffectEvidence()
            evidence.terminated = signalled.filter { !(look.left ?? []).contains($0.pid) }.map {
                var ended = TerminatedSession($0)
                if look.left == nil { ended.exitConfirmed = false }
                return ended
            }
            if look.left == [] { evidence.lastPlainGoneAt = Date() }
            var after = ["signalled_before_failure": signalled.map(\.pid).sorted().map(String.init).joined(separator: ","),
                         "failure": operatorMessage(for: error)]
            if let pid = look.reconnectedAs { after["reconnected_pid"] = String(pid) }
            return Performed(.terminated(ended: pids, remaining: look.left ?? pids), after: after, evidence: evidence)
        }
    }

    /// The planned sessions still exposed after the step failed (`left`, nil
    /// when nothing could look), on the run's connection or, when that one
    /// was lost, on a new one the operator's way (`sslTarget`, as the
    /// dead-man check proved it), which the run then goes on with
    /// (`reconnectedAs`, its backend). Only one that reaches the plan's
    /// cluster, a primary, with the same data directory and port: after a
    /// failover, or with a name that now leads elsewhere, a look there would
    /// say nothing of the sessions signalled here.
    func lookAfterFailure(_ pids: [Int32], record: RunRecord,
                          starts: SessionTermination.BackendStarts) -> (left: [Int32]?, reconnectedAs: Int32?) {
        let weak = Self.weakVersions(record)
        if connection.isOpen {
            return ((try? SessionTermination.stillExposed(connection, among: pids, weakVersions: weak, starts: starts)), nil)
        }
        guard let fresh = try? Connection.connect(context.sslTarget, timeoutSeconds: 5) else { return (nil, nil) }
        guard isTheRunsServer(fresh) else {
            fresh.close()
            return (nil, nil)
        }
        connection.close()
        connection = fresh
        return ((try? SessionTermination.stillExposed(connection, among: pids, weakVersions: weak, starts: starts)), fresh.backendPID)
    }

    /// The plan's cluster, a primary, reached as a superuser, with the data directory and port the run knows.
    func isTheRunsServer(_ candidate: Connection) -> Bool {
        guard (try? Self.preflightProblem(candidate, systemIdentifier: context.server.systemIdentifier)) == .some(nil),
              let place = try? candidate.query(SQLText.serverPlace).rows.first else { return false }
        return (try? place.string("data_directory")) == context.server.dataDirectory && (try? place.int("port")) == context.server.port
    }

    /// When the step is issued again (`resume` after a kill while it waited
    /// out `--grace`), the planned walsenders it did not signal because they
    /// were already gone: the earlier attempt had ended them (walsenders go
    /// first), so their standbys must come back over SSL and are waited for.
    /// On a first attempt a walsender gone by itself (a standby restarted or
    /// down) was not ended by the run and is not waited for. Unknown (the look
    /// failed): all of them count, the wait being the cautious side.
    func walsendersAlreadyGone(_ plan: RunPlan, signalled: [Int32]) -> [Int32] {
        let unsignalled = plan.terminate.filter { $0.walsender && !signalled.contains($0.pid) }.map(\.pid)
        guard !unsignalled.isEmpty, terminateIssuedBefore() else { return [] }
        guard let present = try? SessionTermination.present(connection, unsignalled, starts: plan.terminateStarts) else { return unsignalled }
        return unsignalled.filter { !present.contains($0) }
    }

    /// Whether the run's journal holds an earlier terminate than the one
    /// written just before this attempt (the journal gets each effect before
    /// it runs). A journal that cannot be read says nothing: taken as a repeat,
    /// the cautious side (a wait for a standby rather than none).
    func terminateIssuedBefore() -> Bool {
        guard let path = journal?.path else { return false }
        guard let entries = try? Journal.read(path) else { return true }
        let name = JournalDescription.effect(.terminate(pids: [], timeoutMilliseconds: nil)).name
        return entries.filter { $0.kind == .effect && $0.name == name }.count > 1
    }

    func awaitStandbys(_ names: [String]) -> Performed {
        let deadline = Date().addingTimeInterval(Double(context.standbyWaitSeconds))
        var missing = names
        repeat {
            let back = Set(((try? connection.query(SQLText.standbysStreamingOverSSL).rows) ?? []).compactMap { try? $0.string("application_name") })
            missing = names.filter { !back.contains($0) }
            if missing.isEmpty { break }
            // A standby is usually back within a second; the run's end waits on this look.
            Thread.sleep(forTimeInterval: 0.01)
        } while Date() < deadline
        return Performed(.standbysStreaming(missing: missing), after: ["back_over_ssl": names.filter { !missing.contains($0) }.joined(separator: ",")])
    }

    func confirm(_ expectation: ConfirmationExpectation, record: RunRecord) -> Performed {
        do {
            // 18: logins under the old rules, ended again and what is left read before the sessions, so
            // that one admitted between the two reads is among the sessions.
            let old = try record.milestones.hostsslLoadedAt.map { loaded throws(PostgresError) in
                try OldRuleLogins.endAndList(before: loaded, connection, version: context.server.version) {
                    !(expectation.loopbackPlainAllowed && Session.isLoopback(address: $0))
                }
            }
            let older = old?.left ?? []
            let after = old.map { SessionTermination.journalDetail(($0.ended, $0.left)) } ?? [:]
            let sessions = try ServerInspector(connection: connection).readSessions().filter { $0.isClient && $0.pid != connection.backendPID }
            let counts = SessionCounts(sessions)
            var problems: [String] = []
            let plain = sessions.filter { $0.isPlainTCP && !(expectation.loopbackPlainAllowed && $0.isLoopback) }
            if !plain.isEmpty {
                problems.append("\(plain.count) TCP session(s) still without SSL: " + plain.map { "pid \($0.pid) \($0.user ?? "?")@\($0.clientAddress ?? "?")" }.joined(separator: ", "))
            }
            if !older.isEmpty {
                problems.append("\(older.count) TCP login(s) begun under the old rules (before the hostssl rules were loaded, or within a second after) still in progress after pg_terminate_backend, and the old rules may admit plain text: pid "
                                + older.map(String.init).joined(separator: ", ") + "; once they are gone, any admitted in plain text shows in `status`")
            }
            let versions = TLSVersions.counts(sessions)
            let floor = TLSVersions.rank(expectation.minimumTLS)
            let weak = versions.keys.filter { TLSVersions.rank($0) < floor && $0 != "unknown" }.sorted()
            if !weak.isEmpty { problems.append("sessions on \(weak.joined(separator: ", ")), below the floor \(expectation.minimumTLS)") }
            var evidence = EffectEvidence()
            if plain.isEmpty { evidence.lastPlainGoneAt = Date() }
            evidence.endedLogins = old?.ended ?? []

            let negative = negativeTest(expectation)
            if !negative.hasPrefix("refused") && !negative.hasPrefix("not applicable") { problems.append("negative test: \(negative)") }
            let verifyFull = expectation.caPath.flatMap { verifyFullTest(caPath: $0, names: record.clientNames, proven: record.state.expectedFingerprint) }
            if let verifyFull, !verifyFull.hasPrefix("verified") { problems.append("verify-full test: \(verifyFull)") }
            var confirmation = ConfirmationEvidence(plainTCPSessions: counts.nonSSLTCP + counts.walsendersNonSSL,
                                                       plainLoopbackSessions: counts.nonSSLTCPLoopback, tlsVersions: versions,
                                                       negativeTest: negative, verifyFull: verifyFull, problems: problems)
            // Which terminated clients came back over SSL: the prefer ones moved by themselves. Read after
            // the live tests, which gives reconnecting clients their moment; `status` tells it again later.
            let later = (try? ServerInspector(connection: connection).readSessions()) ?? sessions
            let clients = TerminatedClientsDocument.compare(run: record.run, terminated: record.terminated.filter { !$0.walsender }
                .map { ($0.user, $0.clientAddress, $0.applicationName) }, sessions: later)
            confirmation.movedToSSL = clients.movedToSSL
            confirmation.notBackOverSSL = clients.notBackOverSSL
            evidence.confirmation = confirmation
            return Performed(.confirmationFindings(problems: problems), after: after.isEmpty ? nil : after, evidence: evidence)
        } catch {
            return Performed(.confirmationFindings(problems: [operatorMessage(for: error)]))
        }
    }

    /// A fresh sslmode=disable TCP connection must be refused for lack of
    /// encryption, on an address the policy does not keep plain.
    func negativeTest(_ expectation: ConfirmationExpectation) -> String {
        guard let host = negativeTestHost(loopbackAllowed: expectation.loopbackPlainAllowed) else {
            return "not applicable: the server listens only on loopback, which the policy keeps plain"
        }
        switch PlainTextRefusal.test(context.tcpTarget(host: host)) {
        case .refused(let message): return "refused: \(message)"
        case .admitted: return "a sslmode=disable connection to \(host) was admitted"
        case .otherFailure(let message): return "the sslmode=disable connection to \(host) failed for another reason: \(message)"
        }
    }

    func negativeTestHost(loopbackAllowed: Bool) -> String? {
        func loopback(_ text: String) -> Bool { text.hasPrefix("127.") || text == "::1" || text == "localhost" }
        if context.ownTransport == .tcp, let host = context.tcpHost, !(loopbackAllowed && loopback(host)) { return host }
        let entries = context.server.listenAddresses.split(separator: ",").map { $0.trimmingBlanks }
        if entries.contains(where: { ["*", "0.0.0.0", "::"].contains($0) }) {
            let local = LocalInterfaces.read().map(\.address.description).filter { !loopback($0) && !$0.hasPrefix("fe80") }
            if let address = local.first(where: { !$0.contains(":") }) ?? local.first { return address }
        }
        if let address = entries.first(where: { !$0.isEmpty && !loopback($0) && IPAddress(numeric: $0) != nil }) { return address }
        return loopbackAllowed ? nil : context.tcpHost
    }

    /// verify-full with the known CA, for each name clients use, until one
    /// verifies. Reaching authentication counts: libpq checks the
    /// certificate and the name before it, and keeps its TLS session through
    /// what the server says after (`HandshakeOutcome`), so nothing of the
    /// operator's goes: a throwaway role, no password, no client certificate
    /// (`withoutCredentials`; the address is a listen address, where another
    /// listener may sit). No GSS encryption: libpq takes it in place of TLS
    /// whatever the sslmode, and would verify nothing (docs/POSTGRES.md, "GSS
    /// encryption"). Named in the server's log. The certificate that passed
    /// must be the server's (`proven`, or the one ssl_cert_file names now): a
    /// CA signs more than one server. The CA's path can be the server's
    /// `ssl_ca_file`, which its OS user can point anywhere: it is read once,
    /// as `FileSnapshots` reads (nothing but a regular file opened, a bounded
    /// read), and libpq, which opens `sslrootcert` by path, gets a private
    /// copy (`PrivateCopy`), not a path a FIFO could stop the run at. A CA
    /// that cannot be read so is a problem the confirmation names, not a
    /// test left out unsaid.
    func verifyFullTest(caPath: String, names: [String], proven: String?) -> String? {
        guard let address = context.tcpHost else { return nil }
        let ca = FileSnapshots.read(caPath)
        guard ca.kind == .regular, let bytes = ca.bytes else {
            let found = switch ca.kind {
            case .missing: "missing"
            case .other: "not a regular file"
            case .unreadable, .regular: "unreadable or larger than 64 MiB"
            }
            return "not run: \(caPath), the CA clients verify the server with, is \(found)"
        }
        let copy: PrivateCopy
        do { copy = try PrivateCopy(bytes, name: "root.crt") } catch {
            return "not run: no private copy of \(caPath) for libpq: \(operatorMessage(for: error))"
        }
        // Kept until every attempt is made: the copy is removed when it goes away.
        defer { withExtendedLifetime(copy) {} }
        var failures: [String] = []
        for name in names.isEmpty ? [address] : names {
            let target = context.target.with("host", name).with("hostaddr", address).with("port", String(context.server.port))
                .with("sslmode", "verify-full").with("sslrootcert", copy.path)
                .with("gssencmode", "disable").with("application_name", "pg-ssl-wizard verify-full test")
                .withoutCredentials(role: ProbeCredentials.throwawayRole("verify-full-probe"))
            let outcome = Connection.handshakeOutcome(target, timeoutSeconds: 5)
            if let der = outcome.servedCertificate, case let served = Fingerprint.sha256(der), !isTheServers(served, proven: proven) {
                failures.append("\(name): verified, but the certificate served (SHA-256 \(served)) is not the server's (\(proven ?? "unknown"))")
                continue
            }
            switch outcome {
            case .connected:
                return "verified as \(name) with \(caPath)"
            case .endedAfterTheHandshake(let error, _):
                return "verified as \(name) with \(caPath) (the handshake passed; authentication: \(operatorMessage(for: error)))"
            case .failed(let error):
                failures.append("\(name): \(operatorMessage(for: error))")
            }
        }
        return "no name verified with \(caPath): " + failures.joined(separator: "; ")
    }
}
