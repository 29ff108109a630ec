import CDNNL
import Foundation

/// One step of a compiled plan: a oneDNN primitive with its arguments bound once, or a Swift kernel.
enum PlanStep {
    case primitive(PlanPrimitiveStep)
    case kernel(() -> Void)
    /// Several steps built for one operation (a convolution between reorders of its activations).
    case group([PlanStep])

    var flattened: [PlanStep] {
        if case .group(let steps) = self { return steps.flatMap(\.flattened) }
        return [self]
    }
}

/// A primitive with its execution arguments prepared at compile time, so a run passes a stored array of
/// `dnnl_exec_arg_t` and allocates nothing.
final class PlanPrimitiveStep {
    enum Kind { case convolution, other }
    let primitive: OneDNNPrimitive
    let kind: Kind
    let flops: Double
    let note: String?
    let memories: [OneDNNMemory]
    let arguments: [dnnl_exec_arg_t]
    /// Whatever owns the primitive and the memory the arguments point at (weights, bias).
    let owner: AnyObject

    init(primitive: OneDNNPrimitive, kind: Kind, flops: Double, note: String?, memories: [(Int32, OneDNNMemory)], owner: AnyObject) {
        self.primitive = primitive
        self.kind = kind
        self.flops = flops
        self.note = note
        self.memories = memories.map(\.1)
        arguments = memories.map { dnnl_exec_arg_t(arg: $0.0, memory: $0.1.handle) }
        self.owner = owner
    }
}

/// What the builder's operations need while a plan is compiled: each buffer's slot, the memory objects
/// that must follow the caller's input and output tensors, and the shared scratchpad.
final class PlanCompilation {
    let slots: [PlanBufferSlot]
    let scratchpad: PlanBufferSlot
    var scratchpadByteCount = 0
    /// Memory objects over the caller's tensors (re-pointed every run) with their slot and byte offset.
    var externalMemories: [(memory: OneDNNMemory, slot: PlanBufferSlot)] = []
    /// Memory objects over the scratchpad, re-pointed once its final size is known.
    var scratchpadMemories: [OneDNNMemory] = []
    let roles: [PlanBufferRecord.Role]

    init(slots: [PlanBufferSlot], roles: [PlanBufferRecord.Role], scratchpad: PlanBufferSlot) {
        self.slots = slots
        self.roles = roles
        self.scratchpad = scratchpad
    }

    func address(_ value: PlanValue) -> PlanAddress { PlanAddress(value, slots[value.buffer]) }

    func primitiveStep(_ primitive: OneDNNPrimitive, kind: PlanPrimitiveStep.Kind, flops: Double, owner: AnyObject,
                       arguments: [(Int32, dnnl_memory_desc_t, PlanValue)], fixed: [(Int32, OneDNNMemory)],
                       note: String?) -> PlanStep {
        var memories = fixed
        for (index, descriptor, value) in arguments {
            precondition(value.isDense, "InferencePlan: a oneDNN primitive argument must be a dense value, got a channel range of \(value.shape)")
            let slot = slots[value.buffer]
            let memory = OneDNNMemory(descriptor, slot.pointer)
            if roles[value.buffer] != .owned { externalMemories.append((memory, slot)) }
            memories.append((index, memory))
        }
        let scratchpadBytes = primitive.scratchpadByteCount
        if scratchpadBytes > 0 {
            scratchpadByteCount = max(scratchpadByteCount, scratchpadBytes)
            let descriptor = dnnl_primitive_desc_query_md(primitive.descriptor, dnnl_query_scratchpad_md, 0)!.pointee
            let memory = OneDNNMemory(descriptor, scratchpad.pointer)
            scratchpadMemories.append(memory)
            memories.append((OneDNNArgument.scratchpad, memory))
        }
        return .primitive(PlanPrimitiveStep(primitive: primitive, kind: kind, flops: flops, note: note, memories: memories, owner: owner))
    }
}

