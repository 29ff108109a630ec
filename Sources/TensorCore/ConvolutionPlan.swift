import CDNNL
import Foundation

/// The oneDNN primitives of one convolution geometry: forward, backward-data and backward-weights, plus the
/// reorders between PyTorch's OIHW weights and the blocked weight layouts oneDNN picks (`format_tag_any`).
///
/// Plans are cached per geometry (`ConvolutionPlan.plan(for:)`), so repeated calls compile nothing. The
/// backward primitives are built on first use. A plan serialises its own executions (it owns scratch buffers
/// for reordered weights); different plans run independently.
final class ConvolutionPlan {
    let geometry: ConvolutionGeometry
    private let lock = NSLock()

    private let sourceDescriptor: dnnl_memory_desc_t
    private let destinationDescriptor: dnnl_memory_desc_t
    private let userWeightsDescriptor: dnnl_memory_desc_t
    private let biasDescriptor: dnnl_memory_desc_t

    private let forward: OneDNNPrimitive
    private let forwardWeights: WeightLayout

    private var backwardDataPrimitive: OneDNNPrimitive?
    private var backwardDataWeights: WeightLayout?
    private var backwardWeightsPrimitive: OneDNNPrimitive?
    private var backwardWeightsGradient: WeightLayout?

    /// A weight layout chosen by a primitive, with the reorder from (or to) OIHW and a buffer, when it differs.
    ///
    /// For reorders from the user's weights, the buffer remembers which storage (and which
    /// `modificationCount` of it) it holds, so unchanged weights (inference, and backward-data right after
    /// forward in training) are not reordered again.
    private final class WeightLayout {
        let descriptor: dnnl_memory_desc_t
        let reorder: OneDNNPrimitive?
        let buffer: TensorStorage?
        weak var bufferSource: TensorStorage?
        var bufferSourceModificationCount: UInt64 = 0

        init(chosen: dnnl_memory_desc_t, user: dnnl_memory_desc_t, toUser: Bool) {
            descriptor = chosen
            if OneDNNDescriptor.equal(chosen, user) {
                reorder = nil
                buffer = nil
            } else {
                reorder = toUser ? OneDNNPrimitive(reorderFrom: chosen, to: user) : OneDNNPrimitive(reorderFrom: user, to: chosen)
                buffer = TensorStorage(uninitializedCount: (OneDNNDescriptor.byteCount(chosen) + 3) / 4)
            }
        }
    }

    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [ConvolutionGeometry: ConvolutionPlan] = [:]

    /// The cached plan for `geometry`, compiling it on first request.
    static func plan(for geometry: ConvolutionGeometry) -> ConvolutionPlan {
        cacheLock.lock()
        defer { cacheLock.unlock() }
        if let plan = cache[geometry] { return plan }
        let plan = ConvolutionPlan(geometry)
        cache[geometry] = plan
        return plan
    }

    private init(_ geometry: ConvolutionGeometry) {
        self.geometry = geometry
        let g = geometry
        sourceDescriptor = OneDNNDescriptor.make([g.batch, g.inputChannels, g.inputHeight, g.inputWidth], dnnl_nhwc)
        destinationDescriptor = OneDNNDescriptor.make([g.batch, g.outputChannels, g.outputHeight, g.outputWidth], dnnl_nhwc)
        userWeightsDescriptor = OneDNNDescriptor.make(g.weightShape, dnnl_oihw)
        biasDescriptor = OneDNNDescriptor.make([g.outputChannels], dnnl_x)

        var anyWeights = OneDNNDescriptor.make(g.weightShape, dnnl_format_tag_any)
        var source = sourceDescriptor, destination = destinationDescriptor, bias = biasDescriptor
        let (strides, dilations, padding) = ConvolutionPlan.convolutionArguments(g)
        var description = dnnl_convolution_desc_t()
        withUnsafePointer(to: &bias) { biasPointer in
            dnnlRequire(dnnl_dilated_convolution_forward_desc_init(
                &description, dnnl_forward_training, dnnl_convolution_direct, &source, &anyWeights,
                g.hasBias ? biasPointer : nil, &destination, strides, dilations, padding, padding),
                "dnnl_dilated_convolution_forward_desc_init(\(g))")
        }
        var primitiveDescriptor: dnnl_primitive_desc_t?
        dnnlRequire(dnnl_primitive_desc_create(&primitiveDescriptor, &description, nil, OneDNNEngine.shared.engine, nil),
                    "dnnl_primitive_desc_create(convolution forward \(g))")
        forward = OneDNNPrimitive(descriptor: primitiveDescriptor!)
        forwardWeights = WeightLayout(chosen: forward.memoryDescriptor(dnnl_query_weights_md),
                                      user: userWeightsDescriptor, toUser: false)
    }

