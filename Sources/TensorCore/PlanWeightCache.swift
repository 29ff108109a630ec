import CDNNL
import Foundation

/// Convolution weights that one inference plan has reordered, for the next plan of the same model to reuse:
/// a classifier that keeps a plan for full batches and one for single chips then holds each layer's
/// reordered weights once instead of once per plan.
///
/// An entry belongs to an owner object (the layer whose weights they are; the cache keeps it alive, so its
/// identity cannot be reused) and to the memory layout the convolution primitive chose: a plan whose
/// primitive wants another layout (another batch size can make oneDNN pick another kernel) reorders its
/// own copy and adds it. The cache trusts an owner's weights not to change: keep one cache per model, for
/// as long as its weights stay as they are (as long as its plans).
///
/// ```swift
/// let cache = PlanWeightCache()
/// let batches = try PSPNetInferencePlan(model: model, batch: 4, height: 512, width: 512, weightCache: cache)
/// let single = try PSPNetInferencePlan(model: model, batch: 1, height: 512, width: 512, weightCache: cache)
/// ```
public final class PlanWeightCache: @unchecked Sendable {
    private struct Entry {
        let owner: AnyObject
        let layout: dnnl_memory_desc_t
        let storage: TensorStorage
    }

    private let lock = NSLock()
    private var entries: [ObjectIdentifier: [Entry]] = [:]
    /// Weights reordered into the cache (one per owner and layout).
    public private(set) var reorderCount = 0
    /// Requests answered with weights already in the cache.
    public private(set) var reuseCount = 0
    /// Bytes of reordered weights the cache holds.
    public private(set) var byteCount = 0

    public init() {}

    /// The storage holding `owner`'s weights in `layout`, filled by `fill` the first time it is asked for.
    func storage(owner: AnyObject, layout: dnnl_memory_desc_t, fill: (TensorStorage) -> Void) -> TensorStorage {
        lock.lock()
        defer { lock.unlock() }
        let key = ObjectIdentifier(owner)
        if let entry = entries[key]?.first(where: { OneDNNDescriptor.equal($0.layout, layout) }) {
            reuseCount += 1
            return entry.storage
        }
        let bytes = OneDNNDescriptor.byteCount(layout)
        let storage = TensorStorage(uninitializedCount: (bytes + 3) / 4)
        fill(storage)
        entries[key, default: []].append(Entry(owner: owner, layout: layout, storage: storage))
        reorderCount += 1
        byteCount += bytes
        return storage
    }
}
