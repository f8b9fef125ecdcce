import ClusterFacts
import Foundation
@testable import PostgresClient
import Testing
import TestSupport

/// libpq quotes a malformed URI whole, password included; what the operator
/// reads must not. Also the fuzz corpus through the fuzz target's properties.
struct ConninfoScrubberTests {
    static func message(_ conninfo: String) -> String? {
        do {
            _ = try ConnectionTarget(conninfo)
            return nil
        } catch {
            return operatorMessage(for: error)
        }
    }

    @Test(arguments: [
        "postgresql://app:Sup3rSecretPw@[::1",
        "postgresql://app:Sup3rSecretPw@[::1]:5432/db?nosuch=1",
        "postgres://app:Sup3rSecretPw@h/db?sslmode",
        "host=h password=Sup3rSecretPw port=5432 x",
        "host=h password='Sup3rSecretPw",
        // Found by a review: libpq percent-decodes the names of a URI's query parameters.
        "postgresql://[]/db?pass%77ord=Sup3rSecretPw",
        "postgresql://[]/db?sslmode=disable&%70assword=Sup3rSecretPw",
        // A mark after `&` hides nothing from libpq, which splits on the byte.
        "postgresql://[]/db?sslmode=disable&\u{301}pass%77ord=Sup3rSecretPw",
    ])
    func malformedStringsNeverShowThePassword(_ conninfo: String) throws {
        let text = try #require(Self.message(conninfo), "\(conninfo) should not parse")
        #expect(!text.contains("Sup3rSecretPw"), "\(text)")
    }

    @Test func theURIKeepsEverythingButThePassword() throws {
        let text = try #require(Self.message("postgresql://app:Sup3rSecretPw@[::1"))
        #expect(text.contains("postgresql://app:********@[::1"), "\(text)")
    }

    @Test func aShortPasswordIsMaskedWithoutManglingWords() throws {
        let text = try #require(Self.message("postgresql://app:pa@[::1"))
        #expect(text.contains("app:********@") && text.contains("IPv6 host address"), "\(text)")
    }

    /// The conninfo fuzz corpus (make fuzz FUZZ=conninfo starts from it) under
    /// the fuzz target's properties: a password planted in each shape never
    /// reaches a message or a description.
    @Test func theFuzzCorpusKeepsPlantedPasswordsOut() throws {
        let directory = TestEnvironment.packageRoot() + "/Tests/PostgresClientTests/ConninfoCorpus"
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files.count >= 10)
        for file in files {
            let input = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            for conninfo in [input + " password=Pl4ntedS3cret", "postgresql://app:Pl4ntedS3cret@" + input] {
                if let text = Self.message(conninfo) {
                    #expect(!text.contains("Pl4ntedS3cret"), "\(file): \(text)")
                } else {
                    let target = try ConnectionTarget(conninfo)
                    #expect(target.explicitKeywords["password"] == nil && !target.redactedDescription.contains("Pl4ntedS3cret"), "\(file)")
                }
            }
        }
    }

    /// Passwords written with blanks, quotes, percent-encoding, `@` or `/`,
    /// under a misspelt or ssl keyword: libpq either fails and quotes the
    /// string (or a part of it), or parses it into other keywords that the
    /// description shows. No part of the password may show.
    @Test(arguments: [
        // libpq's message quotes the URI or a part of the value.
        "postgresql://app:Sup3r Secr3t@[::1",
        "postgresql://app:\"Sup3r Secr3t\"@[::1",
        "postgresql://my app:Sup3rSecr3t@[::1",
        "postgresql://app:Sup3r%2 0Secr3t@h/db",
        "host=h password=Sup3r Secr3t",
        "host=h password=\"Sup3r Secr3t\"",
        "host=h password = \"Sup3r Secr3t\" port=5432",
        "host=h sslpassword=Sup3r Secr3t",
        // libpq parses these; the description shows what it made of them.
        "postgresql://app:Sup3r@Secr3t@h/db",
        "postgresql://app:Sup3r/Secr3t@h/db",
        "dbname='x password=Sup3r\\ Secr3t' host=h",
    ])
    func noPartOfAPasswordShows(_ conninfo: String) throws {
        let shown: String
        if let message = Self.message(conninfo) {
            shown = message
        } else {
            let target = try ConnectionTarget(conninfo)
            #expect(target.explicitKeywords["password"] == nil)
            shown = target.redactedDescription
        }
        for part in ["Sup3r", "Secr3t"] {
            #expect(!shown.contains(part), "\(conninfo) -> \(shown)")
        }
    }

    @Test func theURIAndTheKeywordsKeepEverythingButThePassword() throws {
        let uri = try #require(Self.message("postgresql://my app:\"Sup3r Secr3t\"@[::1"))
        #expect(uri.contains("\"postgresql://my app:********@[::1\""), "\(uri)")
        let keyword = try #require(Self.message("host=h password=\"Sup3r Secr3t\""))
        #expect(keyword.contains("missing \"=\" after \"********\""), "\(keyword)")
        let description = try ConnectionTarget("postgresql://app:Sup3r/Secr3t@h/db").redactedDescription
        #expect(description == "host=app port=******** dbname=********@h/db", "\(description)")
    }

    /// libpq reads `'se\'cret'` as `se'cret` (a backslash escapes the next
    /// character, in quotes or not); a message or description that quotes
    /// the value shows it that way.
    @Test func backslashEscapesAreReadAsLibpqReadsThem() {
        #expect(ConninfoScrubber.secrets(in: "host=h password='Sup3r\\'Secr3t' user=app").contains("Sup3r'Secr3t"))
        #expect(ConninfoScrubber.secrets(in: "host=h password=Sup3r\\ Secr3t user=app").contains("Sup3r Secr3t"))
        let message = ConninfoScrubber.scrub("server said \"Sup3r'Secr3t\"", conninfo: "host=h password='Sup3r\\'Secr3t'")
        #expect(message == "server said \"********\"", "\(message)")
    }

    /// Secrets the wizard adds as keywords (PGPASSWORD-like overrides,
    /// `sslpassword`) are masked as written and word by word.
    @Test func overriddenSecretsAreMasked() throws {
        let target = try ConnectionTarget("host=h").with("sslpassword", "Key Pa55phrase").with("password", "Sup3r Secr3t")
        let secrets = ConninfoScrubber.secrets(of: target.overrides)
        #expect(Set(secrets) == ["Key Pa55phrase", "Sup3r Secr3t"])
        let message = ConninfoScrubber.scrub("could not use \"Pa55phrase\" and \"Secr3t\"", conninfo: target.conninfo, extraSecrets: secrets)
        #expect(!message.contains("Pa55phrase") && !message.contains("Secr3t"), "\(message)")
    }

    /// The fuzz corpus with a two-word password planted in every shape above
    /// (the fuzz target plants one word in two shapes).
    @Test func theFuzzCorpusKeepsPasswordsOutInEveryShape() throws {
        let directory = TestEnvironment.packageRoot() + "/Tests/PostgresClientTests/ConninfoCorpus"
        let (first, second) = ("Pl4nted", "S3cretX")
        let shapes: [(String) -> String] = [
            { "postgresql://app:\(first) \(second)@" + $0 },
            { "postgresql://app:\"\(first) \(second)\"@" + $0 },
            { "postgresql://app:\(first)%20\(second)@" + $0 },
            { "postgresql://app:\(first)@\(second)@" + $0 },
            { $0 + " password='\(first)\\' \(second)'" },
            { $0 + " password=\"\(first) \(second)\"" },
            { $0 + " password=\(first)\\ \(second)" },
            { $0 + " password=\(first) \(second)" },
            { "password=\(first) \(second) " + $0 },
            { $0 + " sslpassword='\(first) \(second)'" },
            { "postgresql://app@" + $0 + "?pass%77ord=\(first)%20\(second)" },
        ]
        let files = try FileManager.default.contentsOfDirectory(atPath: directory)
        #expect(files.count >= 20)
        for file in files {
            let input = try String(contentsOfFile: directory + "/" + file, encoding: .utf8)
            for shape in shapes {
                let conninfo = shape(input)
                let shown = try Self.message(conninfo) ?? ConnectionTarget(conninfo).redactedDescription
                #expect(!shown.contains(first) && !shown.contains(second), "\(file): \(conninfo) -> \(shown)")
            }
        }
    }
}

