import Foundation

/// The fuzz targets built by SwiftPM (not by `make fuzz`): every file given
/// on the command line, or in a directory given there, goes through the
/// target's checks once. Returns how many inputs were checked.
public func runCorpus(_ arguments: [String], _ check: ([UInt8]) -> Void) -> Int {
    var count = 0
    for path in arguments {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { continue }
        let files = isDirectory.boolValue
            ? ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).map { path + "/" + $0 }
            : [path]
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            check(Array(data))
            count += 1
        }
    }
    return count
}
