import Foundation

/// How a plan kernel reads and writes one element type, converting through Float32.
protocol PlanElement {
    static func load(_ base: UnsafeMutableRawPointer, _ index: Int) -> Float
    static func store(_ base: UnsafeMutableRawPointer, _ index: Int, _ value: Float)
}

enum Float32Element: PlanElement {
    @inline(__always) static func load(_ base: UnsafeMutableRawPointer, _ index: Int) -> Float {
        base.assumingMemoryBound(to: Float.self)[index]
    }
    @inline(__always) static func store(_ base: UnsafeMutableRawPointer, _ index: Int, _ value: Float) {
        base.assumingMemoryBound(to: Float.self)[index] = value
    }
}

/// bfloat16: the upper 16 bits of a Float32, rounded to nearest even when stored (as oneDNN rounds).
enum BFloat16Element: PlanElement {
    @inline(__always) static func load(_ base: UnsafeMutableRawPointer, _ index: Int) -> Float {
        Float(bitPattern: UInt32(base.assumingMemoryBound(to: UInt16.self)[index]) << 16)
    }
    @inline(__always) static func store(_ base: UnsafeMutableRawPointer, _ index: Int, _ value: Float) {
        let bits = value.bitPattern
        let rounded = value.isNaN ? bits | 0x0040_0000 : bits &+ 0x7FFF &+ ((bits >> 16) & 1)
        base.assumingMemoryBound(to: UInt16.self)[index] = UInt16(truncatingIfNeeded: rounded >> 16)
    }
}

/// Makes a plan kernel for a pair of element types; `planKernel` picks the concrete types, so the loops
/// are specialised (no per-element dispatch).
protocol PlanKernelFactory {
    func make<Source: PlanElement, Destination: PlanElement>(_ source: Source.Type, _ destination: Destination.Type) -> () -> Void
}

func planKernel(_ factory: PlanKernelFactory, source: PlanElementType, destination: PlanElementType) -> () -> Void {
    switch (source, destination) {
    case (.float32, .float32): return factory.make(Float32Element.self, Float32Element.self)
    case (.float32, .bfloat16): return factory.make(Float32Element.self, BFloat16Element.self)
    case (.bfloat16, .float32): return factory.make(BFloat16Element.self, Float32Element.self)
    case (.bfloat16, .bfloat16): return factory.make(BFloat16Element.self, BFloat16Element.self)
    }
}

/// Where a value's elements are at run time: the slot's pointer, `offset` elements in, pixels `stride` apart.
struct PlanAddress {
    let slot: PlanBufferSlot
    let offset: Int
    let stride: Int

    init(_ value: PlanValue, _ slot: PlanBufferSlot) {
        self.slot = slot
        offset = value.channelOffset
        stride = value.pixelStride
    }
}

/// Copies (and converts) every pixel's channels of one value into another of the same shape, e.g. a
/// feature map into its channel range of a concatenation buffer.
struct PlanCopyKernel: PlanKernelFactory {
    let source: PlanAddress, destination: PlanAddress
    let pixels: Int, channels: Int

    func make<S: PlanElement, D: PlanElement>(_: S.Type, _: D.Type) -> () -> Void {
        let (source, destination, pixels, channels) = (source, destination, pixels, channels)
        return {
            let x = source.slot.pointer, y = destination.slot.pointer
            parallelBlocks(pixels, minimumBlock: max(1, 16384 / max(channels, 1))) { range in
                for pixel in range {
                    let from = source.offset + pixel * source.stride, to = destination.offset + pixel * destination.stride
                    for c in 0..<channels { D.store(y, to + c, S.load(x, from + c)) }
                }
            }
        }
    }
}

/// PyTorch's bilinear resize (align corners false; `BilinearAxis`) between two plan values.
struct PlanResizeKernel: PlanKernelFactory {
    let source: PlanAddress, destination: PlanAddress
    let batch: Int, inputHeight: Int, inputWidth: Int, height: Int, width: Int, channels: Int

    func make<S: PlanElement, D: PlanElement>(_: S.Type, _: D.Type) -> () -> Void {
        let rows = BilinearAxis(input: inputHeight, output: height, alignCorners: false)
        let columns = BilinearAxis(input: inputWidth, output: width, alignCorners: false)
        let (source, destination) = (source, destination)
        let (batch, inputHeight, inputWidth, channels) = (batch, inputHeight, inputWidth, channels)
        return {
            bilinearResize(
                S.self, D.self, source: source.slot.pointer, sourceOffset: source.offset, sourceStride: source.stride,
                destination: destination.slot.pointer, destinationOffset: destination.offset, destinationStride: destination.stride,
                batch: batch, inputHeight: inputHeight, inputWidth: inputWidth, rows: rows, columns: columns, channels: channels)
        }
    }
}

/// PyTorch's adaptive average pooling (bins `floor(i*H/o) ..< ceil((i+1)*H/o)`), summing in Float32.
struct PlanAdaptiveAveragePoolKernel: PlanKernelFactory {
    let source: PlanAddress, destination: PlanAddress
    let batch: Int, inputHeight: Int, inputWidth: Int, size: Int, channels: Int

    func make<S: PlanElement, D: PlanElement>(_: S.Type, _: D.Type) -> () -> Void {
        let (source, destination) = (source, destination)
        let (batch, inputHeight, inputWidth, size, channels) = (batch, inputHeight, inputWidth, size, channels)
        let rowBins = (0..<size).map { ($0 * inputHeight / size)..<(($0 + 1) * inputHeight + size - 1) / size }
        let columnBins = (0..<size).map { ($0 * inputWidth / size)..<(($0 + 1) * inputWidth + size - 1) / size }
        let sums = TensorStorage(uninitializedCount: batch * size * size * channels)
        return {
            let x = source.slot.pointer, y = destination.slot.pointer, total = sums.pointer
            parallelBlocks(batch * size * size, minimumBlock: 1) { range in
                for bin in range {
                    let n = bin / (size * size), oy = bin / size % size, ox = bin % size
                    let accumulator = total + bin * channels
                    for c in 0..<channels { accumulator[c] = 0 }
                    for iy in rowBins[oy] {
                        for ix in columnBins[ox] {
                            let pixel = source.offset + ((n * inputHeight + iy) * inputWidth + ix) * source.stride
                            for c in 0..<channels { accumulator[c] += S.load(x, pixel + c) }
                        }
                    }
                    let scale = 1 / Float(rowBins[oy].count * columnBins[ox].count)
                    let out = destination.offset + bin * destination.stride
                    for c in 0..<channels { D.store(y, out + c, accumulator[c] * scale) }
                }
            }
        }
    }
}

/// Softmax over each pixel's channels, in place, Float32 (as `softmax` computes it: max-shifted exponentials).
struct PlanSoftmaxKernel {
    let value: PlanAddress
    let pixels: Int, channels: Int

    func make() -> () -> Void {
        let (value, pixels, channels) = (value, pixels, channels)
        return {
            let x = value.slot.pointer.assumingMemoryBound(to: Float.self)
            parallelBlocks(pixels, minimumBlock: max(1, 8192 / max(channels, 1))) { range in
                for pixel in range {
                    let row = x + value.offset + pixel * value.stride
                    var largest = row[0]
                    for c in 1..<channels { largest = max(largest, row[c]) }
                    var sum: Float = 0
                    for c in 0..<channels {
                        let e = (row[c] - largest).exp()
                        row[c] = e
                        sum += e
                    }
                    let scale = 1 / sum
                    for c in 0..<channels { row[c] *= scale }
                }
            }
        }
    }
}
