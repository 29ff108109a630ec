import CDNNL

/// A failure reported by oneDNN's C API: the call that failed and oneDNN's status, in words.
///
/// oneDNN 2.6 keeps no error string of its own, so the message is built from the status code. Kernels treat
/// these as programmer errors (a shape the engine should have rejected earlier) and trap with this text.
public struct OneDNNError: Error, CustomStringConvertible, Sendable {
    /// The C function that returned the status, e.g. "dnnl_convolution_forward_desc_init".
    public let call: String
    /// The raw `dnnl_status_t` value.
    public let status: Int

    public var description: String {
        "oneDNN \(call) failed: \(OneDNNError.meaning(of: status)) (status \(status))"
    }

    static func meaning(of status: Int) -> String {
        switch UInt32(truncatingIfNeeded: status) {
        case dnnl_out_of_memory.rawValue: return "out of memory"
        case dnnl_invalid_arguments.rawValue: return "invalid arguments (shapes, strides or formats oneDNN rejects)"
        case dnnl_unimplemented.rawValue: return "no implementation for this configuration on this CPU"
        case dnnl_iterator_ends.rawValue: return "primitive descriptor iterator ended"
        case dnnl_runtime_error.rawValue: return "runtime error inside the library"
        case dnnl_not_required.rawValue: return "queried object is not required"
        default: return "unknown status"
        }
    }

    /// Throws unless `status` is `dnnl_success`.
    static func check(_ status: dnnl_status_t, _ call: @autoclosure () -> String) throws {
        guard status != dnnl_success else { return }
        throw OneDNNError(call: call(), status: Int(status.rawValue))
    }
}

/// Runs a oneDNN call that can only fail through a programmer error in the engine, trapping with oneDNN's status.
func dnnlRequire(_ status: dnnl_status_t, _ call: @autoclosure () -> String) {
    do { try OneDNNError.check(status, call()) } catch { fatalError("\(error)") }
}
