import CDNNL
import Foundation

/// The process-wide oneDNN CPU engine and its stream. Owns both handles.
final class OneDNNEngine: @unchecked Sendable {
    static let shared = OneDNNEngine()

    let engine: dnnl_engine_t
    let stream: dnnl_stream_t

    private init() {
        OneDNNInstructionSetLimit.apply()
        var engine: dnnl_engine_t?
        dnnlRequire(dnnl_engine_create(&engine, dnnl_cpu, 0), "dnnl_engine_create")
        var stream: dnnl_stream_t?
        dnnlRequire(dnnl_stream_create(&stream, engine, dnnl_stream_default_flags.rawValue), "dnnl_stream_create")
        self.engine = engine!
        self.stream = stream!
    }

    deinit {
        dnnl_stream_destroy(stream)
        dnnl_engine_destroy(engine)
    }
}

/// A oneDNN memory object over a buffer someone else owns (a tensor's storage or a plan's scratch buffer).
/// Creating one does not allocate; the wrapper destroys the handle, never the buffer.
final class OneDNNMemory {
    let handle: dnnl_memory_t

    init(_ descriptor: dnnl_memory_desc_t, _ pointer: UnsafeMutableRawPointer) {
        var descriptor = descriptor
        var handle: dnnl_memory_t?
        dnnlRequire(dnnl_memory_create(&handle, &descriptor, OneDNNEngine.shared.engine, pointer), "dnnl_memory_create")
        self.handle = handle!
    }

    deinit { dnnl_memory_destroy(handle) }
}

/// Builders for oneDNN memory descriptors from Swift dimension lists.
enum OneDNNDescriptor {
    /// A Float32 descriptor of logical `dims` (oneDNN order: N, C, H, W or O, I, KH, KW) laid out as `tag`.
    static func make(_ dims: [Int], _ tag: dnnl_format_tag_t) -> dnnl_memory_desc_t {
        var descriptor = dnnl_memory_desc_t()
        let cDims = dims.map(Int64.init)
        dnnlRequire(dnnl_memory_desc_init_by_tag(&descriptor, Int32(dims.count), cDims, dnnl_f32, tag),
                    "dnnl_memory_desc_init_by_tag(\(dims))")
        return descriptor
    }

    static func equal(_ lhs: dnnl_memory_desc_t, _ rhs: dnnl_memory_desc_t) -> Bool {
        var lhs = lhs, rhs = rhs
        return dnnl_memory_desc_equal(&lhs, &rhs) != 0
    }

    /// Bytes a buffer in this layout needs (blocked layouts may pad channels).
    static func byteCount(_ descriptor: dnnl_memory_desc_t) -> Int {
        var descriptor = descriptor
        return dnnl_memory_desc_get_size(&descriptor)
    }
}
