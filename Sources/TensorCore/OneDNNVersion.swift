import CDNNL

/// The version of the oneDNN library this process loaded (the engine is written against oneDNN 2.6's C API).
public enum OneDNNVersion {
    /// "major.minor.patch" as reported by `dnnl_version()` at run time.
    public static var string: String {
        guard let version = dnnl_version()?.pointee else { return "unknown" }
        return "\(version.major).\(version.minor).\(version.patch)"
    }
}
