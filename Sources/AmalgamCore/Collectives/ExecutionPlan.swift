/// The order in which the executor applies a schedule, derived from its
/// dependencies alone: transfers grouped by step (dependency depth), and within a
/// step by receiving rank, so one task per receiving rank can run a step while the
/// others run theirs, with a barrier between steps.
///
/// A transfer carries its sender's range as it stood when the step began. When
/// another transfer of the same step writes into that range (recursive doubling's
/// simultaneous exchanges), the range is first copied to a staging area in a
/// separate pass; otherwise the receiver reads the sender's buffer directly.
struct ExecutionPlan: Sendable {
    /// Transfer indices sorted by (step, receiver, index).
    var order: [Int32] = []
    /// Groups (one receiver in one step): `order[groupStart[g]..<groupStart[g+1]]`.
    var groupStart: [Int] = [0]
    /// Receiving rank of each group.
    var groupRank: [Int32] = []
    /// Step `l`'s groups are `stepGroups[l]..<stepGroups[l+1]`.
    var stepGroups: [Int] = [0]
    /// Staging offset of each transfer (element index into the staging area), -1 if read directly.
    var stagingOffset: [Int] = []
    /// Whether step `l` stages anything.
    var stepStages: [Bool] = []
    /// Elements of staging the busiest step needs.
    var stagingElements = 0
    /// Per entry of `order`: where the source range starts and where the
    /// destination range starts (offsets into all ranks' buffers), its length, its
    /// staging offset (-1: read directly) and whether the receiver sums.
    var readAt: [Int] = [], writeAt: [Int] = [], length: [Int] = [], stage: [Int] = []
    var sums: [Bool] = []

    var stepCount: Int { stepGroups.count - 1 }

    init(_ s: Schedule) {
        let n = s.count, p = s.rankCount
        let level = s.steps()
        let steps = n == 0 ? 0 : Int(level.max()!) + 1
        // Counting sort by step, then (stably) by receiver within each step.
        var byStep = [Int](repeating: 0, count: steps + 1)
        for l in level { byStep[Int(l) + 1] += 1 }
        for l in 0..<steps { byStep[l + 1] += byStep[l] }
        var sorted = [Int32](repeating: 0, count: n)
        var fill = byStep
        for i in 0..<n { sorted[fill[Int(level[i])]] = Int32(i); fill[Int(level[i])] += 1 }
        order = [Int32](repeating: 0, count: n)
        stagingOffset = [Int](repeating: -1, count: n)
        var perRank = [Int](repeating: 0, count: p)
        var groupOfRank = [Int](repeating: -1, count: p)
        for l in 0..<steps {
            let lo = byStep[l], hi = byStep[l + 1]
            var ranks: [Int] = []
            for k in lo..<hi {
                let d = Int(s.dst[Int(sorted[k])])
                if perRank[d] == 0 { ranks.append(d) }
                perRank[d] += 1
            }
            ranks.sort()
            var at = lo
            var start = [Int](repeating: 0, count: ranks.count)
            for (g, d) in ranks.enumerated() {
                start[g] = at; groupOfRank[d] = groupRank.count + g
                at += perRank[d]
            }
            var cursor = start
            var slot = [Int](repeating: 0, count: p)
            for (g, d) in ranks.enumerated() { slot[d] = g }
            for k in lo..<hi {
                let t = sorted[k], g = slot[Int(s.dst[Int(t)])]
                order[cursor[g]] = t; cursor[g] += 1
            }
            for (g, d) in ranks.enumerated() {
                groupRank.append(Int32(d)); groupStart.append(start[g] + perRank[d])
            }
            stepGroups.append(groupRank.count)
            // Staging: a transfer whose source range is written by a transfer of the
            // same step. Each receiver's write ranges are merged once (sorted), then
            // every read is a binary search.
            var merged: [Int: [(Int, Int)]] = [:]   // keyed look-ups only
            var staged = 0
            for k in lo..<hi {
                let t = Int(order[k]), sr = Int(s.src[t])
                let g = groupOfRank[sr]
                guard g >= 0 else { continue }
                let a = s.segmentStart[Int(s.srcSegment[t])], len = s.segmentLength[Int(s.srcSegment[t])]
                guard len > 0 else { continue }
                if groupStart[g + 1] - groupStart[g] <= 4 {
                    // Few writers (rings, trees): scan them without building interval lists.
                    for j in groupStart[g]..<groupStart[g + 1] {
                        let seg = Int(s.dstSegment[Int(order[j])])
                        let b = s.segmentStart[seg], wl = s.segmentLength[seg]
                        if wl > 0 && a < b + wl && b < a + len { stagingOffset[t] = staged; staged += len; break }
                    }
                    continue
                }
                let writes: [(Int, Int)]
                if let m = merged[g] { writes = m } else {
                    var w: [(Int, Int)] = []
                    for j in groupStart[g]..<groupStart[g + 1] {
                        let seg = Int(s.dstSegment[Int(order[j])])
                        if s.segmentLength[seg] > 0 { w.append((s.segmentStart[seg], s.segmentStart[seg] + s.segmentLength[seg])) }
                    }
                    w.sort { $0.0 < $1.0 }
                    var m: [(Int, Int)] = []
                    for r in w {
                        if let last = m.last, r.0 <= last.1 { m[m.count - 1].1 = max(last.1, r.1) } else { m.append(r) }
                    }
                    merged[g] = m; writes = m
                }
                // First merged range ending after `a`; clash if it starts before `a + len`.
                var lo2 = 0, hi2 = writes.count
                while lo2 < hi2 { let mid = (lo2 + hi2) / 2; if writes[mid].1 <= a { lo2 = mid + 1 } else { hi2 = mid } }
                if lo2 < writes.count && writes[lo2].0 < a + len { stagingOffset[t] = staged; staged += len }
            }
            stepStages.append(staged > 0)
            stagingElements = max(stagingElements, staged)
            for d in ranks { perRank[d] = 0; groupOfRank[d] = -1 }
        }
        let len = s.bufferElements
        readAt.reserveCapacity(n); writeAt.reserveCapacity(n); length.reserveCapacity(n)
        stage.reserveCapacity(n); sums.reserveCapacity(n)
        for k in 0..<n {
            let t = Int(order[k]), rs = Int(s.srcSegment[t]), ws = Int(s.dstSegment[t])
            stage.append(stagingOffset[t])
            readAt.append(Int(s.src[t]) * len + s.segmentStart[rs])
            writeAt.append(Int(s.dst[t]) * len + s.segmentStart[ws])
            length.append(s.segmentLength[rs])
            sums.append(s.op[t] == .reduce)
        }
    }
}
