/// Max-min fair rate allocation (progressive filling) for `FlowEngine`,
/// restricted to the flows whose rates can have changed.
extension FlowEngine {
    /// Re-rates every flow connected, through binding links, to a link touched
    /// since the last call, and schedules the finish events of flows whose
    /// rate changed.
    ///
    /// Why a component suffices: the max-min allocation is unique and depends
    /// only on the constraint polytope. Each flow's rate is capped by its route
    /// bottleneck; a link whose flows' caps sum to at most its capacity is
    /// therefore redundant and is dropped. The remaining (binding) links split
    /// flows into independent components, and only the components touched by a
    /// started or finished flow can change.
    mutating func settle() {
        if dirtyLinks.isEmpty && newSlots.isEmpty { return }
        stamp &+= 1
        if stamp == 0 {
            // Wrapped: clear the marks so a stale mark cannot alias the new stamp.
            for i in linkMark.indices { linkMark[i] = 0; linkSat[i] = 0 }
            for i in slotMark.indices { slotMark[i] = 0; slotFrozen[i] = 0 }
            stamp = 1
        }
        compFlows.removeAll(keepingCapacity: true)
        compLinks.removeAll(keepingCapacity: true)
        // Seeds: every flow on a touched link (a link that just became slack
        // still releases its flows), and every new flow.
        for l32 in dirtyLinks {
            let l = Int(l32)
            if linkMark[l] == stamp { continue }
            linkMark[l] = stamp
            if binding(l) { compLinks.append(l32) }
            var node = linkHead[l]
            while node >= 0 {
                let f = node >> Int32(posShift)
                if slotMark[Int(f)] != stamp { slotMark[Int(f)] = stamp; compFlows.append(f) }
                node = nodeNext[Int(node)]
            }
        }
        for f in newSlots where slotActive[Int(f)] && slotMark[Int(f)] != stamp {
            slotMark[Int(f)] = stamp; compFlows.append(f)
        }
        dirtyLinks.removeAll(keepingCapacity: true)
        newSlots.removeAll(keepingCapacity: true)
        // Closure through binding links.
        var i = 0
        while i < compFlows.count {
            let r = Int(slotRoute[Int(compFlows[i])])
            for j in Int(routeStart[r])..<Int(routeStart[r + 1]) {
                let l = Int(routeLinks[j])
                if linkMark[l] == stamp || !binding(l) { continue }
                linkMark[l] = stamp
                compLinks.append(Int32(l))
                var node = linkHead[l]
                while node >= 0 {
                    let f = node >> Int32(posShift)
                    if slotMark[Int(f)] != stamp { slotMark[Int(f)] = stamp; compFlows.append(f) }
                    node = nodeNext[Int(node)]
                }
            }
            i += 1
        }
        fill()
        for f32 in compFlows {
            let f = Int(f32)
            let rate = slotNewRate[f]
            if rate == slotRate[f] { continue }
            slotRemaining[f] = max(0, slotRemaining[f] - slotRate[f] * (now - slotUpdated[f]))
            slotUpdated[f] = now
            slotRate[f] = rate
            slotVersion[f] &+= 1
            heap.insert(time: now + slotRemaining[f] / rate,
                        key: EventQueue.key(kind: EventQueue.finish, payload: UInt64(f) << 30 | UInt64(slotVersion[f] & 0x3FFF_FFFF)))
        }
    }

    /// Progressive filling over `compFlows` with the binding links `compLinks`
    /// (each flow also capped by its route bottleneck): raise all unfrozen
    /// rates together; at each level freeze the flows that hit their cap or
    /// cross a link whose fair share is exhausted. Writes `slotNewRate`.
    ///
    /// Cost: O(levels × (component links + component flows × route length));
    /// the number of distinct levels is small in practice (1 for a ring).
    mutating func fill() {
        for l32 in compLinks {
            let l = Int(l32)
            remCap[l] = linkCap[l]
            unfrozen[l] = linkCount[l]
        }
        var left = compFlows.count
        while left > 0 {
            var share = Double.infinity
            for l32 in compLinks {
                let l = Int(l32)
                if unfrozen[l] > 0 { share = min(share, max(0, remCap[l]) / Double(unfrozen[l])) }
            }
            for f32 in compFlows where slotFrozen[Int(f32)] != stamp {
                share = min(share, slotCap[Int(f32)])
            }
            // Links exhausted at this level, decided before any update below. All
            // their unfrozen flows freeze now, so a mark never needs clearing.
            for l32 in compLinks {
                let l = Int(l32)
                if unfrozen[l] > 0 && max(0, remCap[l]) / Double(unfrozen[l]) <= share { linkSat[l] = stamp }
            }
            for f32 in compFlows where slotFrozen[Int(f32)] != stamp {
                let f = Int(f32), r = Int(slotRoute[f])
                var freeze = slotCap[f] <= share
                if !freeze {
                    for j in Int(routeStart[r])..<Int(routeStart[r + 1]) {
                        let l = Int(routeLinks[j])
                        if linkSat[l] == stamp && linkMark[l] == stamp && binding(l) {
                            freeze = true; break
                        }
                    }
                }
                if !freeze { continue }
                slotFrozen[f] = stamp
                slotNewRate[f] = share
                left -= 1
                for j in Int(routeStart[r])..<Int(routeStart[r + 1]) {
                    let l = Int(routeLinks[j])
                    if linkMark[l] == stamp && binding(l) {
                        remCap[l] -= share
                        unfrozen[l] -= 1
                    }
                }
            }
        }
    }
}
