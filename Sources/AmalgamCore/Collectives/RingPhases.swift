/// The two halves of every ring algorithm, shared by ring, bidirectional, multi-ring,
/// weighted and hierarchical schedules.
///
/// Positions `0..<p` index `order` (the ranks in ring order); chunk `c` is the chunk
/// position `c` owns after reduce-scatter / before all-gather. Transfers of step `s`
/// are appended position by position, so the receive into position `q` at step `s`
/// is at index `base + s*p + (q - direction)`, which keeps generation to pure index
/// arithmetic for the 2-million-transfer rings.
///
/// `initial[q]` lists the transfers that wrote position `q`'s region before the
/// phase (empty: it holds input data). Both phases return, per position, every
/// transfer that has written the part of the region the position now holds, which
/// is what a following phase's sends must wait for.
enum RingPhases {
    /// Ring reduce-scatter: at step `s` position `q` sends chunk `q-s-1` to `q+1`,
    /// which sums it in; after `p-1` steps position `q` holds the full sum of chunk `q`.
    ///
    /// Dependencies: step `s > 0` waits for the step `s-1` receive into the sender
    /// (it delivered the partial sum being forwarded); every step also waits for
    /// `initial[q]`, since the sender's own contribution comes from there.
    /// Returns `initial[q]` plus the receive that completed chunk `q`.
    static func reduceScatter(_ b: inout ScheduleBuilder, order: [Int32], chunks: [Int32], initial: [[Int32]]) -> [[Int32]] {
        let p = order.count
        guard p > 1 else { return initial }
        let base = Int32(b.count), p32 = Int32(p)
        var after: [Int32] = []
        for s in 0..<(p - 1) {
            let s32 = Int32(s)
            for q in 0..<p {
                let c = (q - s - 1 + 2 * p) % p
                let prev: Int32 = s == 0 ? -1 : base + (s32 - 1) * p32 + Int32((q - 1 + p) % p)
                if initial[q].isEmpty {
                    b.add(order[q], order[(q + 1) % p], chunks[c], chunks[c], .reduce, after: prev)
                } else {
                    after.removeAll(keepingCapacity: true)
                    after.append(prev); after.append(contentsOf: initial[q])
                    b.add(order[q], order[(q + 1) % p], chunks[c], chunks[c], .reduce, after: after)
                }
            }
        }
        let last = base + Int32(p - 2) * p32
        return (0..<p).map { initial[$0] + [last + Int32(($0 - 1 + p) % p)] }
    }

    /// Ring all-gather: at step `s` position `q` sends chunk `q - direction*s` to
    /// `q + direction` (direction +1 follows the ring, -1 runs it backwards), which
    /// copies it. Step 0 waits for `initial[q]` (the writers of the sender's own
    /// chunk); step `s > 0` waits for the step `s-1` receive into the sender, which
    /// delivered the chunk it forwards. With `collect`, returns `initial[q]` plus all
    /// receives into `q` (else an empty list per position).
    static func allGather(_ b: inout ScheduleBuilder, order: [Int32], chunks: [Int32], initial: [[Int32]],
                          direction: Int = 1, collect: Bool = false) -> [[Int32]] {
        let p = order.count
        guard p > 1 else { return initial }
        let base = Int32(b.count), p32 = Int32(p)
        for s in 0..<(p - 1) {
            let s32 = Int32(s)
            for q in 0..<p {
                let c = ((q - direction * s) % p + p) % p
                let to = order[((q + direction) % p + p) % p]
                if s == 0 {
                    b.add(order[q], to, chunks[c], chunks[c], .copy, after: initial[q])
                } else {
                    let prev = base + (s32 - 1) * p32 + Int32(((q - direction) % p + p) % p)
                    b.add(order[q], to, chunks[c], chunks[c], .copy, after: prev)
                }
            }
        }
        guard collect else { return Array(repeating: [], count: p) }
        return (0..<p).map { q in
            initial[q] + (0..<(p - 1)).map { s in base + Int32(s) * p32 + Int32(((q - direction) % p + p) % p) }
        }
    }

    /// Ring all-reduce of `[lo, hi)` over `order`: reduce-scatter then all-gather,
    /// `p` near-equal chunks (or the given boundaries).
    static func allReduce(_ b: inout ScheduleBuilder, order: [Int32], lo: Int, hi: Int,
                          boundaries: [Int]? = nil, allGatherDirection: Int = 1) {
        let p = order.count
        let chunks = Chunking.segments(&b, boundaries ?? Chunking.even(lo, hi, p))
        let none = Array(repeating: [Int32](), count: p)
        let done = reduceScatter(&b, order: order, chunks: chunks, initial: none)
        _ = allGather(&b, order: order, chunks: chunks, initial: done, direction: allGatherDirection)
    }
}