/// `secrets(in:)` skips the patterns for strings that cannot hold a secret;
/// it must find exactly what the whole scan finds, on the fuzz corpus and
/// on generated strings made of the letters of the secret names.
struct ConninfoShortcutTests {
    @Test func theShortcutFindsWhatTheWholeScanFinds() throws {
        let directory = TestEnvironment.packageRoot() + "/Tests/PostgresClientTests/ConninfoCorpus"
        let corpus = try FileManager.default.contentsOfDirectory(atPath: directory).map {
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory + "/" + $0)), as: UTF8.self)
        }
        var state: UInt64 = 24
        func next(_ bound: Int) -> Int {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int((state >> 33) % UInt64(bound))
        }
        let pieces = ["pass", "w", "PASSW", "secret", "SeCrEt", "pwd", "PwD", "ord", "=", "'", "\"", " ", ":", "/", "//", "@",
                      "host", "postgres", "ql", "x", "\\", "&", "ſ", "ß", "sslpassword", "paſsword", "dbname=", "1", "\\", "\\/"]
        let generated = (0..<20_000).map { _ in (0..<next(8) + 1).map { _ in pieces[next(pieces.count)] }.joined() }
        var skipped = 0, withSecrets = 0
        for (index, conninfo) in (corpus + generated).enumerated() {
            let whole = ConninfoScrubber.secretsInWhole(conninfo)
            #expect(ConninfoScrubber.secrets(in: conninfo) == whole, "\(conninfo)")
            // A message quoting another string, scrubbed against this one (every 10th: the whole scrub is slow).
            if index % 10 == 0 {
                let message = "connection to \"" + generated[index % generated.count] + "\" failed: " + conninfo
                #expect(ConninfoScrubber.scrub(message, conninfo: conninfo) == ConninfoScrubber.scrubInWhole(message, conninfo: conninfo),
                        "\(message)")
            }
            if !ConninfoScrubber.mayHoldSecret(conninfo) { skipped += 1 }
            if !whole.isEmpty { withSecrets += 1 }
        }
        // Found by a review: libpq's unescaping turns `1pass\word=x` into a
        // value naming a password, which the shortcut alone did not see.
        for conninfo in ["dbname=1pass\\word=hunter2", "dbname='1pass\\word=hunter2'"] {
            #expect(ConninfoScrubber.secrets(in: conninfo).contains("hunter2"), "\(conninfo)")
            let message = ConninfoScrubber.scrub("database \"1password=hunter2\" does not exist", conninfo: conninfo)
            #expect(!message.contains("hunter2"), "\(message)")
        }
        // Both sides of the shortcut must be exercised, or this proves nothing.
        #expect(skipped > 1_000 && withSecrets > 500, "skipped \(skipped), with secrets \(withSecrets)")
    }
}
