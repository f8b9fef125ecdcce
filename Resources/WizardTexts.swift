import Foundation

/// The texts under `Resources/` shipped with the binary: the explanation
/// panels (and the practice scenarios' descriptions). Read once at launch.
public enum WizardTexts {
    /// Screen name (file name without `.md`) -> contents.
    public static func explanations() -> [String: String] { texts(in: "explanations") }

    /// Practice scenario name -> its description and goal.
    public static func scenarios() -> [String: String] { texts(in: "scenarios") }

    static func texts(in directory: String) -> [String: String] {
        guard let folder = Bundle.module.url(forResource: directory, withExtension: nil),
              let names = try? FileManager.default.contentsOfDirectory(atPath: folder.path) else { return [:] }
        var texts: [String: String] = [:]
        for name in names where name.hasSuffix(".md") {
            texts[String(name.dropLast(3))] = try? String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8)
        }
        return texts
    }
}
