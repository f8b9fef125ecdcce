/// Server settings whose values are secrets. `ssl_passphrase_command` is a
/// command line that often carries the key's passphrase itself (`echo
/// s3cret`, `cat /path`, a vault token); `primary_conninfo` may hold a
/// replication password. Every output that prints settings (status text and
/// JSON, the audit report) shows such a value only as whether it is set.
public enum SecretSettings {
    public static let mask = "********"

    /// Names whose values are never printed. (`ssl_passphrase_command_supports_reload`
    /// is a plain on/off and stays visible.)
    public static let names: Set<String> = ["ssl_passphrase_command", "primary_conninfo"]

    public static func isSecret(_ name: String) -> Bool { names.contains(name.lowercased()) }

    /// The value as outputs show it: masked when the setting is secret and
    /// set, as it is otherwise (an empty value shows that none is set).
    public static func shown(_ name: String, _ value: String) -> String {
        isSecret(name) && !value.isEmpty ? mask : value
    }

    /// The setting with its value as outputs show it.
    public static func masked(_ setting: Setting) -> Setting {
        var copy = setting
        copy.value = shown(setting.name, setting.value)
        if let boot = setting.bootValue { copy.bootValue = shown(setting.name, boot) }
        return copy
    }

    /// `name -> value` pairs with their values as outputs show them.
    public static func masked(_ settings: [String: String]) -> [String: String] {
        Dictionary(uniqueKeysWithValues: settings.map { ($0.key, shown($0.key, $0.value)) })
    }
}
