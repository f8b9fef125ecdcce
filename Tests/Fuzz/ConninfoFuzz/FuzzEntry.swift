// The fuzz target for connection strings (keyword=value and URIs).
//
// Built with `make fuzz FUZZ=conninfo` (-sanitize=fuzzer -DFUZZING);
// LLVMFuzzerTestOneInput receives the bytes. Built by SwiftPM it is a
// corpus runner over the files given on the command line.
import Foundation
import ClusterFacts
import PostgresClient

/// Every input is tried as it is and with a known password planted in the
/// keyword form and in a URI's userinfo. Whatever libpq makes of it, no
/// message and no description may carry the planted password, and the
/// parse never crashes.
let planted = "Pl4ntedS3cret"

func checkInput(_ bytes: [UInt8]) {
    let input = String(decoding: bytes, as: UTF8.self)
    guard !input.contains(planted), !input.contains("\0") else { return }
    for conninfo in [input, input + " password=" + planted, "password=" + planted + " " + input,
                     "postgresql://app:" + planted + "@" + input] {
        do {
            let target = try ConnectionTarget(conninfo)
            precondition(target.explicitKeywords["password"] == nil, "explicitKeywords never holds the password")
            precondition(!target.redactedDescription.contains(planted), "the description shows the password: \(target.redactedDescription)")
        } catch {
            let message = operatorMessage(for: error)
            precondition(!message.contains(planted), "the error shows the password: \(message)")
        }
    }
}

#if FUZZING
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
