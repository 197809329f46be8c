import ServiceKit

extension TextRule {
    /// `prefix.key`, or `key` at the top level: a field path for a violation.
    static func join(_ prefix: String, _ key: String) -> String {
        prefix.isEmpty ? key : prefix + "." + key
    }
}
