import CDNNL

/// One convolution of an inference plan as a single oneDNN primitive: NHWC source and destination, weights
/// reordered once (at compile time) into the layout the primitive prefers, a Float32 bias, and optional
/// post-ops: sum (add the destination's previous contents, i.e. a residual written into the shortcut's
/// buffer) and then ReLU.
///
/// Owns the primitive, the reordered weights (or shares them through a `PlanWeightCache`) and the bias; the
/// plan supplies the source, destination and scratchpad memory.
final class FusedConvolution {
    let primitive: OneDNNPrimitive
    let sourceDescriptor: dnnl_memory_desc_t
    let destinationDescriptor: dnnl_memory_desc_t
    let weightsMemory: OneDNNMemory
    let biasMemory: OneDNNMemory
    /// Multiply-adds times two.
    let floatingPointOperations: Double
    /// Whether oneDNN accepted the Winograd algorithm for this convolution.
    let usesWinograd: Bool
    /// When the primitive wants blocked activations (oneDNN's Winograd kernels do): the blocked source and
    /// destination buffers and the reorders from the NHWC source and to the NHWC destination.
    let blocked: BlockedActivations?

    final class BlockedActivations {
        let sourceReorder: OneDNNPrimitive
        let destinationReorder: OneDNNPrimitive
        let sourceMemory: OneDNNMemory
        let destinationMemory: OneDNNMemory
        private let storages: [TensorStorage]

        init(primitive: OneDNNPrimitive, nhwcSource: dnnl_memory_desc_t, nhwcDestination: dnnl_memory_desc_t) {
            let source = primitive.memoryDescriptor(dnnl_query_src_md)
            let destination = primitive.memoryDescriptor(dnnl_query_dst_md)
            storages = [source, destination].map { TensorStorage(uninitializedCount: (OneDNNDescriptor.byteCount($0) + 3) / 4) }
            sourceMemory = OneDNNMemory(source, storages[0].pointer)
            destinationMemory = OneDNNMemory(destination, storages[1].pointer)
            sourceReorder = OneDNNPrimitive(reorderFrom: nhwcSource, to: source)
            destinationReorder = OneDNNPrimitive(reorderFrom: destination, to: nhwcDestination)
        }
    }
    private let weightsStorage: TensorStorage
    private let biasStorage: TensorStorage

