import CDNNL

/// A oneDNN stream of its own, so that a compiled plan's executions need not share (and lock) the engine's
/// stream with other threads. Owns and frees the handle.
final class OneDNNStream {
    let handle: dnnl_stream_t

    init() {
        var stream: dnnl_stream_t?
        dnnlRequire(dnnl_stream_create(&stream, OneDNNEngine.shared.engine, dnnl_stream_default_flags.rawValue),
                    "dnnl_stream_create")
        handle = stream!
    }

    deinit { dnnl_stream_destroy(handle) }
}

/// oneDNN post-ops and primitive attributes, built for one primitive descriptor and freed right after.
final class OneDNNAttributes {
    let handle: dnnl_primitive_attr_t

    /// Attributes with a user-managed scratchpad (the plan hands every primitive one shared buffer) and,
    /// in order, a sum post-op (add the destination's previous contents) and a ReLU post-op.
    init(sum: Bool, relu: Bool) {
        var attributes: dnnl_primitive_attr_t?
        dnnlRequire(dnnl_primitive_attr_create(&attributes), "dnnl_primitive_attr_create")
        handle = attributes!
        dnnlRequire(dnnl_primitive_attr_set_scratchpad_mode(handle, dnnl_scratchpad_mode_user),
                    "dnnl_primitive_attr_set_scratchpad_mode")
        guard sum || relu else { return }
        var postOps: dnnl_post_ops_t?
        dnnlRequire(dnnl_post_ops_create(&postOps), "dnnl_post_ops_create")
        if sum { dnnlRequire(dnnl_post_ops_append_sum(postOps, 1), "dnnl_post_ops_append_sum") }
        if relu { dnnlRequire(dnnl_post_ops_append_eltwise(postOps, 1, dnnl_eltwise_relu, 0, 0), "dnnl_post_ops_append_eltwise") }
        dnnlRequire(dnnl_primitive_attr_set_post_ops(handle, postOps), "dnnl_primitive_attr_set_post_ops")
        dnnl_post_ops_destroy(postOps)
    }

    deinit { dnnl_primitive_attr_destroy(handle) }
}

extension OneDNNDescriptor {
    /// A descriptor of logical `dims` with element type `type` laid out as `tag`.
    static func make(_ dims: [Int], _ tag: dnnl_format_tag_t, type: dnnl_data_type_t) -> dnnl_memory_desc_t {
        var descriptor = dnnl_memory_desc_t()
        let cDims = dims.map(Int64.init)
        dnnlRequire(dnnl_memory_desc_init_by_tag(&descriptor, Int32(dims.count), cDims, type, tag),
                    "dnnl_memory_desc_init_by_tag(\(dims))")
        return descriptor
    }
}

extension OneDNNPrimitive {
    /// oneDNN's name of the implementation it picked (e.g. "brg:avx512_core", "ref:any").
    var implementationName: String {
        var name: UnsafePointer<CChar>?
        guard dnnl_primitive_desc_query(descriptor, dnnl_query_impl_info_str, 0, &name) == dnnl_success, let name else {
            return "unknown"
        }
        return String(cString: name)
    }

    /// Bytes of scratchpad the primitive needs (user-managed scratchpad mode), 0 if none.
    var scratchpadByteCount: Int {
        guard let pointer = dnnl_primitive_desc_query_md(descriptor, dnnl_query_scratchpad_md, 0) else { return 0 }
        return OneDNNDescriptor.byteCount(pointer.pointee)
    }
}
