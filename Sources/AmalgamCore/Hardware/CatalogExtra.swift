// Chips not in accelerators.csv that users still mix in: older and consumer
// NVIDIA GPUs, GH200, and per-device variants of per-package rows. Tensor
// figures are dense. GeForce cards run FP16/BF16 tensor math with FP32
// accumulate (what training uses) at half their FP16-accumulate rate; the
// FP32-accumulate rate is the one used here. Cards without NVLink in an 8-card
// server are modelled as PCIe only (2-way NVLink bridges do not make a node fabric).

extension ChipCatalog {
    /// Consumer, inference and older data-centre GPUs, plus GH200.
    static let extraChips: [Chip] = [
        Chip(
            id: "nvidia_v100_pcie", vendor: "NVIDIA", name: "Tesla V100 PCIe 32GB",
            bf16Tflops: 112, fp32Tflops: 14, memGB: 32, memBwGBs: 900,
            intraLinkGBs: 32, intraTopology: .pcie, chipsPerNode: 8, nicGbps: nil, tdpW: 250,
            matmulEfficiency: 0.75, efficiencySource: ChipCatalog.defaultEfficiencySource,
            source: "NVIDIA Tesla V100 datasheet, PCIe column: 112 TFLOPS tensor (FP16 in, FP32 accumulate; Volta has no BF16 and no sparsity), 14 TFLOPS FP32, 32 GB HBM2 at 900 GB/s, PCIe Gen3 32 GB/s, 250 W",
            notes: "bf16_tflops holds the FP16 tensor rate (no BF16 on Volta). PCIe Gen3 x16 = 16 GB/s per direction. No NIC figure: clusters assume the catalog default.",
            confidence: .high),
        Chip(
            id: "nvidia_rtx_3090", vendor: "NVIDIA", name: "GeForce RTX 3090 24GB",
            bf16Tflops: 71, fp16Tflops: 71, fp32Tflops: 35.6, memGB: 24, memBwGBs: 936,
            intraLinkGBs: 64, intraTopology: .pcie, chipsPerNode: 8, nicGbps: nil, tdpW: 350,
            matmulEfficiency: 0.75, efficiencySource: ChipCatalog.defaultEfficiencySource,
            source: "NVIDIA Ampere GA102 GPU Architecture whitepaper, RTX 3090 column: FP16 and BF16 tensor with FP32 accumulate 71 TFLOPS dense (142 with FP16 accumulate; 2x with sparsity), FP32 35.6 TFLOPS, 24 GB GDDR6X at 936 GB/s, 350 W TGP",
            notes: "Uses the FP32-accumulate tensor rate (half the FP16-accumulate 142). PCIe Gen4 x16 (64 GB/s bidirectional); the 2-way NVLink bridge (112.5 GB/s) is not modelled.",
            confidence: .high),
        Chip(
            id: "nvidia_rtx_4090", vendor: "NVIDIA", name: "GeForce RTX 4090 24GB",
            bf16Tflops: 165.2, fp16Tflops: 165.2, fp32Tflops: 82.6, fp8Tflops: 330.3, memGB: 24, memBwGBs: 1008,
            intraLinkGBs: 64, intraTopology: .pcie, chipsPerNode: 8, nicGbps: nil, tdpW: 450,
            matmulEfficiency: 0.75, efficiencySource: ChipCatalog.defaultEfficiencySource,
            source: "NVIDIA Ada GPU Architecture whitepaper, RTX 4090 column: FP16/BF16 tensor with FP32 accumulate 165.2 TFLOPS dense (330.3 with FP16 accumulate), FP8 with FP32 accumulate 330.3 dense, FP32 82.6 TFLOPS, 24 GB GDDR6X at 1008 GB/s, 450 W TGP",
            notes: "Uses the FP32-accumulate tensor rates (half the FP16-accumulate rates). No NVLink; PCIe Gen4 x16. Named in NVIDIA's Oct-2023 export filing (accelerators.md §5).",
            confidence: .high),
        Chip(
            id: "nvidia_rtx_2080_ti", vendor: "NVIDIA", name: "GeForce RTX 2080 Ti 11GB",
            bf16Tflops: 53.8, fp16Tflops: 53.8, fp32Tflops: 13.4, memGB: 11, memBwGBs: 616,
            intraLinkGBs: 32, intraTopology: .pcie, chipsPerNode: 8, nicGbps: nil, tdpW: 250,
            matmulEfficiency: 0.75, efficiencySource: ChipCatalog.defaultEfficiencySource,
            source: "NVIDIA Turing GPU Architecture whitepaper, RTX 2080 Ti reference column: FP16 tensor with FP32 accumulate 53.8 TFLOPS (107.6 with FP16 accumulate), FP32 13.4 TFLOPS, 11 GB GDDR6 at 616 GB/s, 250 W",
            notes: "No BF16 on Turing: bf16_tflops holds the FP16 tensor rate with FP32 accumulate (half the FP16-accumulate rate). Reference clocks (Founders Edition: 56.9). PCIe Gen3 x16; the 2-way NVLink bridge is not modelled.",
            confidence: .high),
        Chip(
            id: "nvidia_titan_rtx", vendor: "NVIDIA", name: "TITAN RTX 24GB",
            bf16Tflops: 130, fp16Tflops: 130, fp32Tflops: 16.3, memGB: 24, memBwGBs: 672,
            intraLinkGBs: 32, intraTopology: .pcie, chipsPerNode: 8, nicGbps: nil, tdpW: 280,
            matmulEfficiency: 0.75, efficiencySource: ChipCatalog.defaultEfficiencySource,
            source: "NVIDIA TITAN RTX specifications: 130 TFLOPS tensor (FP16, full-rate FP32 accumulate on TITAN), 16.3 TFLOPS FP32, 24 GB GDDR6 at 672 GB/s, 280 W",
            notes: "No BF16 on Turing: bf16_tflops holds the FP16 tensor rate. Unlike GeForce, TITAN RTX runs FP32 accumulate at full rate. PCIe Gen3 x16.",
            confidence: .medium),
        Chip(
            id: "nvidia_t4", vendor: "NVIDIA", name: "T4 16GB",
            bf16Tflops: 65, fp32Tflops: 8.1, memGB: 16, memBwGBs: 320,
            intraLinkGBs: 32, intraTopology: .pcie, chipsPerNode: 8, nicGbps: nil, tdpW: 70,
            matmulEfficiency: 0.75, efficiencySource: ChipCatalog.defaultEfficiencySource,
            source: "NVIDIA T4 Tensor Core GPU datasheet: 65 TFLOPS mixed precision (FP16/FP32), 8.1 TFLOPS FP32, 16 GB GDDR6 at 320 GB/s, 70 W, PCIe Gen3 x16",
            notes: "No BF16 on Turing: bf16_tflops holds the FP16 mixed-precision rate. Low-clocked 70 W card: sustained rates depend on cooling.",
            confidence: .high),
        Chip(
            id: "nvidia_a10", vendor: "NVIDIA", name: "A10 24GB",
            bf16Tflops: 125, fp32Tflops: 31.2, memGB: 24, memBwGBs: 600,
            intraLinkGBs: 64, intraTopology: .pcie, chipsPerNode: 8, nicGbps: nil, tdpW: 150,
            matmulEfficiency: 0.75, efficiencySource: ChipCatalog.defaultEfficiencySource,
            source: "NVIDIA A10 Tensor Core GPU datasheet: BF16/FP16 tensor 125 TFLOPS dense (250 with sparsity), FP32 31.2 TFLOPS, 24 GB GDDR6 at 600 GB/s, 150 W, PCIe Gen4 64 GB/s",
            notes: "Datasheet sparse figures halved.",
            confidence: .high),
        Chip(
            id: "nvidia_l4", vendor: "NVIDIA", name: "L4 24GB",
            bf16Tflops: 121, fp32Tflops: 30.3, fp8Tflops: 242.5, memGB: 24, memBwGBs: 300,
            intraLinkGBs: 64, intraTopology: .pcie, chipsPerNode: 8, nicGbps: nil, tdpW: 72,
            matmulEfficiency: 0.75, efficiencySource: ChipCatalog.defaultEfficiencySource,
            source: "NVIDIA L4 Tensor Core GPU datasheet: BF16/FP16 242 and FP8 485 TFLOPS with sparsity (dense = half: 121 and 242.5), FP32 30.3 TFLOPS, 24 GB GDDR6 at 300 GB/s, 72 W, PCIe Gen4 x16 64 GB/s",
            notes: "Datasheet sparse figures halved.",
            confidence: .high),
        Chip(
            id: "nvidia_gh200", vendor: "NVIDIA", name: "GH200 Grace Hopper Superchip (96GB HBM3)",
            bf16Tflops: 989.4, fp32Tflops: 67, fp8Tflops: 1978.9, memGB: 96, memBwGBs: 4000,
            intraLinkGBs: 900, intraTopology: .switch, chipsPerNode: 1, nicGbps: 400, tdpW: 1000,
            matmulEfficiency: 0.75, efficiencySource: ChipCatalog.defaultEfficiencySource,
            source: "NVIDIA GH200 Grace Hopper Superchip datasheet: BF16 1979 and FP8 3958 TFLOPS with sparsity (same GH100 as H100 SXM, dense 989.4 / 1978.9 per accelerators.md §2), FP32 67 TFLOPS, 96 GB HBM3 at 4 TB/s, NVLink 900 GB/s, module power programmable 450-1000 W (CPU + GPU + memory); NIC: one ConnectX-7 400 Gb/s per superchip as in DGX GH200 (medium confidence)",
            notes: "GPU memory only (Grace's LPDDR5X is not counted); a 144 GB HBM3e variant exists. One superchip per node as in MGX servers; NVL32 / DGX GH200 build NVLink switch domains: set chips_per_node for those. tdp_w is the module maximum.",
            confidence: .medium),
    ]