/// A network compiled for one input shape: every oneDNN primitive created, every weight reordered and
/// every activation buffer allocated once, when it was built (`InferencePlanBuilder.compile`). A run
/// creates no primitive and allocates no activation memory; it writes the result into the caller's tensor.
///
/// Runs are serialised by the plan (its buffers are shared between runs); use one plan per thread for
/// concurrent runs. The plan executes on a oneDNN stream of its own with `TensorEngine.threadCount` threads.
public final class InferencePlan {
    public let precision: InferencePrecision
    /// `[N, H, W, C]` of the input `run` accepts.
    public let inputShape: [Int]
    /// `[N, H, W, C]` of the result.
    public let outputShape: [Int]
    /// Floating-point operations of the plan's convolutions per run (2 per multiply-add).
    public let convolutionFlops: Double
    /// Number of convolutions oneDNN runs with its Winograd algorithm.
    public let winogradConvolutionCount: Int
    /// Bytes of activation and scratchpad memory the plan owns (weights not included).
    public let activationByteCount: Int

    private let steps: [PlanStep]
    private let storages: [TensorStorage]
    private let scratchpadStorage: TensorStorage
    private let inputSlot: PlanBufferSlot
    private let outputSlot: PlanBufferSlot
    private let externalMemories: [(memory: OneDNNMemory, slot: PlanBufferSlot)]
    private let scratchpadMemories: [OneDNNMemory]
    private let stream = OneDNNStream()
    private let lock = NSLock()
    /// What the caller's input and output slots point at until the first run binds them.
    private let placeholder = TensorStorage(uninitializedCount: 16)

    /// Times of the last run made with `profile: true`.
    public private(set) var lastProfile: InferencePlanProfile?

    init(builder: InferencePlanBuilder, input: PlanValue, output: PlanValue) {
        precision = builder.precision
        inputShape = input.shape
        outputShape = output.shape
        let (storages, assignment) = PlanBufferAllocator.assign(builder.records, operationCount: builder.operations.count)
        self.storages = storages
        // The caller's tensors are bound at run time; until then their slots point at a placeholder.
        let placeholder = self.placeholder
        let slots = builder.records.indices.map { index in
            PlanBufferSlot(assignment[index].map { UnsafeMutableRawPointer(storages[$0].pointer) }
                           ?? UnsafeMutableRawPointer(placeholder.pointer))
        }
        inputSlot = slots[input.buffer]
        outputSlot = slots[output.buffer]
        let scratchpadSlot = PlanBufferSlot(UnsafeMutableRawPointer(placeholder.pointer))
        let compilation = PlanCompilation(slots: slots, roles: builder.records.map(\.role), scratchpad: scratchpadSlot)
        steps = builder.operations.flatMap { $0.build(compilation).flattened }
        scratchpadStorage = TensorStorage(uninitializedCount: (compilation.scratchpadByteCount + 3) / 4)
        scratchpadSlot.pointer = UnsafeMutableRawPointer(scratchpadStorage.pointer)
        for memory in compilation.scratchpadMemories {
            dnnlRequire(dnnl_memory_set_data_handle(memory.handle, scratchpadStorage.pointer), "dnnl_memory_set_data_handle")
        }
        externalMemories = compilation.externalMemories
        scratchpadMemories = compilation.scratchpadMemories
        var flops = 0.0, winograd = 0
        for case .primitive(let step) in steps where step.kind == .convolution {
            flops += step.flops
            if step.note == "winograd" { winograd += 1 }
        }
        convolutionFlops = flops
        winogradConvolutionCount = winograd
        activationByteCount = storages.reduce(0) { $0 + $1.count * 4 } + scratchpadStorage.count * 4
    }

