import Executor
import Foundation
import HostIO

/// Runs the built `pg-ssl-wizard` executable as an operator would.
public enum Wizard {
    public static var path: String { TestEnvironment.productsDirectory + "/pg-ssl-wizard" }

    @discardableResult
    public static func run(_ arguments: [String], environment: [String: String] = [:],
                           timeoutSeconds: Double = 120) throws -> ProcessOutput {
        try ProcessRunner.run(path, arguments, environment: environment, inheritEnvironment: true, timeoutSeconds: timeoutSeconds)
    }
}
