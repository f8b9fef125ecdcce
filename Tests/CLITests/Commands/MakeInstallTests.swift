import Executor
import Foundation
import HostIO
import Testing
import TestSupport

/// `make install` into a temporary prefix (issue 25, item 7): the binary,
/// stamped with the commit it was built from (`--version` says so), bash,
/// zsh and fish completions and a man page. The build tree's own binary says
/// it is not stamped.
struct MakeInstallTests {
    @Test func installPutsTheStampedBinaryCompletionsAndManPageUnderThePrefix() throws {
        let root = TestEnvironment.packageRoot()
        let prefix = try TestEnvironment.scratchDirectory() + "/prefix"
        let install = try ProcessRunner.run("/usr/bin/make", ["-C", root, "install", "PREFIX=" + prefix, "INSTALL_FROM=" + Wizard.path],
                                            inheritEnvironment: true, timeoutSeconds: 300)
        #expect(install.exitCode == 0, "\(install.stdout)\(install.stderr)")
        let commit = try ProcessRunner.checked("/usr/bin/git", ["-C", root, "rev-parse", "HEAD"], inheritEnvironment: true)
            .stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let installed = prefix + "/bin/pg-ssl-wizard"
        let version = try ProcessRunner.run(installed, ["--version"], inheritEnvironment: true)
        #expect(version.exitCode == 0 && version.stdout.contains("pg-ssl-wizard 0.9.0 (commit \(commit))"), "\(version.stdout)")
        #expect(try Wizard.run(["--version"]).stdout.contains("commit unknown"), "the build tree's binary is not stamped")
        let files: [(String, String)] = [
            ("/share/bash-completion/completions/pg-ssl-wizard", "pg-ssl-wizard"),
            ("/share/zsh/site-functions/_pg-ssl-wizard", "#compdef pg-ssl-wizard"),
            ("/share/fish/vendor_completions.d/pg-ssl-wizard.fish", "complete -c 'pg-ssl-wizard'"),
            ("/share/man/man1/pg-ssl-wizard.1", ".TH PG-SSL-WIZARD \"1\""),
        ]
        for (path, mark) in files {
            let text = (try? String(contentsOfFile: prefix + path, encoding: .utf8)) ?? ""
            #expect(text.contains(mark), "\(path) holds \(mark)")
        }
        var info = stat()
        #expect(stat(installed, &info) == 0 && info.st_mode & 0o777 == 0o755)
    }
}
