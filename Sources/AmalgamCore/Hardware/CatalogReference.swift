// Generated from /work/shared/reference/accelerators.csv (32 rows); figures are
// copied verbatim. Topology kind, FP16/FP8, efficiency, confidence and the
// assumptions for blank cells are this catalog's additions, noted per chip.

extension ChipCatalog {
    /// The 32 chips of `accelerators.csv`, in its row order.
    static let referenceChips: [Chip] = [
        Chip(
            id: "nvidia_v100_sxm2", vendor: "NVIDIA", name: "Tesla V100 SXM2 32GB (16GB variant also)",
            bf16Tflops: 125, fp16Tflops: nil, fp32Tflops: 15.7, fp8Tflops: nil,
            memGB: 32, memBwGBs: 900,
            intraLinkGBs: 300, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: 50, tdpW: 300,
            matmulEfficiency: 0.75, efficiencySource: "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)",
            source: "accelerators.csv: maosong.website/p/nvidia-gpu-specs (Volta whitepaper table: 125 Tensor/15.7 FP32/300W); iitr.ac.in/dgx (DGX-1 NVLink: 6 links x 25 GB/s/dir, hybrid cube-mesh); leslivresblancs.fr NVIDIA DGX-1 V100 white paper (four 100Gb IB NICs)",
            notes: "BF16 NOT supported: value is FP16 Tensor Core (dense; Volta has no sparsity). HBM2 16/32GB. DGX-1V has 4x100Gb/s EDR IB for 8 GPUs (~50 Gb/s per GPU). Export: 125x16=2000 TPP < 4800 (own calc) - not caught by Oct-2023 rule. Confidence: high. Topology: NVLink2 hybrid cube-mesh (DGX-1), no switch; 6 links x 25 GB/s per direction. Modelled as full_mesh: the DGX-1 hybrid cube-mesh gives some pairs two links, some one and some none, so the per-peer figure (300/2/7 GB/s per direction) is an average.",
            confidence: .high
        ),
        Chip(
            id: "nvidia_a100_sxm4_40g", vendor: "NVIDIA", name: "A100 SXM4 40GB",
            bf16Tflops: 312, fp16Tflops: nil, fp32Tflops: 19.5, fp8Tflops: nil,
            memGB: 40, memBwGBs: 1555,
            intraLinkGBs: 600, intraTopology: .switch, chipsPerNode: 8,
            nicGbps: 200, tdpW: 400,
            matmulEfficiency: 286.0 / 312.0, efficiencySource: "measured BF16 GEMM 286 TF on A800 vs 312 TF peak (accelerators.md §6.3); same silicon as A100. End-to-end MFU is lower: 0.40-0.50 (§6.4)",
            scaleUpEfficiency: LinkEfficiency.a100NVSwitch,
            scaleUpEfficiencySource: "8x A100 NVSwitch ring all_reduce busbw ~230 GB/s of a 300 GB/s port (nccl-tests#149, sjeaugey; Azure ND A100 v4 231.58 GB/s at 8 GiB)",
            source: "accelerators.csv: glennklockwood.com/garden/processors/A100 (citing NVIDIA A100 datasheet); upb-pc2.atlassian.net A100 40GB spec page; jingchaozhang.github.io/A100-white-paper (6 NVSwitch, 600 GB/s); arXiv 2104.04473 (Selene, 200 Gbps HDR IB)",
            notes: "624 TFLOPS BF16 is the 2:4-SPARSE figure; dense=312. TF32 156 dense. INT8 624 dense. DGX A100 / Selene: 200 Gb/s HDR IB per GPU. Export: licence required for China since Oct-2022 rule (A800 created). Confidence: high. Topology: NVLink3 via 6x NVSwitch (HGX/DGX A100), all-to-all; 300 GB/s per direction.",
            confidence: .high
        ),
        Chip(
            id: "nvidia_a100_sxm4_80g", vendor: "NVIDIA", name: "A100 SXM4 80GB",
            bf16Tflops: 312, fp16Tflops: nil, fp32Tflops: 19.5, fp8Tflops: nil,
            memGB: 80, memBwGBs: 2039,
            intraLinkGBs: 600, intraTopology: .switch, chipsPerNode: 8,
            nicGbps: 200, tdpW: 400,
            matmulEfficiency: 286.0 / 312.0, efficiencySource: "measured BF16 GEMM 286 TF on A800 vs 312 TF peak (accelerators.md §6.3); same silicon as A100. End-to-end MFU is lower: 0.40-0.50 (§6.4)",
            scaleUpEfficiency: LinkEfficiency.a100NVSwitch,
            scaleUpEfficiencySource: "8x A100 NVSwitch ring all_reduce busbw ~230 GB/s of a 300 GB/s port (nccl-tests#149, sjeaugey; Azure ND A100 v4 231.58 GB/s at 8 GiB)",
            source: "accelerators.csv: thundercompute.com/blog/nvidia-a100-specs-full-guide; glennklockwood.com/garden/processors/A100; arXiv 2104.04473",
            notes: "Same compute as 40GB; HBM2e 2039 GB/s (PCIe 80GB: 1935 GB/s, 300W). 624 = sparse. Peak used by Narayanan et al. SC21 MFU table (312 TFLOPS). Export: licence required (Oct-2022). Confidence: high. Topology: NVLink3 via 6x NVSwitch, all-to-all.",
            confidence: .high
        ),
        Chip(
            id: "nvidia_a800_sxm4_80g", vendor: "NVIDIA", name: "A800 SXM4 80GB (China variant of A100)",
            bf16Tflops: 312, fp16Tflops: nil, fp32Tflops: 19.5, fp8Tflops: nil,
            memGB: 80, memBwGBs: 2039,
            intraLinkGBs: 400, intraTopology: .switch, chipsPerNode: 8,
            nicGbps: 200, tdpW: 400,
            matmulEfficiency: 286.0 / 312.0, efficiencySource: "measured BF16 GEMM 286 TF on A800 vs 312 TF peak (accelerators.md §6.3); same silicon as A100. End-to-end MFU is lower: 0.40-0.50 (§6.4)",
            source: "accelerators.csv: aiwiki.ai/wiki/nvidia_a800; tadviser.com (distributor spec 400 vs 600 GB/s); svethardware.cz; videocardz.com (Oct-2023 ban incl. A800)",
            notes: "Identical to A100 except chip-to-chip NVLink cut 600->400 GB/s to fall under the Oct-7-2022 600 GB/s I/O threshold (Nov 2022). Banned by Oct-17-2023 rule (TPP-based). NIC per GPU assumed = DGX/HGX A100 norm (not separately verified). 40GB/PCIe variants exist. Confidence: high (compute/NVLink), medium (NIC). Topology: NVLink3 via NVSwitch, all-to-all, capped at 400 GB/s.",
            confidence: .high
        ),
        Chip(
            id: "nvidia_h100_sxm5", vendor: "NVIDIA", name: "H100 SXM5 80GB",
            bf16Tflops: 989.4, fp16Tflops: nil, fp32Tflops: 66.9, fp8Tflops: 1978.9,
            memGB: 80, memBwGBs: 3350,
            intraLinkGBs: 900, intraTopology: .switch, chipsPerNode: 8,
            nicGbps: 400, tdpW: 700,
            matmulEfficiency: 0.75, efficiencySource: "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)",
            scaleUpEfficiency: LinkEfficiency.h100NVSwitch,
            scaleUpEfficiencySource: "8x H100 NVSwitch NCCL_ALGO=RING busbw 365-370 GB/s of a 450 GB/s port (nccl#1455; nccl-tests#212)",
            source: "accelerators.csv: glennklockwood.com/garden/processors/h100 (NVIDIA datasheet table, VFMA/Matrix/Sparse); prohardver.hu (NVIDIA final H100 spec table); docs.nvidia.com/dgx-basepod/.../core-components.html (8x CX7 400Gb/s)",
            notes: "Datasheet 1979 TFLOPS BF16 is SPARSE; dense 989.4. FP8 dense 1978.9 (3957.8 sparse). TF32 dense 494.7. FP64 33.5/66.9 tensor. DGX H100: 8x single-port ConnectX-7 400 Gb/s. Export: licence required since Oct-2022. Confidence: high. Topology: NVLink4 (18 links) via 4x NVSwitch gen3, all-to-all; 450 GB/s per direction.",
            confidence: .high
        ),
        Chip(
            id: "nvidia_h800_sxm5", vendor: "NVIDIA", name: "H800 SXM5 80GB (China variant of H100)",
            bf16Tflops: 989.4, fp16Tflops: nil, fp32Tflops: 66.9, fp8Tflops: 1978.9,
            memGB: 80, memBwGBs: 3350,
            intraLinkGBs: 400, intraTopology: .switch, chipsPerNode: 8,
            nicGbps: 400, tdpW: 700,
            matmulEfficiency: 0.75, efficiencySource: "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)",
            source: "accelerators.csv: github.com/Ascend/msmodeling tensor_cast/device.py (H800_SXM profile, restricted NVLink 200 GB/s/dir); philisun.com H800 vs H100; golem.de; tomshardware.com (Reuters report); arxiv.org/html/2505.09343v2 (DeepSeek-V3 H800 cluster)",
            notes: "Same GH100 compute as H100 SXM; NVLink cut 900->400 GB/s bidir and FP64 cut to ~1 TFLOPS (secondary sources; early Reuters said 'about half'). Sold Mar-Oct 2023, banned by Oct-17-2023 rule. DeepSeek-V3: 2048 H800, 8 GPUs/node, 400G IB multi-plane fat-tree. Huawei msmodeling models it as 200 GB/s uni NVLink. Confidence: medium-high. Topology: NVLink4 via NVSwitch, all-to-all, capped at 400 GB/s (200 GB/s per direction).",
            confidence: .medium
        ),
        Chip(
            id: "nvidia_h20", vendor: "NVIDIA", name: "HGX H20 96GB (China-compliant Hopper)",
            bf16Tflops: 148, fp16Tflops: nil, fp32Tflops: 44, fp8Tflops: 296,
            memGB: 96, memBwGBs: 4000,
            intraLinkGBs: 900, intraTopology: .switch, chipsPerNode: 8,
            nicGbps: 400, tdpW: 400,
            matmulEfficiency: 0.75, efficiencySource: "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)",
            source: "accelerators.csv: tomshardware.com H20/L20/L2 spec table (BF16/FP16 148, FP8 296, TF32 74); tweaktown.com (400W TDP, 900GB/s NVLink, 8-way HGX); zangshuxian.com (FP32 44, FP64 1); github.com/Ascend/msmodeling device.py H20 profile; taoguba.com.cn (IB/800G optics, same as H100)",
            notes: "China-compliant part designed after Oct-2023 rule (TPP ~148x16=2368). FP8/INT8 296 dense; TF32 74; FP64 ~1. ~78 SMs. Memory/NVLink not cut -> strong for memory-bound inference, ~15% of H100 dense compute. NIC: supply-chain note says same IB/800G-optics architecture as H100 (400G/GPU assumed, unverified). Later US licence requirement (2025) reported by secondary sources. Confidence: high (compute/mem), medium (NIC). Topology: NVLink4 900 GB/s via NVSwitch, 8-way HGX.",
            confidence: .high
        ),
        Chip(
            id: "nvidia_l20", vendor: "NVIDIA", name: "L20 48GB PCIe (China-compliant Ada)",
            bf16Tflops: 119.5, fp16Tflops: nil, fp32Tflops: 59.8, fp8Tflops: 239,
            memGB: 48, memBwGBs: 864,
            intraLinkGBs: 64, intraTopology: .pcie, chipsPerNode: 8,
            nicGbps: 200, tdpW: 275,
            matmulEfficiency: 0.75, efficiencySource: "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)",
            source: "accelerators.csv: tomshardware.com H20/L20/L2 table; technical.city/pl/video/L20 (275W); github.com/Ascend/msmodeling device.py L20 profile (FP32 59.8, 864 GB/s); taoguba.com.cn (200G network)",
            notes: "AD102, 48GB GDDR6. BF16 119.5 / FP8 239 are dense per NVIDIA China table (sparse x2). China-compliant replacement for L40S. NIC: supply-chain note says L20 paired with 200G (HDR200 or 200GE) like L40S - typical, unverified per-GPU ratio. Confidence: high (compute), low (NIC). Topology: PCIe Gen4 x16 only (no NVLink); 64 GB/s bidir.",
            confidence: .high
        ),
        Chip(
            id: "nvidia_l40s", vendor: "NVIDIA", name: "L40S 48GB PCIe",
            bf16Tflops: 362, fp16Tflops: nil, fp32Tflops: 91.6, fp8Tflops: 733,
            memGB: 48, memBwGBs: 864,
            intraLinkGBs: 64, intraTopology: .pcie, chipsPerNode: 8,
            nicGbps: 200, tdpW: 350,
            matmulEfficiency: 0.75, efficiencySource: "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)",
            source: "accelerators.csv: mullet.se L40/L40S spec table (* = with sparsity); omegaco.ae L40S spec; NVIDIA L40S datasheet (scribd mirror); technews.lt / videocardz.com (Oct-17-2023 rule incl. L40S)",
            notes: "Datasheet 733 TFLOPS BF16 is SPARSE; dense 362.05. FP8 733 dense (1466 sparse). TF32 183 dense. Export: named in NVIDIA Oct-2023 filing as newly licence-required for China. NIC per GPU not standardised (200G typical per supply-chain note; unverified). Confidence: high (compute), low (NIC). Topology: PCIe Gen4 x16 only (no NVLink).",
            confidence: .high
        ),
        Chip(
            id: "nvidia_h200_sxm", vendor: "NVIDIA", name: "H200 SXM 141GB",
            bf16Tflops: 989.4, fp16Tflops: nil, fp32Tflops: 66.9, fp8Tflops: 1978.9,
            memGB: 141, memBwGBs: 4800,
            intraLinkGBs: 900, intraTopology: .switch, chipsPerNode: 8,
            nicGbps: 400, tdpW: 700,
            matmulEfficiency: 0.75, efficiencySource: "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)",
            source: "accelerators.csv: aiwiki.ai/wiki/nvidia_h200; saulelectric.com/nvidia-h200; NVIDIA H200 datasheet link in github.com/peaklau2008/peaklau2008.github.io ai.md; docs.nvidia.com/dgx-basepod core-components",
            notes: "Same GH100 compute as H100 (1979 BF16 on datasheet = sparse). HBM3e 141GB, 4.8 TB/s. H200 NVL (PCIe) 600W variant. DGX H200: 8x CX7 400G. Export: restricted (TPP>4800); Dec-2025 case-by-case approvals reported only by secondary sources. Confidence: high. Topology: NVLink4 via 4x NVSwitch, all-to-all (HGX/DGX H200).",
            confidence: .high
        ),
        Chip(
            id: "nvidia_b200_hgx", vendor: "NVIDIA", name: "B200 (HGX/DGX B200, 1000W config)",
            bf16Tflops: 2250, fp16Tflops: nil, fp32Tflops: 80, fp8Tflops: 4500,
            memGB: 180, memBwGBs: 8000,
            intraLinkGBs: 1800, intraTopology: .switch, chipsPerNode: 8,
            nicGbps: 400, tdpW: 1000,
            matmulEfficiency: 0.75, efficiencySource: "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)",
            source: "accelerators.csv: glennklockwood.com/garden/processors/B200 (HGX 1000W and GB200 1200W tables); docs.nvidia.com/dgx-basepod/.../core-components.html (DGX B200 1.4TB, 8x CX7 400G); docs.vultr.com inference-cookbook hardware-overview (179GB, 8 TB/s, NV18); hmc-tech.com B200 (7.7 TB/s)",
            notes: "Dual-die Blackwell. 4500 BF16 = SPARSE; dense 2250 (HGX, 1000W). FP8 dense 4500; FP4 dense 9000. GB200 (1200W) variant: BF16 2500 dense. 192GB physical HBM3e, ~180GB usable (DGX B200 = 1,440GB total; nvidia-smi shows ~179GB); 7.7-8 TB/s quoted. DGX B200: 8x CX7 400G. Export: restricted. Confidence: high (compute), medium (exact usable memory/BW). Topology: NVLink5 (18 links) via NVSwitch, all-to-all 8-GPU (NV18 in nvidia-smi topo).",
            confidence: .high
        ),
        Chip(
            id: "amd_mi250x", vendor: "AMD", name: "Instinct MI250X (OAM, 2 GCDs)",
            bf16Tflops: 383, fp16Tflops: nil, fp32Tflops: 47.9, fp8Tflops: nil,
            memGB: 128, memBwGBs: 3277,
            intraLinkGBs: 800, intraTopology: .fullMesh, chipsPerNode: 4,
            nicGbps: 200, tdpW: 560,
            matmulEfficiency: 0.75, efficiencySource: "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)",
            source: "accelerators.csv: zexron.com (AMD MI250/MI250X table: 383 FP16/BF16, 47.9/95.7, 128GB, 3.2 TB/s); yobitel.com/knowledge-base/amd-mi250 (560W, 100 GB/s per IF link); github.com/rocm/hipblas/issues/534 (383 peak); rocm.docs.amd.com MI250 microarchitecture (50 GB/s per x16 IF link); docs.olcf.ornl.gov Frontier User Guide (4x MI250X, 200 GB/s in-package, 50-100 GB/s across)",
            notes: "Per package (2 GCDs; each GCD is a separate GPU: 64GB, ~1.6 TB/s, ~191.5 TFLOPS). 383 FP16/BF16 matrix peak (CDNA2 has no structured-sparsity doubling in AMD table). FP32: 47.9 vector / 95.7 matrix (packed). intra_link 800 = 8 links x 100 GB/s bidir vendor aggregate, of which in-package GCD-GCD consumes ~200 GB/s => ~400 GB/s external (own inference). NIC: Frontier 1x Slingshot 200G per OAM (not re-verified). Confidence: high (compute/mem), medium (link/NIC). Topology: xGMI/Infinity Fabric partial mesh, no switch (HPE Cray EX/Frontier: 4 OAM = 8 GCDs per node; GCD-GCD in package 200 GB/s, across OAMs 50-100 GB/s per GCD pair). Modelled as a full_mesh of 4 packages per node: the real Frontier fabric is a partial mesh and the 800 GB/s aggregate includes the in-package GCD-GCD link; see amd_mi250x_gcd for per-device scheduling.",
            confidence: .high
        ),
        Chip(
            id: "amd_mi300x", vendor: "AMD", name: "Instinct MI300X 192GB (OAM)",
            bf16Tflops: 1307.4, fp16Tflops: nil, fp32Tflops: 163.4, fp8Tflops: 2614.9,
            memGB: 192, memBwGBs: 5300,
            intraLinkGBs: 896, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: 400, tdpW: 750,
            matmulEfficiency: 0.75, efficiencySource: "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)",
            source: "accelerators.csv: raw.githubusercontent.com/alpharomercoma/MI300X-vs-H200 REPORT.md (BF16 dense 1307.4, FP8 2614.9); gpu.blog MI300X (FP32 163.4, 750W, 896 GB/s); wheelersnetwork.com 2024/01 (7 IF links x16, 128 GB/s bidir each); MicrosoftDocs azure-docs nd-mi300x-v5-series (8x400 Gigabit NDR); mlcommons inference_results_v4.1 8xMI300X system json (750W, 8/node, XGMI)",
            notes: "2614.9 BF16 = SPARSE; dense 1307.4. FP8 dense 2614.9 (5229.8 sparse). FP32 vector/matrix 163.4. 304 CUs, 8 XCDs. Per-peer bandwidth (64 GB/s/dir) much lower than NVSwitch any-to-any. Azure ND MI300X v5: 8x 400G NDR (1 per GPU). Export: restricted. Confidence: high. Topology: xGMI direct full mesh (8 OAM on UBB), no switch; 7 links x 128 GB/s bidir => 64 GB/s/dir per peer pair.",
            confidence: .high
        ),
        Chip(
            id: "intel_gaudi2", vendor: "Intel (Habana)", name: "Gaudi 2 (HL-225H OAM)",
            bf16Tflops: 432, fp16Tflops: nil, fp32Tflops: nil, fp8Tflops: nil,
            memGB: 96, memBwGBs: 2460,
            intraLinkGBs: 525, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: 300, tdpW: 600,
            matmulEfficiency: 0.75, efficiencySource: "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)",
            source: "accelerators.csv: sgpjbg.com/baogao/465025 (Intel Hot Chips 2024 Gaudi 3 deck: Gaudi2 432 TFLOPs BF16, 96GB, 2.46 TB/s, 600W, 4.8 Tb/s NIC); habana.ai/products/networking (24x100GbE, all-to-all scale-up, 2.4TB scale-out); technode.com 2023-07-12 (China Gaudi2 HL-225B)",
            notes: "BF16 matrix (MME) 432 (no sparsity quoted). FP32 not given in retrieved Intel material. 24x100GbE integrated (4.8 Tb/s bidir): 21 scale-up (262.5 GB/s/dir) + 3 scale-out (300 Gb/s per chip, 2.4 Tb/s per server). China-specific cut-down Gaudi2 (HL-225B) launched Jul-2023. Confidence: high (compute/mem), medium (port split by analogy with Gaudi3 doc + Habana networking page). Topology: On-chip RoCE v2 NICs: 21x100GbE used for all-to-all (3 ports per peer) in 8-card HLS-Gaudi2, no switch.",
            confidence: .high
        ),
        Chip(
            id: "intel_gaudi3", vendor: "Intel (Habana)", name: "Gaudi 3 (HL-325L OAM)",
            bf16Tflops: 1835, fp16Tflops: nil, fp32Tflops: nil, fp8Tflops: 1835,
            memGB: 128, memBwGBs: 3670,
            intraLinkGBs: 1050, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: 600, tdpW: 900,
            matmulEfficiency: 0.75, efficiencySource: "assumption: 75% of dense peak on large GEMMs (no GEMM measurement for this chip in accelerators.md; end-to-end training MFU, accelerators.md §6.4, is lower)",
            source: "accelerators.csv: sgpjbg.com/baogao/465025 (Intel Hot Chips 2024: 1835 BF16/FP8, 28.7 vector, 128GB, 3.67 TB/s, 900/1200W); docs.habana.ai/en/latest/Management_and_Monitoring/Network_Configuration (21 scale-up + 3 scale-out 200G ports, 525/1050 GB/s)",
            notes: "BF16 and FP8 matrix both 1835 (dense). BF16 vector only 28.7 TFLOPS; FP32 not listed. 900W air / 1200W liquid. 96MB SRAM. Scale-out 3x200GbE = 600 Gb/s per chip (75 GB/s/dir), bundled into OSFP 800G ports. Export: above TPP threshold (restricted). Confidence: high. Topology: On-chip RoCE: 21x200GbE all-to-all (3 ports per peer) in 8-card HLS-3, no switch; 525 GB/s/dir.",
            confidence: .high
        ),
        Chip(
            id: "huawei_ascend_910a", vendor: "Huawei (HiSilicon)", name: "Ascend 910 (910A)",
            bf16Tflops: 256, fp16Tflops: nil, fp32Tflops: nil, fp8Tflops: nil,
            memGB: 32, memBwGBs: 1200,
            intraLinkGBs: 90, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: 100, tdpW: 310,
            matmulEfficiency: 0.6, efficiencySource: "assumption: 60% of dense peak, a lower prior for accelerators without published large-scale results (accelerators.md §6.4 recommends a lower, wider prior)",
            source: "accelerators.csv: vengineer.hatenablog.com/entry/2019/09/06/070000 (HC31: 256 TF FP16, 3x240Gbps HCCS, 2x100G RoCE, 350W); support.huaweicloud.com CCE 'Ascend HCCS-Interconnected NPU Affinity' (8 chips: two HCCS groups of 4 + PCIe switch); support.huawei.com EDOC1100164821 Atlas 300T (100G ETH per card); hxnews.com Atlas 900 (256 TFLOPS, 100G); mindtorch config comment ('910A doesn't support BF16'); boardor.com (310W)",
            notes: "FP16 only (910A has NO BF16) - value is FP16 cube peak; INT8 512 TOPS. 32 DaVinci cores, TSMC 7nm+. TDP: 310W (Huawei/Atlas 300T) vs 350W (Hot Chips 31 slide). Memory 4x HBM2 32GB; bandwidth ~1.2 TB/s is secondary-source/uncertain. HC31: 2x100G RoCE on die; deployments: 1x100GE per NPU (Atlas 300T/Atlas 800-9000: 8x100GE). Huawei on US Entity List since 2019. Confidence: high (FLOPS/topology), low (mem BW). Topology: HCCS full mesh inside 4-chip group (3 HCCS ports x 240 Gb/s = 30 GB/s each); two 4-chip groups per 8-chip server bridged via PCIe switch. Modelled as a full_mesh of 8: the real node is two HCCS groups of 4 bridged over PCIe, so the per-peer figure (90/2/7 GB/s per direction) is an average.",
            confidence: .high
        ),
        Chip(
            id: "huawei_ascend_910b2", vendor: "Huawei (HiSilicon)", name: "Ascend 910B2 (Atlas 800T A2 '376T' SKU)",
            bf16Tflops: 353.9, fp16Tflops: 376, fp32Tflops: 11, fp8Tflops: nil,
            memGB: 64, memBwGBs: 1600,
            intraLinkGBs: 392, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: 200, tdpW: 400,
            matmulEfficiency: 328.0 / 353.9, efficiencySource: "measured BF16 GEMM 328 TF on Ascend 910B vs 353.9 TF peak (accelerators.md §6.3; SKU assumed 910B2). End-to-end MFU 0.30-0.52 (§6.4)",
            source: "accelerators.csv: github.com/Ascend/msmodeling tensor_cast/device.py (ATLAS_800_A2_376T_64G: BF16 353.9/FP16 376/INT8 752, 64GB, 1.6 TB/s, full-mesh 196 GB/s, 25 GB/s inter-node); public HWConf config (ASCEND910B2 353.8 TF, 196 GB/s intra, 50 GB/s inter); ai.gitee.com/docs/compute/clusters_gpu/ascend_gpu (64GB HBM2e, 8-card HCCS full interconnect); hiascend.com ascend-deployer doc (8 NPU ports per Atlas 800T A2 node); 'Awesome Ascend NPU Ecosystem' GitHub list (public survey file: 910B ~1.2 TB/s, Pangu Ultra MFU 52%)",
            notes: "FP16 376 TFLOPS vs BF16 353.9 (Huawei's own modelling distinguishes them; 353.9 = 24 AI cores x 1.8 GHz x 8192 FLOP/cycle). INT8 752. fp32 column = vector FP32 (11); cube HF32 path 99.5. 64GB HBM2e @ '1.6 TB/s' (msmodeling uses 1.6*1024^4 B/s; a community 'Awesome Ascend' list says ~1.2 TB/s -> range 1.2-1.6). Training MFU on 910B-class (Atlas 800T A2): Pangu Ultra 135B dense on 8,192 NPUs ~52% per secondary list (arXiv 2504.07866 primary text not read). Scale-out: integrated 200GE RoCE per NPU (msmodeling 25 GB/s per device; 8 NPU ports/node). TDP ~400W is unverified (310-400W quoted). Variant naming: msmodeling uses 376T/313T/280T SKUs; mapping to B2/B3/B4 from a separate public HWConf table (same BF16 numbers). Confidence: high (compute/mem/HCCS), low (TDP). Topology: HCCS full mesh, 8 NPUs per Atlas 800T A2 (196 GB/s per direction per NPU); no switch.",
            confidence: .high
        ),
        Chip(
            id: "huawei_ascend_910b3", vendor: "Huawei (HiSilicon)", name: "Ascend 910B3 (Atlas 800T A2 '313T' SKU)",
            bf16Tflops: 294.9, fp16Tflops: 313, fp32Tflops: 9, fp8Tflops: nil,
            memGB: 64, memBwGBs: 1600,
            intraLinkGBs: 392, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: 200, tdpW: nil,
            matmulEfficiency: 328.0 / 353.9, efficiencySource: "assumption: the 910B2 GEMM fraction 328/353.9 (accelerators.md §6.3) carries over to this 910B-class SKU",
            source: "accelerators.csv: github.com/Ascend/msmodeling tensor_cast/device.py (ATLAS_800_A2_313T_64G); public HWConf config (ASCEND910B3 294.9 TF)",
            notes: "FP16 313 / BF16 294.9 (20 AI cores x 1.8 GHz x 8192). INT8 626. Vector FP32 9; cube HF32 83. TDP not found in reliable sources (~350-400W quoted informally). Confidence: high (compute), unknown (TDP). Topology: HCCS full mesh, 8 NPUs per node (196 GB/s per direction).",
            confidence: .high
        ),
        Chip(
            id: "huawei_ascend_910b4", vendor: "Huawei (HiSilicon)", name: "Ascend 910B4 ('280T' SKU, 32GB PCIe card variant)",
            bf16Tflops: 245.8, fp16Tflops: 280, fp32Tflops: 8, fp8Tflops: nil,
            memGB: 32, memBwGBs: 800,
            intraLinkGBs: 64, intraTopology: .pcie, chipsPerNode: 8,
            nicGbps: nil, tdpW: nil,
            matmulEfficiency: 328.0 / 353.9, efficiencySource: "assumption: the 910B2 GEMM fraction 328/353.9 (accelerators.md §6.3) carries over to this 910B-class SKU",
            source: "accelerators.csv: github.com/Ascend/msmodeling tensor_cast/device.py (ATLAS_800_A2_280T_32G_PCIE and _280T_64G); public HWConf config (ASCEND910B4 245.7 TF, 32GB, 0.8 TB/s, 32 GB/s intra); ai.gitee.com ascend_gpu doc (FP16 280 TFLOPS)",
            notes: "FP16 280 / BF16 245.8 (20 cores x 1.5 GHz x 8192). INT8 560. 'Ascend 910B = 280 TFLOPS FP16' figures in some cloud docs refer to this SKU. Gitee AI cloud lists 910B at 280 TFLOPS FP16 with 64GB => the 64GB 280T variant. NIC/TDP not sourced. Confidence: medium. Topology: PCIe only in the 32GB card variant (64 GB/s); a 64GB/1.6 TB/s HCCS-full-mesh 280T SKU (ATLAS_800_A2_280T_64G) also exists.",
            confidence: .medium
        ),
        Chip(
            id: "huawei_ascend_910c", vendor: "Huawei (HiSilicon)", name: "Ascend 910C (dual-die, Atlas 800T A3 / CloudMatrix384)",
            bf16Tflops: 707.8, fp16Tflops: 752, fp32Tflops: 22, fp8Tflops: nil,
            memGB: 128, memBwGBs: 3200,
            intraLinkGBs: 784, intraTopology: .switch, chipsPerNode: 8,
            nicGbps: 400, tdpW: nil,
            matmulEfficiency: 328.0 / 353.9, efficiencySource: "assumption: the 910B2 GEMM fraction 328/353.9 (accelerators.md §6.3) carries over to this 910B-class SKU",
            source: "accelerators.csv: arXiv 2506.12708 'Serving LLMs on Huawei CloudMatrix384' (via emergentmind.com/topics/cloudmatrix-datacenter-architecture and besthub.dev summaries: 752 TFLOPS, 128GB, 3.2 TB/s, UB 392 GB/s uni, RDMA 400 Gbps); github.com/Ascend/msmodeling device.py ATLAS_800_A3_752T_128G_DIE / _560T (per-die, SIO 224 GB/s, UB 196 GB/s); hiascend.com mindcluster dl_affinity_0007 (2 processors via SIO = HiAM module, 8 HiAM per node)",
            notes: "Per PACKAGE (2 dies; each die is a separate device, 16 per node). CloudMatrix384 paper: 752 TFLOPS FP16/BF16 dense per package; Huawei msmodeling per-die BF16 353.9 (x2=707.8) vs FP16 376 (x2=752) => BF16 707.8-752 range. UB 392 GB/s per direction per package (196 per die); RDMA plane 400 Gb/s per NPU; 128GB HBM, 3.2 TB/s. A lower-bin '560T' (280 FP16/die) SKU exists. TDP not disclosed. Export: domestic; Huawei entity-listed. Confidence: medium-high (compute/mem/UB), unknown (TDP). Topology: UB (Unified Bus) 2-tier non-blocking Clos: all-to-all across 384 NPUs (48 nodes x 8) in CloudMatrix384; the 2 dies per package linked by SIO (224 GB/s). Modelled as an 8-package switch domain; a CloudMatrix384 supernode is a 384-way UB domain: override chips_per_node = 384 for it.",
            confidence: .medium
        ),
        Chip(
            id: "biren_br100", vendor: "Biren", name: "BR100 (OAM, 2x BR104 chiplets)",
            bf16Tflops: 1024, fp16Tflops: nil, fp32Tflops: 256, fp8Tflops: nil,
            memGB: 64, memBwGBs: 1640,
            intraLinkGBs: 2300, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: nil, tdpW: 550,
            matmulEfficiency: 0.6, efficiencySource: "assumption: 60% of dense peak, a lower prior for accelerators without published large-scale results (accelerators.md §6.4 recommends a lower, wider prior)",
            source: "accelerators.csv: tomshardware.com 'Chinese Biren's new GPUs' (table: BR100 1024 BF16, 256 FP32, 64GB HBM2E 1.64 TB/s, 550W OAM); techpowerup.com/298098 (B-Link 8 lanes, 2.3 TB/s, 550W); servethehome.com Biren BR100 HC34",
            notes: "Hot Chips 34 vendor claims (no sparsity stated; TF32+ 512, INT8 2048). 'FP32 256' almost certainly via tensor/vector-array units, not comparable to NVIDIA CUDA-core FP32. BLink 2.3 TB/s total is per TechPowerUp (one outlet attributes 2.3 TB/s to memory) - treat as uncertain. Biren added to US Entity List Oct-2023; TSMC supply constrained, shipped parts (e.g. BR104/166-series) may be derated. No independent measured figures found. Confidence: medium (paper specs), low (shipping reality, link BW). Topology: BLink (8 ports) in 8-OAM 'Hearten' server; exact topology not verified. Assumption: modelled as full_mesh (BLink 8 ports in an 8-OAM server; exact topology not verified).",
            confidence: .medium
        ),
        Chip(
            id: "biren_br104", vendor: "Biren", name: "BR104 (PCIe card)",
            bf16Tflops: 512, fp16Tflops: nil, fp32Tflops: 128, fp8Tflops: nil,
            memGB: 32, memBwGBs: 819,
            intraLinkGBs: 128, intraTopology: .pcie, chipsPerNode: 8,
            nicGbps: nil, tdpW: 300,
            matmulEfficiency: 0.6, efficiencySource: "assumption: 60% of dense peak, a lower prior for accelerators without published large-scale results (accelerators.md §6.4 recommends a lower, wider prior)",
            source: "accelerators.csv: tomshardware.com Biren table (BR104 512 BF16, 128 FP32, 32GB HBM2E 2048-bit 819 GB/s, 300W FHFL)",
            notes: "Single-chiplet half of BR100 (vendor claims; INT8 1024, TF32+ 256). Same caveats as BR100. Confidence: medium/low. Topology: PCIe Gen5 card (BLink bridge details not public).",
            confidence: .low, assumptions: ["intra_link_gbs": "assumption: no published scale-up figure; PCIe Gen5 x16 = 64 GB/s per direction, 128 GB/s bidirectional"]
        ),
        Chip(
            id: "cambricon_mlu370_x8", vendor: "Cambricon", name: "MLU370-X8 (dual-chip card)",
            bf16Tflops: 96, fp16Tflops: nil, fp32Tflops: 32, fp8Tflops: nil,
            memGB: 48, memBwGBs: 614.4,
            intraLinkGBs: 200, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: nil, tdpW: 250,
            matmulEfficiency: 0.6, efficiencySource: "assumption: 60% of dense peak, a lower prior for accelerators without published large-scale results (accelerators.md §6.4 recommends a lower, wider prior)",
            source: "accelerators.csv: guangxilong.com/c/032129635H022.html and rencaizhenjiang.com 2022-03-24 (Cambricon MLU370-X8 launch: 32/96/96 TFLOPS, 48GB LPDDR5 614.4 GB/s, 250W, MLU-Link 200GB/s, 4-card bridge = 8 chips full interconnect)",
            notes: "Per CARD (2x MLU370 chips / 4 chiplets). Vendor peak: FP32 32, FP16 96, BF16 96, INT16 128, INT8 256, INT4 512. LPDDR5 (not HBM). MLU-Link 200 GB/s per card ('3.1x PCIe 4.0'). NIC not specified. Cambricon entity-listed (Dec-2022, not re-verified here). Confidence: high (vendor launch PR). Topology: MLU-Link bridge: 4 cards (8 chips) fully interconnected per bridge group; 2 groups in an 8-card server. Modelled as full_mesh (an MLU-Link bridge fully connects 4 cards; two bridge groups per 8-card server).",
            confidence: .high
        ),
        Chip(
            id: "cambricon_mlu590", vendor: "Cambricon", name: "MLU590 (Siyuan 590, OAM 'MLU590-M9')",
            bf16Tflops: 314, fp16Tflops: nil, fp32Tflops: 20, fp8Tflops: 628,
            memGB: 96, memBwGBs: 2700,
            intraLinkGBs: 400, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: 200, tdpW: nil,
            matmulEfficiency: 0.6, efficiencySource: "assumption: 60% of dense peak, a lower prior for accelerators without published large-scale results (accelerators.md §6.4 recommends a lower, wider prior)",
            source: "accelerators.csv: github.com/Ascend/msmodeling tensor_cast/device.py (CAMBRICON.MLU590 profile); github.com/ying-wen/evokernel-spec data/hardware/cambricon/mlu590.yaml (256 TF, 64GB, 1228 GB/s, 350W; 'limited public detail'); public survey file survey (~300 TF, 64GB, 2.0 TB/s, 550W); mlu-ops executor (MLU590 TF32 support)",
            notes: "NO official datasheet public. Values = Huawei msmodeling competitor profile (BF16/FP16 314, FP8 628, matrix FP32 157, vector 20, 96GB, 2.7 TB/s, MLU-Link 200 GB/s/dir, 25 GB/s inter-node). Other sources conflict: BF16 256-~300, memory 64/80GB HBM2e, BW 1.23-2.0 TB/s, TDP 350-550W. Supports TF32 (mlu-ops). Treat as LOW confidence; use range in sensitivity studies. Topology: MLU-Link, 8-card domain (topology not publicly documented). Assumption: modelled as full_mesh (MLU-Link topology not publicly documented).",
            confidence: .low
        ),
        Chip(
            id: "hygon_dcu_z100", vendor: "Hygon", name: "DCU Z100 / Z100L (gfx906-class)",
            bf16Tflops: 26, fp16Tflops: nil, fp32Tflops: 13, fp8Tflops: nil,
            memGB: 32, memBwGBs: 1000,
            intraLinkGBs: 184, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: nil, tdpW: 300,
            matmulEfficiency: 0.6, efficiencySource: "assumption: 60% of dense peak, a lower prior for accelerators without published large-scale results (accelerators.md §6.4 recommends a lower, wider prior)",
            source: "accelerators.csv: public survey file (Hygon DCU hardware survey: ~60 CUs @1.7 GHz, 16-32GB HBM2 ~1 TB/s, ~300W, xGMI 184 GB/s analyst); DTK CMake offload-arch list (public survey file: gfx906 = Z100, gfx926 = K100, gfx928 = K100_AI, gfx936 = BW1000)",
            notes: "FLOPS are OWN DERIVED ESTIMATES (not vendor): ~60 CUs x 64 lanes x 2 FLOP x 1.7 GHz = ~13 FP32; packed FP16 ~26 (Vega20/gfx906 class per DTK build flags; no matrix cores, BF16 support unclear). Memory 16-32GB HBM2 ~1 TB/s, ~300W per third-party survey. xGMI 184 GB/s is an analyst number for 'Shensuan-1' (Y100). Hygon entity-listed 2019. Confidence: LOW. Topology: xGMI peer-to-peer (AMD IF-derived), PCIe Gen4 x16 FHFL cards. Assumption: modelled as full_mesh over xGMI peer links.",
            confidence: .low
        ),
        Chip(
            id: "hygon_dcu_k100_ai", vendor: "Hygon", name: "DCU K100_AI (Shensuan-2 AI SKU)",
            bf16Tflops: 180, fp16Tflops: nil, fp32Tflops: nil, fp8Tflops: nil,
            memGB: 64, memBwGBs: 1200,
            intraLinkGBs: 64, intraTopology: .pcie, chipsPerNode: 8,
            nicGbps: nil, tdpW: 400,
            matmulEfficiency: 0.6, efficiencySource: "assumption: 60% of dense peak, a lower prior for accelerators without published large-scale results (accelerators.md §6.4 recommends a lower, wider prior)",
            source: "accelerators.csv: public survey files (Hygon DCU layer table/hw survey citing HAMi hygon-dcu-support and vzkoo analyst report); github.com/ying-wen/evokernel-spec data/hardware/hygon/dcu-k100.yaml (conflicting, low quality)",
            notes: "64GB and 400W from HAMi device registry (via survey). 180 TFLOPS FP16 / 90 FP32 is an ANALYST-REPORT figure for 'Shensuan-2' (low confidence; 90 FP32 looks implausible for vector FP32). Other unsourced claims: 192 BF16, 96GB HBM3, 2.4 TB/s (evokernel, low quality). Memory BW est. ~1.2 TB/s (survey estimate). Successor BW1000 (Shensuan-3) has NO disclosed specs (circulating 192 TFLOPS figure rejected as forum-origin). Confidence: LOW. Topology: xGMI peer-to-peer within node (bandwidth not disclosed); PCIe host. Assumption: modelled as PCIe only (xGMI bandwidth not disclosed).",
            confidence: .low, assumptions: ["intra_link_gbs": "assumption: xGMI bandwidth not disclosed; PCIe Gen4 x16 = 32 GB/s per direction, 64 GB/s bidirectional", "mem_bw_gbs": "assumption: ~1200 GB/s estimate from accelerators.md §3 (no published figure)"]
        ),
        Chip(
            id: "metax_c500", vendor: "MetaX", name: "Xiyun C500 (MXC500, 64GB)",
            bf16Tflops: 280, fp16Tflops: nil, fp32Tflops: 15, fp8Tflops: nil,
            memGB: 64, memBwGBs: 1800,
            intraLinkGBs: 896, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: nil, tdpW: 350,
            matmulEfficiency: 0.6, efficiencySource: "assumption: 60% of dense peak, a lower prior for accelerators without published large-scale results (accelerators.md §6.4 recommends a lower, wider prior)",
            source: "accelerators.csv: FlagOpen/FlagPerf training/metax/* README (C500 64G, IB 2x200Gb/s per node); github.com/Ascend/msmodeling device.py METAX.C550 (280 BF16, 64GB, 1.6 TB/s, 448 GB/s); public survey file (fact-check: 7 MetaXLink ports, C500 board 2/4-card per metax-tech.com prod page, diag template 49/90 GB/s); public survey file (280 TF, 1.8 TB/s, 896 GB/s); juanzhizmbwg.com (ITHome: MXC500 15 TFLOPS FP32); public survey file (C500 240 = INT8 480/2, vendor)",
            notes: "BF16 240-280 across sources (vendor-derived 'INT8 480 -> FP16 240' vs third-party 280; Huawei msmodeling models C550 at 280). FP32 ~15 (ITHome, vector). 64GB HBM2e confirmed (FlagPerf); BW 1.6-1.8 TB/s. MetaXLink: no official GB/s (prospectus: 'comparable to H200'); 896 GB/s (third-party) ~= msmodeling C550 448 GB/s/dir; diag template 49/90 GB/s uni/bidir (likely per-link). TDP ~350W low confidence. FlagPerf test nodes: 2x200G IB per 8-GPU node. Confidence: medium (mem), low (FLOPS/link/TDP). Topology: MetaXLink (7 ports/GPU); C500 PCIe board: 2- or 4-card bridge; 8-card full mesh only in server/OAM form (C550), supernodes 16-64 cards. Modelled as full_mesh (7 MetaXLink ports; 8-card full mesh in server/OAM form).",
            confidence: .low
        ),
        Chip(
            id: "mthreads_mtt_s4000", vendor: "Moore Threads", name: "MTT S4000 (48GB, PCIe)",
            bf16Tflops: 100, fp16Tflops: nil, fp32Tflops: 25, fp8Tflops: nil,
            memGB: 48, memBwGBs: 768,
            intraLinkGBs: 240, intraTopology: .ring, chipsPerNode: 8,
            nicGbps: nil, tdpW: 450,
            matmulEfficiency: 0.6, efficiencySource: "assumption: 60% of dense peak, a lower prior for accelerators without published large-scale results (accelerators.md §6.4 recommends a lower, wider prior)",
            source: "accelerators.csv: io-tech.fi Moore Threads MTT S4000 (25/50/100/200, 48GB GDDR6 768 GB/s, MTLink 240 GB/s, PCIe 5); titancomputers.com (same figures); dvd.gr / overclocking.com (MCCX D800: 8x S4000); public survey file (450W)",
            notes: "Vendor: FP32 25, TF32 50, FP16/BF16 100, INT8 200 (dense; no sparsity claims). GDDR6 384-bit 768 GB/s, PCIe Gen5 x16. Some outlets wrongly quote MTLink 768 GB/s (confused with memory BW). TDP 450W from third-party survey (low confidence). Moore Threads on US Entity List (Oct-2023). KUAE clusters up to 10k S4000. Confidence: high (compute/mem), medium (MTLink), low (TDP). Topology: MTLink 1.0 bridge, 8 cards per MCCX D800 server (topology not published). Assumption: modelled as a ring (MTLink bridge topology not published).",
            confidence: .high
        ),
        Chip(
            id: "kunlunxin_r300", vendor: "Kunlunxin (Baidu)", name: "R300 (Kunlun gen-2 OAM module, R480-X8 baseboard)",
            bf16Tflops: 128, fp16Tflops: nil, fp32Tflops: nil, fp8Tflops: nil,
            memGB: 32, memBwGBs: 512,
            intraLinkGBs: 200, intraTopology: .ring, chipsPerNode: 8,
            nicGbps: 200, tdpW: nil,
            matmulEfficiency: 0.6, efficiencySource: "assumption: 60% of dense peak, a lower prior for accelerators without published large-scale results (accelerators.md §6.4 recommends a lower, wider prior)",
            source: "accelerators.csv: FlagOpen/FlagPerf kunlunxin vendor README (R480-X8: 8x R300, 1 Peta Ops@FP16, 256G, 200GBps aggregate bidirectional, 2 rings; IB 200Gb/s); tomshw.it / chip.pl Kunlun II (512 GB/s)",
            notes: "128 TFLOPS FP16 and 32GB are DERIVED from vendor node totals (R480-X8: 1 PetaOPS FP16, 256GB, 8 modules). Memory BW 512 GB/s assumed from Kunlun gen-2 (GDDR6) - unverified. FlagPerf env: InfiniBand 200 Gb/s. Confidence: medium (compute/mem), low (BW). Topology: R480-X8 OAI UBB: 8x R300, chips form 2 communication rings; 200 GB/s aggregate bidir inter-chip. Modelled as one ring (the R480-X8 forms 2 communication rings over the 200 GB/s aggregate).",
            confidence: .medium
        ),
        Chip(
            id: "kunlunxin_p800", vendor: "Kunlunxin (Baidu)", name: "P800 (Kunlun gen-3, XPU-P)",
            bf16Tflops: 345, fp16Tflops: nil, fp32Tflops: nil, fp8Tflops: nil,
            memGB: 96, memBwGBs: 2700,
            intraLinkGBs: 400, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: 400, tdpW: nil,
            matmulEfficiency: 0.6, efficiencySource: "assumption: 60% of dense peak, a lower prior for accelerators without published large-scale results (accelerators.md §6.4 recommends a lower, wider prior)",
            source: "accelerators.csv: public survey file (fact-check citing kunlunxin.com core-tech page: gen-3, 96GB HBM, 345 TFLOPS FP16; cloud.baidu.com Tianchi: 32/64 cards, XPU:NIC 1:1, 4x400G); github.com/Ascend/msmodeling device.py KUNLUNXIN.P800 (350 BF16, 96GB, 2.7 TB/s, 200 GB/s); github.com/zkkython/llmsim hardware_config/klx_p800.json5 (250 BF16, 1.8 TB/s); techstrong.it (30,000-chip P800 cluster)",
            notes: "Official (kunlunxin.com per sourced fact-check): gen-3, 96GB HBM, FP16 345 TFLOPS (BF16 assumed equal). Memory BW NOT official: 2.7 TB/s (Huawei msmodeling) vs 1.8 TB/s (llmsim) - one comment even claims GDDR6. XPU Link absolute GB/s not published ('8x' vs 8-card server); 400 = msmodeling 200 GB/s/dir. Supernode: XPU:NIC 1:1, up to 4x400G per 4-card tray. Used in 30k-card Baidu cluster. Confidence: medium (FLOPS/mem cap), low (BW/link/TDP). Topology: XPU Link (OISA-compatible): classic 8-card server; Tianchi supernode 32/64 cards per rack, one hop via switch trays. Assumption: modelled as full_mesh for the classic 8-card server.",
            confidence: .medium
        ),
        Chip(
            id: "iluvatar_bi_v150", vendor: "Iluvatar CoreX", name: "Tiangai 150 (BI-V150)",
            bf16Tflops: 192, fp16Tflops: nil, fp32Tflops: 37, fp8Tflops: nil,
            memGB: 64, memBwGBs: 1600,
            intraLinkGBs: 64, intraTopology: .pcie, chipsPerNode: 8,
            nicGbps: nil, tdpW: 350,
            matmulEfficiency: 191.17 / 192.0, efficiencySource: "measured GEMM 191.17 TF vs 192 TF peak (accelerators.md §6.3)",
            source: "accelerators.csv: public survey file (BI-V150 spec block citing iluvatar.com productDetails tg150, CMBI, Galaxy Securities, Shenwan, measured GEMM/P2P); public survey file (fact-check: TG Gen2 350W per HK prospectus; plap.mil.cn BI-V150S procurement spec); FlagOpen/FlagPerf training/iluvatar/* (BI-V150x1x16 configs)",
            notes: "FP16 192 (CMBI; measured GEMM 191.17 TFLOPS) - BF16 assumed similar; INT8 384; FP32 37 (Shenwan). Official: 64GB HBM(2e), 350W board, PCIe Gen4 x16. BW 1.6 TB/s (Galaxy Securities; 1.8 also quoted) but military procurement spec for BI-V150S requires only >=1100 GB/s (and >=220 FP16, <=450W). Caution: deployed systems show each card as 32GB devices and FlagPerf uses 16 devices per node (BI-V150x1x16) => card may expose 2 devices; per-device = half the per-card numbers. Confidence: medium. Topology: PCIe Gen4 x16 peer-to-peer (no proprietary scale-up link disclosed; measured P2P ~28 GB/s uni / ~50 GB/s bidir).",
            confidence: .medium
        ),
        Chip(
            id: "enflame_t20", vendor: "Enflame", name: "CloudBlazer T20 (DTU 2.0 / Suisi 2.0; T21 = OAM version)",
            bf16Tflops: 160, fp16Tflops: nil, fp32Tflops: 40, fp8Tflops: nil,
            memGB: 64, memBwGBs: 1800,
            intraLinkGBs: 300, intraTopology: .fullMesh, chipsPerNode: 8,
            nicGbps: nil, tdpW: 300,
            matmulEfficiency: 0.6, efficiencySource: "assumption: 60% of dense peak, a lower prior for accelerators without published large-scale results (accelerators.md §6.4 recommends a lower, wider prior)",
            source: "accelerators.csv: public survey file (Enflame HW survey: T20 40/160/320, 64GB HBM2e 1.8 TB/s, LARE 2.0 300 GB/s, bridge 4-card full mesh; L600 144GB/3.6TB/s/800GB/s); public survey file (fact-check: support.enflame-tech.com GCU-LARE linkcard manual 150 GB/s, cable 50 GB/s; eepw.com.cn launch 300 GB/s)",
            notes: "T20 peak: FP32 40, TF32 160, BF16/FP16 160, INT8 320 (Chinese tech press; BF16=TF32 level assumed). 64GB HBM2e x4, 1.8 TB/s (survey; older sources say 32GB/1.6 TB/s - uncertain). GCU-LARE: bridge 150 GB/s bidir, cable 50 GB/s bidir (official manuals), 300 GB/s bidir at launch. TDP 300W unverified (T21 OAM ~400W reported). Newer L600 (gen-4): 144GB HBM3, 3.6 TB/s, 800 GB/s link (FLOPS undisclosed). Confidence: medium/low. Topology: GCU-LARE: bridge card gives 4-card full mesh (3 links/card, 150 GB/s bidir bridge); 8-card servers; 300 GB/s bidir per launch PR. Modelled as full_mesh (a GCU-LARE bridge fully connects 4 cards; 8-card servers).",
            confidence: .low
        ),
    ]
}
