-- Mixed-cluster planning: auto vs the uniform (Megatron) and proportional baselines on
-- A100 + Ascend 910B2 + H20, and auto's efficiency against the chip types trained apart.
-- Usage: amalgam scripts/mixed_cluster.lua [model] [nodes_per_type] [global_batch]
-- Default: llama2-13b on 3 × 4 nodes × 8 = 96 chips, global batch 256 (a minute or so).
local model = arg and arg[1] or "llama2-13b"
local nodes = tonumber(arg and arg[2] or "4")
local batch = tonumber(arg and arg[3] or "256")

local c = am.cluster{ name = "mixed", sites = {
  { name = "a", nodes = { { chip = "nvidia_a100_sxm4_80g", count = 8 * nodes },
                          { chip = "huawei_ascend_910b2", count = 8 * nodes },
                          { chip = "nvidia_h20", count = 8 * nodes } } } } }

local rows = {}
local auto
for _, strategy in ipairs({ "auto", "uniform", "proportional" }) do
  local ok, p = pcall(am.plan, { cluster = c, model = model, global_batch = batch, strategy = strategy, tp = { 2, 4, 8 } })
  if ok then
    if strategy == "auto" then auto = p end
    rows[#rows + 1] = { strategy = strategy, tokens_per_s = p.tokens_per_s, mfu = p.mfu, pp = p.pp, dp = p.dp,
                        micro_batch = p.micro_batch, estimate_s = p.estimate_s, origin = p.origin }
  else
    print(strategy .. ": " .. tostring(p))
  end
end
assert(auto, "auto found no plan")
local agg = auto:aggregate_efficiency()
for _, r in ipairs(rows) do r.efficiency_vs_aggregate = r.tokens_per_s / agg.aggregate_tokens_per_s end

print(string.format("%s on %d chips (A100 + 910B2 + H20), global batch %d", model, #c, batch))
print(string.format("%-13s %12s %6s %4s %4s %11s %8s", "strategy", "tokens/s", "mfu", "pp", "dp", "estimate_s", "vs agg"))
for _, r in ipairs(rows) do
  print(string.format("%-13s %12.0f %6.3f %4d %4d %11.4f %8.3f", r.strategy, r.tokens_per_s, r.mfu, r.pp, r.dp, r.estimate_s, r.efficiency_vs_aggregate))
end
for _, x in ipairs(agg.per_chip) do print(string.format("  alone: %-22s %12.0f tokens/s", x.chip, x.tokens_per_s)) end
print(auto)
am.csv.write("mixed_cluster.csv", rows, { columns = { "strategy", "tokens_per_s", "mfu", "efficiency_vs_aggregate", "pp", "dp",
                                                      "micro_batch", "estimate_s", "origin" } })
