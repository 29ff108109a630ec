import CDNNL

/// The arithmetic of a compiled inference plan's convolutions.
public enum InferencePrecision: String, CaseIterable, Sendable {
    /// Float32 everywhere.
    case float32 = "f32"
    /// bfloat16 activations and weights in the convolutions with Float32 accumulation and Float32 biases;
    /// the final logits are Float32. Needs a CPU with AVX512-BF16 (`isSupportedOnThisCPU`).
    case bfloat16 = "bf16"

    /// Whether oneDNN runs this precision with native kernels on this CPU. Float32 always; bfloat16 only
    /// where oneDNN's effective ISA includes AVX512-BF16 (emulated bf16 would be slower than Float32).
    public var isSupportedOnThisCPU: Bool {
        switch self {
        case .float32: return true
        case .bfloat16:
            _ = OneDNNEngine.shared  // applies the instruction-set ceiling before oneDNN settles its ISA
            let isa = dnnl_get_effective_cpu_isa().rawValue
            let needed = dnnl_cpu_isa_avx512_core_bf16.rawValue
            return isa & needed == needed
        }
    }
}

/// Why an inference plan could not be compiled; the message says what to do instead.
public struct InferencePlanError: Error, CustomStringConvertible, Sendable {
    public let description: String

    public init(_ description: String) { self.description = description }

    /// The CPU lacks the instructions `precision` needs.
    public static func unsupportedPrecision(_ precision: InferencePrecision) -> InferencePlanError {
        InferencePlanError("precision \(precision.rawValue) needs a CPU with AVX512-BF16 instructions, which this one lacks: use --precision f32")
    }
}

/// oneDNN's CPU instruction-set ceiling. oneDNN 2.6 picks AMX kernels for bfloat16 on CPUs that report AMX,
/// and on this project's machines (AMX-capable Xeons in VMs) those kernels die with an illegal instruction;
/// PyTorch's bundled oneDNN stays on AVX512-BF16 there too. The ceiling must be set before oneDNN compiles
/// its first kernel, so `OneDNNEngine` applies it when it is created. Float32 kernels are unaffected.
enum OneDNNInstructionSetLimit {
    static func apply() {
        // Fails (harmlessly) if something compiled a kernel first; the ceiling then stays oneDNN's default.
        _ = dnnl_set_max_cpu_isa(dnnl_cpu_isa_avx512_core_bf16)
    }
}
