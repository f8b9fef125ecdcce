import ClusterFacts

/// Step 0: what stops the run before anything changes (lock-out aside).
enum PreflightCheck {
    static func problems(_ input: PlanningInput, certificates: CertificateStepPlan, settings: SettingsPlan, hba: HBAPlan) -> [String] {
        let snapshot = input.snapshot
        var problems: [String] = []
        if !snapshot.server.version.isSupported {
            problems.append("PostgreSQL \(snapshot.server.version) is outside the versions this wizard knows (\(ServerVersion.oldestSupportedMajor)-\(ServerVersion.newestSupportedMajor))")
        }
        if !snapshot.privileges.isSuperuser {
            problems.append("the role \(snapshot.privileges.role) is not a superuser: ALTER SYSTEM, pg_reload_conf() and pg_hba_file_rules need one; connect as a superuser (for example postgres over the unix socket)")
        }
        for error in snapshot.fileSettingErrors {
            problems.append("\(error.sourceFile) line \(error.sourceLine): \(error.error ?? "error"); while any configuration file has an error a reload applies no setting but still loads pg_hba.conf, so fix it first")
        }
        if hba.result.hasChanges, let problem = snapshot.fileAccess.hbaWriteProblem {
            problems.append(problem)
        }
        problems += certificates.problems
        problems += settings.problems
        problems += hba.problems
        return problems
    }
}