    /// Runs the plan on `input`, writing the result into `output`.
    /// - Parameters:
    ///   - input: `inputShape`, Float32 NHWC.
    ///   - output: `outputShape`; written in place (copied first only if it shares storage).
    ///   - profile: time each step and keep the times in `lastProfile` (adds a clock read per step).
    public func run(_ input: Tensor, into output: inout Tensor, profile: Bool = false) {
        guard input.shape == inputShape && output.shape == outputShape else {
            fatalError("InferencePlan.run: input \(input.shape) and output \(output.shape) must be \(inputShape) and \(outputShape)")
        }
        lock.lock()
        defer { lock.unlock() }
        TensorEngine.applyThreadCountToCurrentThread()
        input.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { result in
                inputSlot.pointer = UnsafeMutableRawPointer(mutating: source.baseAddress!)
                outputSlot.pointer = UnsafeMutableRawPointer(result.baseAddress!)
                for (memory, slot) in externalMemories {
                    dnnlRequire(dnnl_memory_set_data_handle(memory.handle, slot.pointer), "dnnl_memory_set_data_handle")
                }
                execute(profile: profile)
            }
        }
    }

    /// Runs the plan on `input` into a new tensor of `outputShape`.
    public func callAsFunction(_ input: Tensor) -> Tensor {
        var output = Tensor(shape: outputShape)
        run(input, into: &output)
        return output
    }

    private func execute(profile: Bool) {
        var convolutionNanoseconds: UInt64 = 0, otherPrimitiveNanoseconds: UInt64 = 0, kernelNanoseconds: UInt64 = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var last = start
        for step in steps {
            switch step {
            case .primitive(let primitive):
                primitive.arguments.withUnsafeBufferPointer { arguments in
                    dnnlRequire(dnnl_primitive_execute(primitive.primitive.primitive, stream.handle, Int32(arguments.count),
                                                       arguments.baseAddress), "dnnl_primitive_execute")
                }
                if profile {
                    dnnlRequire(dnnl_stream_wait(stream.handle), "dnnl_stream_wait")
                    let now = DispatchTime.now().uptimeNanoseconds
                    if primitive.kind == .convolution { convolutionNanoseconds += now - last } else { otherPrimitiveNanoseconds += now - last }
                    last = now
                }
            case .group:
                preconditionFailure("InferencePlan: groups are flattened when the plan is compiled")
            case .kernel(let kernel):
                dnnlRequire(dnnl_stream_wait(stream.handle), "dnnl_stream_wait")
                if profile { last = DispatchTime.now().uptimeNanoseconds }
                kernel()
                if profile {
                    let now = DispatchTime.now().uptimeNanoseconds
                    kernelNanoseconds += now - last
                    last = now
                }
            }
        }
        dnnlRequire(dnnl_stream_wait(stream.handle), "dnnl_stream_wait")
        if profile {
            let total = DispatchTime.now().uptimeNanoseconds - start
            lastProfile = InferencePlanProfile(
                totalSeconds: Double(total) / 1e9, convolutionSeconds: Double(convolutionNanoseconds) / 1e9,
                otherPrimitiveSeconds: Double(otherPrimitiveNanoseconds) / 1e9, kernelSeconds: Double(kernelNanoseconds) / 1e9)
        }
    }

    /// The oneDNN implementation of each convolution, in order (e.g. "brg:avx512_core"), for diagnostics.
    public var convolutionImplementations: [String] {
        steps.compactMap { step in
            guard case .primitive(let primitive) = step, primitive.kind == .convolution else { return nil }
            return primitive.primitive.implementationName
        }
    }

    /// Identities of the plan-owned buffers; they stay the same for the plan's life (tests use this to
    /// show that runs allocate nothing).
    public var bufferIdentities: [ObjectIdentifier] {
        (storages + [scratchpadStorage]).map(ObjectIdentifier.init)
    }
}

/// Where one run of an `InferencePlan` spent its time.
public struct InferencePlanProfile: Sendable {
    public let totalSeconds: Double
    /// In the convolution primitives (with their fused BatchNorm, ReLU and residual sums).
    public let convolutionSeconds: Double
    /// In other oneDNN primitives (max pooling).
    public let otherPrimitiveSeconds: Double
    /// In the plan's Swift kernels (input conversion, adaptive pooling, resizes, copies, softmax).
    public let kernelSeconds: Double
}