    /// Convolves NHWC `input` with OIHW `weight` (+ `bias`) into NHWC `output`.
    func runForward(input: UnsafePointer<Float>, weight: TensorStorage, bias: UnsafePointer<Float>?,
                    output: UnsafeMutablePointer<Float>) {
        lock.lock()
        defer { lock.unlock() }
        let weightsMemory = prepare(weights: weight, layout: forwardWeights)
        var arguments: [(Int32, OneDNNMemory)] = [
            (OneDNNArgument.source, OneDNNMemory(sourceDescriptor, UnsafeMutableRawPointer(mutating: input))),
            (OneDNNArgument.weights, weightsMemory),
            (OneDNNArgument.destination, OneDNNMemory(destinationDescriptor, output)),
        ]
        if let bias {
            arguments.append((OneDNNArgument.bias, OneDNNMemory(biasDescriptor, UnsafeMutableRawPointer(mutating: bias))))
        }
        forward.execute(arguments)
    }

    /// The input gradient (NHWC) from the output gradient (NHWC) and OIHW `weight`.
    func runBackwardData(outputGradient: UnsafePointer<Float>, weight: TensorStorage,
                         inputGradient: UnsafeMutablePointer<Float>) {
        lock.lock()
        defer { lock.unlock() }
        if backwardDataPrimitive == nil { buildBackwardData() }
        let weightsMemory = prepare(weights: weight, layout: backwardDataWeights!)
        backwardDataPrimitive!.execute([
            (OneDNNArgument.destinationGradient, OneDNNMemory(destinationDescriptor, UnsafeMutableRawPointer(mutating: outputGradient))),
            (OneDNNArgument.weights, weightsMemory),
            (OneDNNArgument.sourceGradient, OneDNNMemory(sourceDescriptor, inputGradient)),
        ])
    }

    /// The OIHW weight gradient and (when the geometry has one) the bias gradient.
    func runBackwardWeights(input: UnsafePointer<Float>, outputGradient: UnsafePointer<Float>,
                            weightGradient: UnsafeMutablePointer<Float>, biasGradient: UnsafeMutablePointer<Float>?) {
        lock.lock()
        defer { lock.unlock() }
        if backwardWeightsPrimitive == nil { buildBackwardWeights() }
        let layout = backwardWeightsGradient!
        let userMemory = OneDNNMemory(userWeightsDescriptor, weightGradient)
        let chosenMemory = layout.buffer.map { OneDNNMemory(layout.descriptor, $0.pointer) } ?? userMemory
        var arguments: [(Int32, OneDNNMemory)] = [
            (OneDNNArgument.source, OneDNNMemory(sourceDescriptor, UnsafeMutableRawPointer(mutating: input))),
            (OneDNNArgument.destinationGradient, OneDNNMemory(destinationDescriptor, UnsafeMutableRawPointer(mutating: outputGradient))),
            (OneDNNArgument.weightsGradient, chosenMemory),
        ]
        if let biasGradient {
            arguments.append((OneDNNArgument.biasGradient, OneDNNMemory(biasDescriptor, biasGradient)))
        }
        backwardWeightsPrimitive!.execute(arguments)
        if let reorder = layout.reorder {
            reorder.execute([(OneDNNArgument.source, chosenMemory), (OneDNNArgument.destination, userMemory)])
        }
    }

