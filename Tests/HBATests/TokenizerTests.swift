import ClusterFacts
import HBA
import Testing

/// The tokenizer traps of docs/POSTGRES.md, "pg_hba.conf syntax".
struct TokenizerTests {
    @Test func commentsStartAnywhereUnlessQuoted() {
        let view = rows("host all a#b 10.0.0.0/8 md5\nhost all \"a#b\" 10.0.0.0/8 md5\n")
        #expect(view[0].error == "end-of-line before IP address specification")
        #expect(view[1].userName == ["a#b"])
    }

    @Test func blankAfterCommaContinuesTheListBlankBeforeCommaEndsTheField() {
        let joined = rows("host all,  sameuser all 10.0.0.0/8 md5")
        #expect(joined[0].database == ["all", "sameuser"])
        let split = rows("host all ,sameuser all 127.0.0.1/32 md5")
        #expect(split[0].error == "invalid authentication method \"127.0.0.1/32\"")
    }

    @Test func quotesProtectAndDoubleQuotesEscape() {
        let view = rows(#"host "my db","x""y" "a b","c,d" 10.0.0.0/8 md5"#)
        #expect(view[0].database == ["my db", "x\"y"])
        #expect(view[0].userName == ["a b", "c,d"])
        let middle = rows(#"host "x"y all 10.0.0.0/8 md5"#)
        #expect(middle[0].database == ["xy"])
    }

    @Test func quotedKeywordsAreNames() {
        let doc = document(#"host "all" "+grp" all md5"# + "\nhost all +\"grp\" all md5\n")
        #expect(doc.rules[0].databases[0].quoted && !doc.rules[0].databases[0].isKeyword("all"))
        #expect(!doc.rules[0].users[0].isMembershipCheck)
        #expect(doc.rules[1].users[0].isMembershipCheck)
    }

    @Test func continuationFrom14OnWithFirstLineNumbering() {
        let text = "host all all \\\n    10.0.0.0/8 md5\nhost all all 127.0.0.1/32 trust\n"
        let modern = rows(text, version: 14)
        #expect(modern.map(\.lineNumber) == [1, 3])
        #expect(modern[0].address == "10.0.0.0")
        let old = rows(text, version: 13)
        // 13 keeps the backslash: it becomes a host name, and the method is missing.
        #expect(old[0].error == "end-of-line before authentication method")
        #expect(old.count == 3)
        // A backslash followed by a blank is not a continuation.
        #expect(rows("host all all 10.0.0.0/8 md5 \\ \n", version: 15)[0].error == "authentication option not in name=value format: \\")
        // A comment ending in a backslash swallows the next line.
        #expect(rows("# note \\\nhost all all all md5\n", version: 16).isEmpty)
    }

    @Test func crlfAndMissingFinalNewline() {
        let view = rows("host all all 10.0.0.0/8 md5\r\nhost all all 127.0.0.1/32 md5")
        #expect(view.count == 2 && view.allSatisfy { $0.error == nil })
    }

    @Test func tokenLengthLimitsPerVersion() {
        let long = String(repeating: "a", count: 256)
        let text = "host \(long) all 10.0.0.0/8 md5\n"
        #expect(errors(text, version: 13) == ["authentication file token too long"])
        #expect(errors(text, version: 14) == [nil])
        let exact = String(repeating: "b", count: 255)
        #expect(errors("host \(exact) all 10.0.0.0/8 md5\n", version: 13) == [nil])
        let big = String(repeating: "c", count: 10240)
        for version in [14, 15] {
            #expect(errors("host \(big) all 10.0.0.0/8 md5\n", version: version) == ["authentication file token too long"])
        }
        #expect(errors("host \(big) all 10.0.0.0/8 md5\n", version: 16) == [nil])
    }

    @Test func atFilesExpandRelativeToTheReferencingFile() {
        let view = rows("host all @users.txt 10.0.0.0/8 md5\nhost all @missing.txt 10.0.0.0/8 md5\nhost all \"@users.txt\" all md5\n",
                        version: 15, files: ["/etc/pg/users.txt": "# team\nalice, bob\ncarol\n"])
        #expect(view[0].userName == ["alice", "bob", "carol"])
        #expect(view[1].error == "could not open secondary authentication file \"@missing.txt\" as \"/etc/pg/missing.txt\": No such file or directory")
        #expect(view[2].userName == ["@users.txt"])
        let modern = rows("host all @missing.txt 10.0.0.0/8 md5\n", version: 16)
        #expect(modern[0].error == "could not open file \"/etc/pg/missing.txt\": No such file or directory")
    }

    @Test func anEmptyAtFileMakesItsFieldVanish() {
        // The following fields shift left, as in the server.
        let view = rows("host @empty all 10.0.0.0/8 md5\n", version: 15, files: ["/etc/pg/empty": "# nothing\n"])
        // database=all, user=10.0.0.0/8, address=md5 (a host name): no method is left.
        #expect(view[0].error == "end-of-line before authentication method")
    }

    @Test func includeDirectivesOnlyFrom16() {
        let files = ["/etc/pg/extra.conf": "host all all 10.0.0.0/8 md5\n",
                     "/etc/pg/conf.d/10-a.conf": "host all a 10.1.0.0/16 md5\n",
                     "/etc/pg/conf.d/.hidden.conf": "host all h all md5\n",
                     "/etc/pg/conf.d/notes.txt": "garbage\n"]
        let text = "include extra.conf\ninclude_dir conf.d\ninclude_if_exists nope.conf\ninclude missing.conf\nlocal all all peer\n"
        let modern = rows(text, version: 16, files: files)
        #expect(modern.map(\.fileName) == ["/etc/pg/extra.conf", "/etc/pg/conf.d/10-a.conf", "/etc/pg/pg_hba.conf", "/etc/pg/pg_hba.conf"])
        #expect(modern[2].error == "could not open file \"/etc/pg/missing.conf\": No such file or directory")
        #expect(modern.map(\.ruleNumber) == [1, 2, nil, 3])
        let old = rows(text, version: 15, files: files)
        #expect(old[0].error == "invalid connection type \"include\"")
    }

    @Test func nulBytesAreFlaggedNotGuessed() {
        let doc = document("host all all\u{0} 10.0.0.0/8 md5\n")
        #expect(doc.hasUnpredictableLines)
        #expect(!doc.isLoadable)
    }
}
