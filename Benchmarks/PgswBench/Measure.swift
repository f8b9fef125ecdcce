import Foundation
import HostIO
import TestSupport

/// Wall-clock timing on the monotonic clock: a benchmark's figures are the
/// median of several repetitions, and every result is reported next to a
/// baseline measured in the same run so that machines can be compared by
/// ratio, not by absolute time.
enum Measure {
    static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// `repetitions` runs after a warm-up, kept for the median and the min-max.
    static func samples(repetitions: Int, _ body: () throws -> Void) rethrows -> [Double] {
        try body()
        var samples: [Double] = []
        for _ in 0..<repetitions { samples.append(try seconds(body)) }
        return samples
    }

    /// Two commands measured in turns, after a warm-up of each, the order
    /// swapped every round: a drift of the machine (another process, the
    /// page cache, a CPU's clock) lands on both, not on whichever ran second.
    static func alternating(repetitions: Int, _ first: () throws -> Void, _ second: () throws -> Void) rethrows -> ([Double], [Double]) {
        try first()
        try second()
        var firsts: [Double] = [], seconds: [Double] = []
        for round in 0..<repetitions {
            if round.isMultiple(of: 2) {
                firsts.append(try Self.seconds(first))
                seconds.append(try Self.seconds(second))
            } else {
                seconds.append(try Self.seconds(second))
                firsts.append(try Self.seconds(first))
            }
        }
        return (firsts, seconds)
    }

    static func median(_ samples: [Double]) -> Double { samples.sorted()[samples.count / 2] }
    static func spread(_ samples: [Double]) -> (Double, Double) { (samples.min() ?? 0, samples.max() ?? 0) }
}

/// One line of a benchmark's result table.
struct BenchmarkResult {
    var name: String
    var seconds: Double
    var baselineName: String
    var baselineSeconds: Double
    /// Min and max of the samples, when the benchmark keeps them.
    var spread: (Double, Double)? = nil
    var baselineSpread: (Double, Double)? = nil
    /// How the values print: seconds as ms by default; memory figures set "MiB" and a scale from KiB.
    var unit = "ms"
    var scale = 1000.0

    var ratio: Double { seconds / baselineSeconds }

    var line: String {
        func padded(_ text: String, _ width: Int) -> String { text.padding(toLength: max(width, text.count), withPad: " ", startingAt: 0) }
        return padded(name, 32) + String(format: "%9.2f \(unit)   ", seconds * scale)
            + (spread.map { String(format: "(%.1f-%.1f)   ", $0.0 * scale, $0.1 * scale) } ?? "")
            + "baseline " + padded(baselineName, 40) + String(format: "%9.2f \(unit)   ", baselineSeconds * scale)
            + (baselineSpread.map { String(format: "(%.1f-%.1f)   ", $0.0 * scale, $0.1 * scale) } ?? "")
            + String(format: "ratio %.3f", ratio)
    }
}

/// A benchmark whose premise did not hold (it measures nothing then).
struct BenchmarkFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension BenchmarkResult {
    /// Median and min-max of both sample sets.
    init(name: String, samples: [Double], baselineName: String, baseline: [Double], unit: String = "ms", scale: Double = 1000) {
        self.init(name: name, seconds: Measure.median(samples), baselineName: baselineName, baselineSeconds: Measure.median(baseline),
                  spread: Measure.spread(samples), baselineSpread: Measure.spread(baseline), unit: unit, scale: scale)
    }
}

/// A whole wizard process under GNU time: its output and its peak resident set.
enum PeakMemory {
    static func run(_ arguments: [String], environment: [String: String] = [:], timeoutSeconds: Double = 300)
        throws -> (output: ProcessOutput, kilobytes: Double) {
        let output = try ProcessRunner.run("/usr/bin/time", ["-f", "maxrss %M", Wizard.path] + arguments,
                                           environment: environment, timeoutSeconds: timeoutSeconds)
        guard let line = output.stderr.split(separator: "\n").last(where: { $0.hasPrefix("maxrss ") }),
              let kilobytes = Double(line.dropFirst("maxrss ".count)) else {
            throw BenchmarkFailure("no maxrss from time for \(arguments.first ?? ""): \(output.stdout)\(output.stderr)")
        }
        return (output, kilobytes)
    }
}
