/// The knobs of the network model: slicing, protocol efficiency, reduction cost.
///
/// Every default below has a source or is labelled an assumption; all can be
/// overridden (per link kind, or per link index for one specific link).
public struct NetworkOptions: Sendable, Equatable {
    /// Transfers larger than this are cut into equal slices that pipeline through
    /// the schedule (slice `j` of a transfer waits for slice `j` of its parents);
    /// `nil` disables slicing.
    ///
    /// Default 512 KiB: NCCL's Simple protocol splits its 4 MiB channel buffer
    /// (`NCCL_BUFFSIZE` default, NCCL environment-variable docs) into
    /// `NCCL_STEPS` = 8 slots (`src/include/device.h`), and each slot (one
    /// "step", 512 KiB) is handed to the peer as soon as it is full. NCCL's
    /// ring all-reduce groups 2 steps per slice (`ALLREDUCE_SLICESTEPS =
    /// NCCL_STEPS/4`, `src/include/collectives.h`); set 1 MiB to model that.
    /// Assumption: one channel; NCCL spreads a collective over several.
    public var sliceBytes: Double?

    /// The user's effective rate as a fraction of line rate, per link kind. Kinds not
    /// listed use the link's own hardware figure (``Link/efficiency``) when it has one,
    /// else `LinkEfficiency.defaults` (the sourced values).
    public var kindEfficiency: [LinkKind: Double]

    /// Per-link overrides of the efficiency, keyed by index into the topology's
    /// `links`; these win over `kindEfficiency`.
    public var linkEfficiency: [Int: Double]

    /// Memory passes per reduced byte at the receiver: read the incoming
    /// operand, read the local operand, write the sum (3). The reduction of `r`
    /// bytes then takes `r × passes / memBytesPerSecond` of the receiving chip.
    /// Assumption: reductions are memory-bound and do not contend with each other.
    public var reductionMemoryPasses: Double

    /// NCCL's protocol model (LL / LL128 / Simple: per-step latency and bandwidth
    /// fraction, see `ProtocolModel`), applied by `CollectiveTiming` to collectives it
    /// times. Default `.auto`: the fastest protocol per message, as NCCL's tuner
    /// chooses; `.off` is the pure link model (closed-form checks; `ideal` sets it).
    /// The simulator's network model times raw transfers and ignores it.
    public var protocolChoice: ProtocolChoice

    /// Fraction of the effective rate the protocol being timed delivers (set by
    /// `CollectiveTiming` while it times one protocol; 1 otherwise).
    var protocolBandwidthFraction: Double = 1

    /// Creates options; every argument defaults to the documented default.
    public init(
        sliceBytes: Double? = 512 * 1024,
        kindEfficiency: [LinkKind: Double] = [:],
        linkEfficiency: [Int: Double] = [:],
        reductionMemoryPasses: Double = 3,
        protocolChoice: ProtocolChoice = .auto
    ) {
        self.sliceBytes = sliceBytes
        self.kindEfficiency = kindEfficiency
        self.linkEfficiency = linkEfficiency
        self.reductionMemoryPasses = reductionMemoryPasses
        self.protocolChoice = protocolChoice
    }

    /// Options for closed-form checks: no slicing, every link at line rate, no protocol model.
    public static var ideal: NetworkOptions {
        NetworkOptions(sliceBytes: nil, kindEfficiency: Dictionary(uniqueKeysWithValues: LinkKind.allCases.map { ($0, 1.0) }),
                       protocolChoice: .off)
    }

    /// The efficiency applied to `link`, topology link `index`: the user's per-link
    /// override, else the user's per-kind one, else the hardware's own measured figure
    /// (``Link/efficiency``), else the per-kind default; times the bandwidth fraction
    /// of the protocol being timed.
    public func efficiency(of link: Link, index: Int) -> Double {
        (linkEfficiency[index] ?? kindEfficiency[link.kind] ?? link.efficiency ?? LinkEfficiency.defaults[link.kind] ?? 1)
            * protocolBandwidthFraction
    }

