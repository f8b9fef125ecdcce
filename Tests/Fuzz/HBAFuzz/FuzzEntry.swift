// The fuzz target for the pg_hba.conf tokenizer and parser.
//
// Built with `make fuzz` (-sanitize=fuzzer -DFUZZING): libFuzzer drives
// LLVMFuzzerTestOneInput. Built by SwiftPM it is a corpus runner: every file
// given on the command line goes through the same checks once.
import Foundation
import HBA

/// Parses the bytes for every server version and checks the properties that
/// must hold for any input: no crash, lossless printing, a view row per
/// record, and a rewrite that parses again when the input did.
let includedFiles = InMemoryFiles(["/fuzz/users.txt": "alice, \"bob\"\ncarol"])

func checkInput(_ bytes: [UInt8]) {
    for major in [13, 14, 15, 16, 18] {
        let document = HBADocument(path: "/fuzz/pg_hba.conf", bytes: bytes, context: ParseContext(syntax: ServerSyntax(major: major)),
                                   files: includedFiles)
        precondition(LosslessPrinter.apply([], to: bytes) == bytes, "printing without edits changed the bytes")
        precondition(FileRulesView.rows(of: document).count == document.lines.count, "one view row per record")
        let result = HostsslRewriter.rewrite(document, policy: RewritePolicy(addRejectLines: true))
        if document.isLoadable, let rewritten = result.rewritten[document.path] {
            let again = HBADocument(path: document.path, bytes: rewritten, context: document.context, files: includedFiles)
            precondition(again.rules.count == document.rules.count + 2, "a loadable file stays loadable after the rewrite")
        }
        _ = HBALinter.lint(document)
    }
}

#if FUZZING
// Linked by `make fuzz` with swiftc -sanitize=fuzzer, whose runtime brings
// main; SwiftPM cannot link it because it renames an executable's entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    checkInput(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
#else
import FuzzCorpus

@main
struct CorpusRunner {
    static func main() {
        print("checked \(runCorpus(Array(CommandLine.arguments.dropFirst()), checkInput)) inputs")
    }
}
#endif