    /// - Parameters:
    ///   - input: `[N, H, W, C]` of the source; `outputShape` `[N, OH, OW, O]`.
    ///   - weight: `[O, C, KH, KW]` Float32 (BatchNorm already folded in); `bias` `[O]`.
    ///   - computeType: element type of the source and the weights.
    ///   - outputType: element type of the destination.
    ///   - tryWinograd: ask for oneDNN's Winograd algorithm first, falling back to direct when oneDNN has
    ///     no Winograd kernel for this configuration.
    ///   - sharedWeights: a cache and the object that owns `weight` there: the reordered weights are taken
    ///     from the cache when another plan already made them in the chosen layout (`PlanWeightCache`).
    init(input: [Int], outputShape: [Int], weight: Tensor, bias: Tensor, stride: Int, padding: Int, dilation: Int,
         computeType: PlanElementType, outputType: PlanElementType, sum: Bool, relu: Bool, tryWinograd: Bool,
         sharedWeights: (cache: PlanWeightCache, owner: AnyObject)? = nil) {
        let (batch, channels) = (input[0], input[3])
        let outputChannels = weight.shape[0]
        let sourceDescriptor = OneDNNDescriptor.make([batch, channels, input[1], input[2]], dnnl_nhwc, type: computeType.oneDNNType)
        let destinationDescriptor = OneDNNDescriptor.make([batch, outputChannels, outputShape[1], outputShape[2]], dnnl_nhwc,
                                                          type: outputType.oneDNNType)
        self.sourceDescriptor = sourceDescriptor
        self.destinationDescriptor = destinationDescriptor
        let userWeights = OneDNNDescriptor.make(weight.shape, dnnl_oihw, type: dnnl_f32)
        let biasDescriptor = OneDNNDescriptor.make([outputChannels], dnnl_x, type: dnnl_f32)
        let attributes = OneDNNAttributes(sum: sum, relu: relu)

        func create(_ algorithm: dnnl_alg_kind_t, anyActivations: Bool = false) -> dnnl_primitive_desc_t? {
            var source = sourceDescriptor, destination = destinationDescriptor, bias = biasDescriptor
            if anyActivations {
                source = OneDNNDescriptor.make([batch, channels, input[1], input[2]], dnnl_format_tag_any, type: computeType.oneDNNType)
                destination = OneDNNDescriptor.make([batch, outputChannels, outputShape[1], outputShape[2]], dnnl_format_tag_any,
                                                    type: outputType.oneDNNType)
            }
            var anyWeights = OneDNNDescriptor.make(weight.shape, dnnl_format_tag_any, type: computeType.oneDNNType)
            let strides = [Int64(stride), Int64(stride)], dilations = [Int64(dilation - 1), Int64(dilation - 1)]
            let paddings = [Int64(padding), Int64(padding)]
            var description = dnnl_convolution_desc_t()
            guard dnnl_dilated_convolution_forward_desc_init(
                &description, dnnl_forward_inference, algorithm, &source, &anyWeights, &bias, &destination,
                strides, dilations, paddings, paddings) == dnnl_success else { return nil }
            var primitiveDescriptor: dnnl_primitive_desc_t?
            guard dnnl_primitive_desc_create(&primitiveDescriptor, &description, attributes.handle,
                                             OneDNNEngine.shared.engine, nil) == dnnl_success else { return nil }
            return primitiveDescriptor
        }
        // Winograd first with NHWC activations, then (without a residual sum, which would need the shortcut
        // reordered in too) with whatever activation layout oneDNN's Winograd kernel wants.
        var winograd = tryWinograd ? create(dnnl_convolution_winograd) : nil
        var winogradBlocked = false
        if tryWinograd && winograd == nil && !sum {
            winograd = create(dnnl_convolution_winograd, anyActivations: true)
            winogradBlocked = winograd != nil
        }
        usesWinograd = winograd != nil
        guard let descriptor = winograd ?? create(dnnl_convolution_direct) else {
            fatalError("FusedConvolution: oneDNN has no \(computeType) convolution for input \(input), weight \(weight.shape), stride \(stride), padding \(padding), dilation \(dilation)")
        }
        let primitive = OneDNNPrimitive(descriptor: descriptor)
        self.primitive = primitive
        let chosenSource = primitive.memoryDescriptor(dnnl_query_src_md), chosenDestination = primitive.memoryDescriptor(dnnl_query_dst_md)
        blocked = winogradBlocked && !(OneDNNDescriptor.equal(chosenSource, sourceDescriptor) && OneDNNDescriptor.equal(chosenDestination, destinationDescriptor))
            ? BlockedActivations(primitive: primitive, nhwcSource: sourceDescriptor, nhwcDestination: destinationDescriptor)
            : nil
        let chosenWeights = primitive.memoryDescriptor(dnnl_query_weights_md)
        func reorderWeights(into storage: TensorStorage) {
            let reorder = OneDNNPrimitive(reorderFrom: userWeights, to: chosenWeights)
            weight.withUnsafeBufferPointer { values in
                reorder.execute([(OneDNNArgument.source, OneDNNMemory(userWeights, UnsafeMutableRawPointer(mutating: values.baseAddress!))),
                                 (OneDNNArgument.destination, OneDNNMemory(chosenWeights, storage.pointer))])
            }
        }
        if let sharedWeights {
            weightsStorage = sharedWeights.cache.storage(owner: sharedWeights.owner, layout: chosenWeights, fill: reorderWeights)
        } else {
            weightsStorage = TensorStorage(uninitializedCount: (OneDNNDescriptor.byteCount(chosenWeights) + 3) / 4)
            reorderWeights(into: weightsStorage)
        }
        weightsMemory = OneDNNMemory(chosenWeights, weightsStorage.pointer)
        biasStorage = bias.storage
        biasMemory = OneDNNMemory(biasDescriptor, biasStorage.pointer)
        floatingPointOperations = 2 * Double(batch * outputShape[1] * outputShape[2] * outputChannels)
            * Double(channels * weight.shape[2] * weight.shape[3])
    }
}

/// Max pooling of an inference plan as a oneDNN pooling primitive (NHWC; padding never wins, as in PyTorch).
final class PlanMaxPooling {
    let primitive: OneDNNPrimitive
    let sourceDescriptor: dnnl_memory_desc_t
    let destinationDescriptor: dnnl_memory_desc_t

    init(input: [Int], outputShape: [Int], type: PlanElementType, kernelSize: Int, stride: Int, padding: Int) {
        sourceDescriptor = OneDNNDescriptor.make([input[0], input[3], input[1], input[2]], dnnl_nhwc, type: type.oneDNNType)
        destinationDescriptor = OneDNNDescriptor.make([outputShape[0], outputShape[3], outputShape[1], outputShape[2]], dnnl_nhwc,
                                                      type: type.oneDNNType)
        var source = sourceDescriptor, destination = destinationDescriptor
        let kernel = [Int64(kernelSize), Int64(kernelSize)], strides = [Int64(stride), Int64(stride)]
        let paddings = [Int64(padding), Int64(padding)], dilations: [Int64] = [0, 0]
        var description = dnnl_pooling_v2_desc_t()
        dnnlRequire(dnnl_pooling_v2_forward_desc_init(&description, dnnl_forward_inference, dnnl_pooling_max, &source,
                                                      &destination, strides, kernel, dilations, paddings, paddings),
                    "dnnl_pooling_v2_forward_desc_init(\(input) -> \(outputShape))")
        let attributes = OneDNNAttributes(sum: false, relu: false)
        var primitiveDescriptor: dnnl_primitive_desc_t?
        dnnlRequire(dnnl_primitive_desc_create(&primitiveDescriptor, &description, attributes.handle,
                                               OneDNNEngine.shared.engine, nil),
                    "dnnl_primitive_desc_create(max pooling \(input))")
        primitive = OneDNNPrimitive(descriptor: primitiveDescriptor!)
    }
}
