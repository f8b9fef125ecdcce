import ArgumentParser
import ClusterFacts
import Foundation

/// Runs `body`; any error becomes one line on stderr and exit code 3
/// (monitoring "unknown"), the code every read-only command uses for bad input.
func failingWithUnknown<T>(_ body: () throws -> T) throws -> T {
    do {
        return try body()
    } catch let exit as ExitCode {
        throw exit
    } catch {
        TerminalText.write("pg-ssl-wizard: \(operatorMessage(for: error))\n", to: .standardError)
        throw ExitCode(3)
    }
}
