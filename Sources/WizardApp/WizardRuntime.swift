import ClusterFacts
import Enforcement
import Foundation
import HostIO
import PostgresClient
import WizardUI

/// The wizard's input loop: keys and inbox events through `update`, the
/// commands to the worker, the model drawn after each change. The
/// terminal is restored on every way out.
public enum WizardRuntime {
    /// Exit code: 0 enforced or quit before a run, 1 the run was put back, 2 left incomplete or
    /// unfinished, 4 a rollback failed, 128 + n after signal n.
    public static func run(_ options: WizardOptions, environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Int32 {
        try NCursesTerminal.check(environment: environment)
        let timings = Timings(environment: environment)
        let inbox = Inbox()
        let launch = try WizardLaunch.prepare(options, inbox: inbox)
        let terminal = try NCursesTerminal(environment: environment)
        defer { terminal.restore() }
        let size = terminal.size
        let started = Date()
        var zone = LocalClockZone.at(started)
        var model = WizardModel(content: launch.content, rows: size.rows, columns: size.columns, now: started, clockZone: zone,
                                box: BoxDrawing.forLocale(environment), resuming: launch.resumedState, runName: launch.runName)
        let watcher = SessionWatcher(target: options.target, inbox: inbox)
        watcher.start()
        defer { watcher.stop() }
        terminal.draw(WizardView.render(model))
        timings.firstFrame()

        var lastTick = Date()
        while !model.wantsQuit {
            let input = terminal.read()
            let keyStarted = DispatchTime.now()
            var events: [WizardEvent] = []
            switch input {
            case .key(let key): events.append(.key(key))
            case .resize(let rows, let columns): events.append(.resize(rows: rows, columns: columns))
            case .signal(let number):
                // SIGTERM/SIGHUP: stop after the effect under way, then leave; the run resumes later.
                launch.worker.perform(.stopAfterCurrentEffect)
                launch.worker.drain()
                return 128 + number
            case nil: break
            }
            let now = Date()
            // Before the batch's other events, so that their log lines carry it.
            let current = LocalClockZone.at(now)
            if current != zone {
                zone = current
                events.append(.clockZone(current))
            }
            events += inbox.take()
            if now.timeIntervalSince(lastTick) >= 1 {
                events.append(.tick(now))
                lastTick = now
            }
            guard !events.isEmpty else { continue }
            let before = model
            for event in events {
                for command in model.update(event) { launch.worker.perform(command) }
            }
            if model != before {
                terminal.draw(WizardView.render(model), fullRepaint: timings.fullRepaint)
                if case .key = input { timings.key(since: keyStarted) }
            }
        }
        launch.worker.drain()
        timings.peakMemory()
        return exitCode(model.run)
    }

    static func exitCode(_ run: RunState?) -> Int32 {
        guard let run else { return 0 }
        // Quit with the run unfinished: 2, like an incomplete apply; the next start resumes it.
        guard case .finished(let outcome) = run.stage else { return 2 }
        return outcome.exitCode
    }
}

/// Benchmark hooks (PGSW_WIZARD_TIMINGS=file): time to the first frame
/// from PGSW_LAUNCHED_AT (ns since the epoch, set by the launcher), and
/// each key's update + render + draw. PGSW_FULL_REPAINT=1 copies every
/// cell, the baseline the changed-cell copy is compared with.
struct Timings {
    let file: FileHandle?
    let launchedAt: UInt64?
    let fullRepaint: Bool

    init(environment: [String: String]) {
        file = environment["PGSW_WIZARD_TIMINGS"].flatMap(Self.open)
        launchedAt = environment["PGSW_LAUNCHED_AT"].flatMap(UInt64.init)
        fullRepaint = environment["PGSW_FULL_REPAINT"] == "1"
    }

    /// Made new, 0600, in a directory reached through `SafePath` (no link on
    /// the way that another user could have made), and written through its
    /// descriptor only: the wizard runs as root, and the path may be in a
    /// directory others can write. It was created by path and opened by path
    /// again, a window for a link to send the writes elsewhere. A name that
    /// is already taken (a file, a link, a FIFO) is no timings file: nothing
    /// there is reused or emptied.
    static func open(_ path: String) -> FileHandle? {
        guard let (directory, name) = try? SafePath.parent(of: path) else { return nil }
        defer { close(directory) }
        let descriptor = openat(directory, name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0o600)
        return descriptor >= 0 ? FileHandle(fileDescriptor: descriptor, closeOnDealloc: true) : nil
    }

    /// A line, or nothing: a full disk or an I/O error must not end the wizard.
    private func write(_ line: String) {
        try? file?.write(contentsOf: Data(line.utf8))
    }

    func firstFrame() {
        guard file != nil, let launchedAt else { return }
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        write("first_frame_ms \(Double(now &- launchedAt) / 1e6)\n")
    }

    /// VmHWM of /proc/self/status: the most memory the wizard held.
    func peakMemory() {
        guard file != nil, let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8),
              let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmHWM:") }),
              let kilobytes = line.split(separator: " ").dropFirst().first else { return }
        write("peak_rss_kb \(kilobytes)\n")
    }

    func key(since start: DispatchTime) {
        guard file != nil else { return }
        write("key_ms \(Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e6)\n")
    }
}
