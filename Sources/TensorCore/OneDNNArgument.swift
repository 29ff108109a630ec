/// Execution-argument indices of oneDNN (`DNNL_ARG_*`). The C header defines several of them through other
/// macros, which Swift does not import, so the values are restated here from `dnnl_types.h`.
enum OneDNNArgument {
    static let source: Int32 = 1
    static let destination: Int32 = 17
    static let weights: Int32 = 33
    static let bias: Int32 = 41
    static let mean: Int32 = 49
    static let variance: Int32 = 50
    static let scale: Int32 = 51
    static let shift: Int32 = 52
    static let workspace: Int32 = 64
    static let scratchpad: Int32 = 80
    static let sourceGradient: Int32 = 129
    static let destinationGradient: Int32 = 145
    static let weightsGradient: Int32 = 161
    static let biasGradient: Int32 = 169
}