    /// Per-device variants of rows the CSV lists per package (accelerators.md §1:
    /// a simulator that schedules per device should halve compute, memory and bandwidth).
    static let perDeviceChips: [Chip] = [
        Chip(
            id: "amd_mi250x_gcd", vendor: "AMD", name: "Instinct MI250X, one GCD (half package)",
            bf16Tflops: 191.5, fp32Tflops: 23.95, memGB: 64, memBwGBs: 1638.5,
            intraLinkGBs: 400, intraTopology: .fullMesh, chipsPerNode: 8, nicGbps: 100, tdpW: 280,
            matmulEfficiency: 0.75, efficiencySource: ChipCatalog.defaultEfficiencySource,
            source: "derived from amd_mi250x (accelerators.csv) by halving compute, memory, bandwidth, Infinity Fabric aggregate, TDP and the per-OAM 200 Gb/s NIC; 8 GCDs per Frontier node (accelerators.md §4)",
            notes: "Full mesh of 8 GCDs: per peer 400/2/7 = 28.6 GB/s per direction, an average of the 200 GB/s in-package and 50-100 GB/s cross-OAM GCD pairs.",
            confidence: .medium),
        Chip(
            id: "huawei_ascend_910c_die", vendor: "Huawei (HiSilicon)", name: "Ascend 910C, one die (half package)",
            bf16Tflops: 353.9, fp16Tflops: 376, fp32Tflops: 11, memGB: 64, memBwGBs: 1600,
            intraLinkGBs: 392, intraTopology: .switch, chipsPerNode: 16, nicGbps: 200, tdpW: nil,
            matmulEfficiency: 328.0 / 353.9,
            efficiencySource: "assumption: the 910B2 GEMM fraction 328/353.9 (accelerators.md §6.3) carries over to a 910B-class die",
            source: "derived from huawei_ascend_910c (accelerators.csv): per-die BF16 353.9 / FP16 376 from msmodeling ATLAS_800_A3_752T_128G_DIE, half of 128 GB and 3.2 TB/s, UB 196 GB/s per direction per die, half of the 400 Gb/s RDMA plane; 16 dies per 8-package node",
            notes: "The two dies of a package are linked by SIO (224 GB/s), modelled as part of the UB switch domain.",
            confidence: .medium),
    ]

    /// Efficiency note for chips with no GEMM measurement.
    static let defaultEfficiencySource =
        "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)"
}
