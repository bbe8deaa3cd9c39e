/// NVLink SHARP ("NVLS", NCCL 2.17+): the NVSwitch reduces in the network. Each
/// chip owns `1/p` of the buffer; it asks the switch for the reduced shard
/// (multimem load-reduce: every chip's copy of the shard goes up its port once,
/// the sum comes down to the owner) and then multicasts the result (the owner
/// sends the shard up once, the switch copies it to every chip). Per chip port:
/// `n + n/p` up and `n/p + n` down, i.e. `(p+1)/p · n` each way, against
/// `2(p-1)/p · n` for a ring or a direct exchange.
///
/// Approximation (the network model has ranks, not a switch that computes): the
/// schedule is the one-shot direct all-reduce (every rank sends shard `i` to rank
/// `i`, which sums; owners copy their sums to everyone), so the executor checks
/// real buffers. For timing, `CollectiveTiming` scales every transfer's bytes by
/// `(p+1)/(2(p-1))` so each port carries exactly NVLS's `(p+1)/p · n`, divides by
/// NCCL's `nvlsEfficiency` (`src/graph/tuning.cc`: Hopper 0.85, Blackwell 0.74)
/// and drops the chips' reduction work (the switch sums). Single node only: NCCL's
/// multi-node NVLS_TREE is not modelled (use `ring` or `nccl_tree` across nodes).
enum NvlsAlgorithm {
    static func allReduce(_ r: CollectiveRequest) throws -> Schedule {
        try DirectAlgorithm.allReduce(r)
    }

    /// NCCL's `nvlsEfficiency` by compute capability (tuning.cc): Blackwell 0.74,
    /// otherwise Hopper's 0.85 (every NVLS chip in the catalog is one of the two;
    /// see `ProtocolModel.compCapIndex`).
    static func efficiency(_ chip: Chip) -> Double {
        ProtocolModel.compCapIndex(chip) == 3 ? 0.74 : 0.85
    }

    /// The factor turning the direct schedule's bytes into NVLS's per-port load.
    static func byteScale(ranks p: Int, chip: Chip) -> Double {
        guard p > 1 else { return 1 }
        return Double(p + 1) / Double(2 * (p - 1)) / efficiency(chip)
    }

    /// Throws unless every rank is on one node whose switch does NVLink SHARP.
    static func check<T: NetworkTopology>(_ t: T) throws {
        guard t.rankCount > 0 else { return }
        let nodes = Set((0..<t.rankCount).map { t.node(ofRank: $0) })
        guard nodes.count == 1 else {
            throw AmalgamError("nvls needs every rank on one node (NVLink SHARP reduces inside one NVSwitch domain; these ranks span \(nodes.count) nodes; NCCL's multi-node NVLS tree is not modelled: use 'ring' or 'nccl_tree')")
        }
        let chip = t.chip(ofRank: 0)
        guard chip.nvls == true && chip.intraTopology == .switch else {
            throw AmalgamError("nvls needs a scale-up switch that reduces in the network (chip field nvls = 1); '\(chip.id)' has \(chip.nvls == true ? "no switch" : "nvls = 0"): use 'ring' or set nvls = 1 on the chip")
        }
    }
}
