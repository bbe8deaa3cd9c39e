/// How the chips inside one node reach each other.
public enum IntraTopology: String, Sendable, CaseIterable, Codable {
    /// A non-blocking switch (NVSwitch, UB): every chip has its full per-direction
    /// bandwidth to any peer, and all peers at once.
    case `switch`
    /// Direct point-to-point links to every peer (xGMI, HCCS, Gaudi RoCE): each
    /// pair gets `intraLinkGBs / 2 / (chipsPerNode - 1)` per direction.
    case fullMesh = "full_mesh"
    /// A ring or bridge of neighbours (MLU-Link bridges, Kunlun rings).
    case ring
    /// PCIe only: all chips of the node share the host bridge.
    case pcie
}

/// How sure the catalog is of a chip's figures (from `accelerators.csv` notes).
public enum Confidence: String, Sendable, CaseIterable, Codable {
    /// Vendor datasheet or vendor modelling config, cross-checked.
    case high
    /// One good source, or derived from one by a stated rule.
    case medium
    /// Press, surveys or own estimates; treat as a range.
    case low
    /// Not graded.
    case unknown
}

/// One accelerator type: its specifications, each with where it came from.
///
/// Bandwidths follow the catalog conventions of `accelerators.md`:
/// `intraLinkGBs` is the vendor's aggregate *bidirectional* scale-up figure
/// (one direction is half), `nicGbps` is per chip and per direction, in gigabits.
public struct Chip: Sendable, Equatable, Hashable, Codable {
    /// Catalog identifier, e.g. `nvidia_a100_sxm4_80g`.
    public var id: String
    /// Maker; chips of different vendors in one site use the site's cross-vendor path.
    public var vendor: String
    /// Marketing name with the SKU detail that distinguishes it.
    public var name: String
    /// Peak dense BF16 (FP16 where the chip has no BF16) tensor TFLOP/s.
    public var bf16Tflops: Double
    /// Peak dense FP16 tensor TFLOP/s (equal to BF16 unless the source differs).
    public var fp16Tflops: Double
    /// Non-tensor FP32 TFLOP/s; nil when unpublished.
    public var fp32Tflops: Double?
    /// Peak dense FP8 TFLOP/s; nil when the chip has no FP8.
    public var fp8Tflops: Double?
    /// Device memory in GB (10^9 bytes).
    public var memGB: Double
    /// Peak memory bandwidth in GB/s.
    public var memBwGBs: Double
    /// Aggregate bidirectional scale-up bandwidth per chip, GB/s.
    public var intraLinkGBs: Double
    /// How the chips of one node are wired (switch, full mesh, ring, PCIe only).
    public var intraTopology: IntraTopology
    /// Usual number of chips per server.
    public var chipsPerNode: Int
    /// Scale-out network bandwidth per chip, Gb/s per direction; nil when unknown.
    public var nicGbps: Double?
    /// Board power in watts; nil when undisclosed.
    public var tdpW: Double?
    /// Fraction of peak dense matmul throughput reached on large GEMMs.
    public var matmulEfficiency: Double
    /// Fraction of the scale-up links' line rate a large ring all-reduce reaches on
    /// this chip's own fabric (published nccl-tests busbw ÷ port rate), when measured;
    /// nil lets the network model use its per-kind default.
    public var scaleUpEfficiency: Double?
    /// Where `scaleUpEfficiency` comes from. Optional, like the figure, so chips saved
    /// before these fields existed still load.
    public var scaleUpEfficiencySource: String?
    /// Whether the node's scale-up switch reduces in the network (NVLink SHARP,
    /// "NVLS": NVSwitch gen3 and later, H100/H800/H200/H20/B200-class HGX), which
    /// enables the `nvls` all-reduce. nil = no (or unknown). Optional so chips saved
    /// before the field existed still load.
    public var nvls: Bool?
    /// Where `nvls` comes from.
    public var nvlsSource: String?
    /// Where `matmulEfficiency` comes from ("assumption: ..." when not sourced).
    public var efficiencySource: String
    /// Source of the specification figures.
    public var source: String
    /// Free-form notes (dense vs sparse, per package vs per device, ...).
    public var notes: String
    /// Grade of the compute figures (bf16_tflops) from the source notes;
    /// per-figure grades stay in `notes`.
    public var confidence: Confidence
    /// Figures that are not published for this chip and were filled with an
    /// assumption so the model can run, keyed by snake_case field name
    /// (`mem_bw_gbs`, ...); the value says what was assumed and why.
    public var assumptions: [String: String]

    /// Memberwise initialiser; `fp16Tflops` defaults to `bf16Tflops`. Call
    /// `validate()` on chips built from user input.
    public init(
        id: String, vendor: String, name: String,
        bf16Tflops: Double, fp16Tflops: Double? = nil, fp32Tflops: Double? = nil, fp8Tflops: Double? = nil,
        memGB: Double, memBwGBs: Double,
        intraLinkGBs: Double, intraTopology: IntraTopology, chipsPerNode: Int = 8,
        nicGbps: Double?, tdpW: Double? = nil,
        matmulEfficiency: Double = 0.75, efficiencySource: String = "assumption: 75% of dense peak on large GEMMs",
        scaleUpEfficiency: Double? = nil, scaleUpEfficiencySource: String? = nil,
        nvls: Bool? = nil, nvlsSource: String? = nil,
        source: String, notes: String = "", confidence: Confidence = .medium,
        assumptions: [String: String] = [:]
    ) {
        self.id = id; self.vendor = vendor; self.name = name
        self.bf16Tflops = bf16Tflops; self.fp16Tflops = fp16Tflops ?? bf16Tflops
        self.fp32Tflops = fp32Tflops; self.fp8Tflops = fp8Tflops
        self.memGB = memGB; self.memBwGBs = memBwGBs
        self.intraLinkGBs = intraLinkGBs; self.intraTopology = intraTopology; self.chipsPerNode = chipsPerNode
        self.nicGbps = nicGbps; self.tdpW = tdpW
        self.matmulEfficiency = matmulEfficiency; self.efficiencySource = efficiencySource
        self.scaleUpEfficiency = scaleUpEfficiency; self.scaleUpEfficiencySource = scaleUpEfficiencySource
        self.nvls = nvls; self.nvlsSource = nvlsSource
        self.source = source; self.notes = notes; self.confidence = confidence
        self.assumptions = assumptions
    }

    /// Peak dense BF16 FLOP/s.
    public var peakFlopsPerSecond: Double { bf16Tflops * 1e12 }
    /// Memory capacity in bytes.
    public var memBytes: Double { memGB * 1e9 }
    /// Memory bandwidth in bytes per second.
    public var memBytesPerSecond: Double { memBwGBs * 1e9 }
}