    /// Checks every figure against its valid range, naming the bad one.
    public func validate(linkCount: Int) throws {
        if let s = sliceBytes, !(s.isFinite && s >= 1) {
            throw AmalgamError("network option slice_bytes = \(s) must be a finite number of bytes >= 1 (or nil to disable slicing)")
        }
        // Sorted so the first error reported does not depend on hash order.
        for kind in LinkKind.allCases {
            if let e = kindEfficiency[kind], !(e > 0 && e <= 1) {
                throw AmalgamError("network efficiency for link kind '\(kind.rawValue)' = \(e) must be in (0, 1]")
            }
        }
        for index in linkEfficiency.keys.sorted() {
            guard index >= 0 && index < linkCount else {
                throw AmalgamError("network efficiency override names link \(index), but the topology has links 0..<\(linkCount)")
            }
            let e = linkEfficiency[index] ?? 1
            if !(e > 0 && e <= 1) {
                throw AmalgamError("network efficiency override for link \(index) = \(e) must be in (0, 1]")
            }
        }
        if !(reductionMemoryPasses.isFinite && reductionMemoryPasses >= 0) {
            throw AmalgamError("network option reduction_memory_passes = \(reductionMemoryPasses) must be a finite number >= 0")
        }
    }
}

/// Protocol efficiency (effective bandwidth / line rate) per link kind, derived
/// from `reference/published/nccl_busbw.csv`. A ring's busbw equals the
/// per-link effective rate, so efficiency = ring busbw / line rate per direction.
public enum LinkEfficiency {
    /// A100 NVSwitch (NVLink3, 300 GB/s per direction): ring all-reduce busbw
    /// ~230 GB/s at 8 GiB, https://github.com/NVIDIA/nccl-tests/issues/149
    /// (sjeaugey: "~230 GB/s"); 230/300 = 0.767.
    public static let a100NVSwitch = 230.0 / 300.0
    /// H100 NVSwitch (NVLink4, 450 GB/s per direction): ring busbw 365-370 GB/s,
    /// https://github.com/NVIDIA/nccl/issues/1455 ("365-370 GBps") and ~370 per
    /// https://github.com/NVIDIA/nccl-tests/issues/212; 367.5/450 = 0.817.
    public static let h100NVSwitch = 367.5 / 450.0
    /// NDR 400 Gb/s IB (50 GB/s): 46-48 GB/s per NIC,
    /// https://github.com/NVIDIA/nccl-tests/issues/290; 47/50 = 0.94.
    public static let ndr400 = 47.0 / 50.0
    /// HDR 200 Gb/s IB (25 GB/s): 24 GB/s per NIC,
    /// https://github.com/NVIDIA/nccl-tests/issues/160; 24/25 = 0.96.
    public static let hdr200 = 24.0 / 25.0
    /// EDR 100 Gb/s IB (12.5 GB/s): 12.2 GB/s,
    /// https://github.com/NVIDIA/nccl-tests/issues/29; 12.2/12.5 = 0.976.
    public static let edr100 = 12.2 / 12.5

    /// Per-kind defaults:
    /// - `scaleUp`: H100 NVSwitch (newest sourced generation), for chips whose catalog
    ///   entry has no measured ``Chip/scaleUpEfficiency`` of its own (A100 has: `a100NVSwitch`).
    /// - `nic`, `fabric`: NDR 400G (the fabric core carries the same protocol).
    /// - `peer`, `pcie`, `crossVendor`: assumption, the scale-up figure (no
    ///   published nccl-tests row for HCCS/xGMI/PCIe in the reference set).
    /// - `wan`: assumption, the NDR figure (RoCE/Ethernet framing of similar cost).
    /// - `measured`: 1, the user measured an effective rate already.
    public static let defaults: [LinkKind: Double] = [
        .scaleUp: h100NVSwitch,
        .peer: h100NVSwitch,
        .pcie: h100NVSwitch,
        .crossVendor: h100NVSwitch,
        .nic: ndr400,
        .fabric: ndr400,
        .wan: ndr400,
        .measured: 1,
    ]
}
