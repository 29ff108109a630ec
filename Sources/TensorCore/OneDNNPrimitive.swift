import CDNNL
import Foundation

/// One compiled oneDNN primitive together with its primitive descriptor. Owns and frees both.
///
/// Every creation increments `TensorEngine.primitiveCreationCount`, which tests use to show that a
/// training loop compiles nothing after its first step.
final class OneDNNPrimitive {
    let descriptor: dnnl_primitive_desc_t
    let primitive: dnnl_primitive_t

    /// Creates the primitive for `descriptor`, taking ownership of the descriptor.
    init(descriptor: dnnl_primitive_desc_t) {
        // oneDNN sizes a primitive's work split by the OpenMP thread count it sees when compiling it.
        TensorEngine.applyThreadCountToCurrentThread()
        var primitive: dnnl_primitive_t?
        dnnlRequire(dnnl_primitive_create(&primitive, descriptor), "dnnl_primitive_create")
        self.descriptor = descriptor
        self.primitive = primitive!
        TensorEngine.notePrimitiveCreated()
    }

    /// A reorder between two layouts of the same logical tensor.
    convenience init(reorderFrom source: dnnl_memory_desc_t, to destination: dnnl_memory_desc_t) {
        var source = source, destination = destination
        let engine = OneDNNEngine.shared.engine
        var descriptor: dnnl_primitive_desc_t?
        dnnlRequire(dnnl_reorder_primitive_desc_create(&descriptor, &source, engine, &destination, engine, nil),
                    "dnnl_reorder_primitive_desc_create")
        self.init(descriptor: descriptor!)
    }

    deinit {
        dnnl_primitive_destroy(primitive)
        dnnl_primitive_desc_destroy(descriptor)
    }

    /// The memory descriptor the primitive chose for `query` (e.g. `dnnl_query_weights_md`).
    func memoryDescriptor(_ query: dnnl_query_t, index: Int32 = 0) -> dnnl_memory_desc_t {
        guard let pointer = dnnl_primitive_desc_query_md(descriptor, query, index) else {
            preconditionFailure("oneDNN primitive has no memory descriptor for query \(query.rawValue)")
        }
        return pointer.pointee
    }

    /// Serialises executions on the engine's single stream, which oneDNN does not make thread-safe. Each
    /// execution already uses all `TensorEngine.threadCount` threads, so little is lost.
    private static let streamLock = NSLock()

    /// Runs the primitive on `arguments` (argument index, memory) and waits for it to finish.
    func execute(_ arguments: [(Int32, OneDNNMemory)]) {
        OneDNNPrimitive.streamLock.lock()
        defer { OneDNNPrimitive.streamLock.unlock() }
        TensorEngine.applyThreadCountToCurrentThread()
        let cArguments = arguments.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.handle) }
        let engine = OneDNNEngine.shared
        dnnlRequire(dnnl_primitive_execute(primitive, engine.stream, Int32(cArguments.count), cArguments),
                    "dnnl_primitive_execute")
        dnnlRequire(dnnl_stream_wait(engine.stream), "dnnl_stream_wait")
        withExtendedLifetime(arguments) {}
    }
}
