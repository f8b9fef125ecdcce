import Executor
import Foundation
import HostIO
import Testing
import TestSupport

/// The shipped playbooks pass ansible-lint's production profile, and
/// ansible-playbook's own syntax check (issue 23).
struct AnsibleLintTests {
    @Test func theShippedPlaybooksPassLintAndTheSyntaxCheck() throws {
        let directory = TestEnvironment.packageRoot() + "/contrib/ansible"
        for tool in ["/usr/bin/ansible-playbook", "/usr/bin/ansible-lint"] where !FileManager.default.isExecutableFile(atPath: tool) {
            throw TestEnvironment.Missing(description: "\(tool) is not installed (make deps installs ansible-core and ansible-lint)")
        }
        let scratch = try TestEnvironment.scratchDirectory()
        let environment = ["ANSIBLE_CONFIG": directory + "/ansible.cfg", "ANSIBLE_NOCOLOR": "1", "NO_COLOR": "1", "HOME": scratch,
                           "ANSIBLE_LOCAL_TEMP": scratch + "/tmp"]
        let syntax = try ProcessRunner.run("/usr/bin/ansible-playbook", ["-i", directory + "/inventory.example.yml", "--syntax-check",
                                                                          directory + "/enforce-ssl.yml", directory + "/rollback.yml"],
                                           environment: environment, inheritEnvironment: true)
        #expect(syntax.exitCode == 0, "\(syntax.stdout)\(syntax.stderr)")
        let lint = try ProcessRunner.run("/usr/bin/ansible-lint", ["--offline", "--profile", "production",
                                                                    directory + "/enforce-ssl.yml", directory + "/rollback.yml"],
                                         environment: environment, inheritEnvironment: true, timeoutSeconds: 300)
        #expect(lint.exitCode == 0 && (lint.stdout + lint.stderr).contains("Passed"), "\(lint.stdout)\(lint.stderr)")
    }
}