    /// Memory holding `weights` in `layout`: the user's buffer itself, or the layout's buffer, reordered
    /// unless it already holds this storage at its current modification count.
    private func prepare(weights: TensorStorage, layout: WeightLayout) -> OneDNNMemory {
        let user = OneDNNMemory(userWeightsDescriptor, weights.pointer)
        guard let reorder = layout.reorder, let buffer = layout.buffer else { return user }
        let chosen = OneDNNMemory(layout.descriptor, buffer.pointer)
        if layout.bufferSource !== weights || layout.bufferSourceModificationCount != weights.modificationCount {
            reorder.execute([(OneDNNArgument.source, user), (OneDNNArgument.destination, chosen)])
            layout.bufferSource = weights
            layout.bufferSourceModificationCount = weights.modificationCount
        }
        return chosen
    }

    /// Strides, dilations and (symmetric) padding as oneDNN reads them: arrays of Int64 per spatial axis.
    /// oneDNN counts dilation from 0 (no gap between taps); PyTorch counts from 1.
    private static func convolutionArguments(_ g: ConvolutionGeometry) -> (strides: [Int64], dilations: [Int64], padding: [Int64]) {
        ([Int64(g.strideHeight), Int64(g.strideWidth)],
         [Int64(g.dilationHeight - 1), Int64(g.dilationWidth - 1)],
         [Int64(g.paddingHeight), Int64(g.paddingWidth)])
    }

    private func buildBackwardData() {
        let (strides, dilations, padding) = ConvolutionPlan.convolutionArguments(geometry)
        var anyWeights = OneDNNDescriptor.make(geometry.weightShape, dnnl_format_tag_any)
        var source = sourceDescriptor, destination = destinationDescriptor
        var description = dnnl_convolution_desc_t()
        dnnlRequire(dnnl_dilated_convolution_backward_data_desc_init(
            &description, dnnl_convolution_direct, &source, &anyWeights, &destination,
            strides, dilations, padding, padding),
            "dnnl_dilated_convolution_backward_data_desc_init(\(geometry))")
        let primitive = backwardPrimitive(&description, "backward data")
        backwardDataPrimitive = primitive
        let chosen = primitive.memoryDescriptor(dnnl_query_weights_md)
        // Usually the forward layout: then backward-data reuses the weights forward already reordered.
        backwardDataWeights = OneDNNDescriptor.equal(chosen, forwardWeights.descriptor)
            ? forwardWeights
            : WeightLayout(chosen: chosen, user: userWeightsDescriptor, toUser: false)
    }

    private func buildBackwardWeights() {
        let (strides, dilations, padding) = ConvolutionPlan.convolutionArguments(geometry)
        var anyWeights = OneDNNDescriptor.make(geometry.weightShape, dnnl_format_tag_any)
        var source = sourceDescriptor, destination = destinationDescriptor, bias = biasDescriptor
        var description = dnnl_convolution_desc_t()
        withUnsafePointer(to: &bias) { biasPointer in
            dnnlRequire(dnnl_dilated_convolution_backward_weights_desc_init(
                &description, dnnl_convolution_direct, &source, &anyWeights, geometry.hasBias ? biasPointer : nil,
                &destination, strides, dilations, padding, padding),
                "dnnl_dilated_convolution_backward_weights_desc_init(\(geometry))")
        }
        let primitive = backwardPrimitive(&description, "backward weights")
        backwardWeightsPrimitive = primitive
        backwardWeightsGradient = WeightLayout(chosen: primitive.memoryDescriptor(dnnl_query_diff_weights_md),
                                               user: userWeightsDescriptor, toUser: true)
    }

    /// A backward primitive, hinted by the forward primitive descriptor as oneDNN requires.
    private func backwardPrimitive(_ description: inout dnnl_convolution_desc_t, _ name: String) -> OneDNNPrimitive {
        var primitiveDescriptor: dnnl_primitive_desc_t?
        dnnlRequire(dnnl_primitive_desc_create(&primitiveDescriptor, &description, nil, OneDNNEngine.shared.engine,
                                               forward.descriptor),
                    "dnnl_primitive_desc_create(convolution \(name) \(geometry))")
        return OneDNNPrimitive(descriptor: primitiveDescriptor!)
    }
}
