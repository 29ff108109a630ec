import CDNNL

/// Element type of a buffer inside an inference plan.
enum PlanElementType: Equatable {
    case float32, bfloat16

    var byteSize: Int { self == .float32 ? 4 : 2 }
    var oneDNNType: dnnl_data_type_t { self == .float32 ? dnnl_f32 : dnnl_bf16 }
}

/// An `[N, H, W, C]` activation inside an inference plan: a whole plan buffer, or a channel range of one
/// (a "view", as the parts of a concatenation are). Values are handles: they hold no data and are only
/// meaningful to the `InferencePlanBuilder` that made them.
///
/// Pixels are `pixelStride` elements apart (the buffer's channel count); a value's channels start at
/// `channelOffset` within each pixel. A value is "dense" when it covers its buffer's channels exactly.
public struct PlanValue: Sendable {
    /// `[N, H, W, C]` of the value.
    public let shape: [Int]
    let buffer: Int
    let version: Int
    let channelOffset: Int
    let pixelStride: Int
    let type: PlanElementType

    var batch: Int { shape[0] }
    var height: Int { shape[1] }
    var width: Int { shape[2] }
    var channels: Int { shape[3] }
    var pixelCount: Int { shape[0] * shape[1] * shape[2] }
    var isDense: Bool { channelOffset == 0 && pixelStride == shape[3] }
}

/// Where a plan buffer's bytes are at run time. Internal buffers point into plan-owned storage for the
/// plan's life; the input and output buffers are the caller's tensors, re-pointed by every run.
final class PlanBufferSlot {
    var pointer: UnsafeMutableRawPointer

    init(_ pointer: UnsafeMutableRawPointer) { self.pointer = pointer }
}

/// A plan buffer as the builder records it: size, element type, role and the span of operations that
/// touch it (for reusing memory between buffers whose lifetimes do not overlap).
struct PlanBufferRecord {
    enum Role { case owned, input, output }
    var elementCount: Int
    var type: PlanElementType
    var role: Role
    var firstUse = Int.max
    var lastUse = -1

    var byteCount: Int { elementCount * type.byteSize }

    mutating func noteUse(at operation: Int) {
        firstUse = min(firstUse, operation)
        lastUse = max(lastUse, operation)
    }
}

/// Assigns plan-owned storage to internal buffers, sharing storage between buffers whose lifetimes (first
/// to last operation touching them) do not overlap: a greedy best-fit over the operation order.
///
/// A buffer freed after operation i is reusable only from operation i + 1 on, so no operation reads and
/// writes two buffers that share memory.
enum PlanBufferAllocator {
    /// One storage per physical buffer, and for each record the index of its storage (nil for the
    /// caller's input and output).
    static func assign(_ records: [PlanBufferRecord], operationCount: Int) -> (storages: [TensorStorage], assignment: [Int?]) {
        var sizes: [Int] = []
        var free: [Int] = []
        var assignment = [Int?](repeating: nil, count: records.count)
        let starting = Dictionary(grouping: records.indices.filter { records[$0].role == .owned && records[$0].lastUse >= 0 },
                                  by: { records[$0].firstUse })
        let ending = Dictionary(grouping: records.indices.filter { records[$0].role == .owned && records[$0].lastUse >= 0 },
                                by: { records[$0].lastUse })
        for operation in 0..<operationCount {
            for record in starting[operation] ?? [] {
                let needed = records[record].byteCount
                let fitting = free.filter { sizes[$0] >= needed }.min { sizes[$0] < sizes[$1] }
                if let chosen = fitting ?? free.max(by: { sizes[$0] < sizes[$1] }) {
                    free.removeAll { $0 == chosen }
                    sizes[chosen] = max(sizes[chosen], needed)
                    assignment[record] = chosen
                } else {
                    sizes.append(needed)
                    assignment[record] = sizes.count - 1
                }
            }
            for record in ending[operation] ?? [] { free.append(assignment[record]!) }
        }
        let storages = sizes.map { TensorStorage(uninitializedCount: ($0 + 3) / 4) }
        return (storages, assignment)
    }
}
