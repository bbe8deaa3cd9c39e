/// Facts about this build of Amalgam.
public enum AmalgamInfo {
    /// The version printed by `amalgam --version` and `am.version`.
    public static let version = "0.1.0"
}
