import Foundation

// `make bench`: every benchmark of the project, each printed with the
// baseline it was measured against in the same run.
let selected = Set(CommandLine.arguments.dropFirst())
let benchmarks: [(String, () throws -> [BenchmarkResult])] = [
    ("hba", HBABenchmark.run),
    ("plan", PlanBenchmark.run),
    ("apply", ApplyBenchmark.run),
    ("status", StatusBenchmark.run),
    ("wizard", WizardBenchmark.run),
    ("load", LoadBenchmark.run),
    ("log", LogBenchmark.run),
    ("boundary", BoundaryBenchmark.run),
]
// Run only when named (scripts/layout/profile): it measures nothing.
let namedOnly: [(String, () throws -> [BenchmarkResult])] = [("layout", LayoutWorkload.run)]
let chosen = benchmarks.filter { selected.isEmpty || selected.contains($0.0) } + namedOnly.filter { selected.contains($0.0) }
do {
    for (name, run) in chosen {
        print("== \(name)")
        for result in try run() { print(result.line) }
    }
} catch {
    FileHandle.standardError.write(Data("benchmark failed: \(error)\n".utf8))
    exit(1)
}
