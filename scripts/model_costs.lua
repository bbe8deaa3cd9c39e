-- Per-layer costs and per-chip memory of one model on one chip type.
--
--   amalgam scripts/model_costs.lua [model_id] [chip_id] [micro_batch]
--   amalgam scripts/model_costs.lua llama2-70b nvidia_h100_sxm5 1     (the defaults)
--
-- Writes, under --out (default results/):
--   model_layers.csv  one row per layer (embedding, blocks, LM head) at tp = 1,
--                     in the core's column order (units in the column names);
--   model_memory.csv  memory of the most loaded chip for tp in {1,2,4,8} x pp in {1,2,4,8}.
-- am.models() lists the model ids, am.chips() the chip ids.
local am = require "amalgam"

local model_id = arg[1] or "llama2-70b"
local chip_id  = arg[2] or "nvidia_h100_sxm5"
local micro_batch = math.tointeger(tonumber(arg[3])) or 1

local m = am.model(model_id)      -- unknown ids fail with suggestions
local chip = am.chip(chip_id)
print(m)
print(string.format("%s: %.1f GFLOP per token (training, no recomputation)", m.name, m:flops_per_token() / 1e9))

-- Per-layer rows. A calibration (am.calibrate / am.calibrate_csv) made earlier in the
-- script would be applied to the times here; the "timing" column says which were.
local rows = m:rows{ chip = chip, micro_batch = micro_batch }
am.csv.write("model_layers.csv", rows)   -- rows.columns keeps the column order
local block = m:layer_cost{ chip = chip, micro_batch = micro_batch }
print(string.format("one block: fwd %.3f ms, bwd %.3f ms, %.2f GB of activations",
                    block.fwd_s * 1e3, block.bwd_s * 1e3, block.act_bytes / 1e9))

-- Memory for every tp x pp. Each pipeline stage holds different layers and 1F1B keeps
-- pp - stage micro-batches in flight, so the row reports the stage with the largest total.
-- A tp that does not divide the heads (or pp beyond the block count) is skipped, reported.
local columns = { "tp", "pp", "worst_stage", "params", "weights_gb", "grads_gb", "optimizer_gb",
                  "activations_gb", "overhead_gb", "total_gb", "capacity_gb", "fits" }
local out = {}
for _, tp in ipairs{ 1, 2, 4, 8 } do
  for _, pp in ipairs{ 1, 2, 4, 8 } do
    local ok, err = pcall(function()
      local worst, worst_stage
      for stage = 0, pp - 1 do
        local mem = m:memory{ chip = chip, tp = tp, pp = pp, pp_stage = stage, micro_batch = micro_batch }
        if not worst or mem.total_bytes > worst.total_bytes then worst, worst_stage = mem, stage end
      end
      out[#out + 1] = { tp = tp, pp = pp, worst_stage = worst_stage, params = worst.params,
                        weights_gb = worst.weights_gb, grads_gb = worst.grads_gb, optimizer_gb = worst.optimizer_gb,
                        activations_gb = worst.activations_gb, overhead_gb = worst.overhead_gb,
                        total_gb = worst.total_gb, capacity_gb = worst.capacity_gb, fits = worst.fits }
    end)
    if not ok then print(string.format("skipped tp=%d pp=%d: %s", tp, pp, err)) end
  end
end
am.csv.write("model_memory.csv", out, { columns = columns })

for _, r in ipairs(out) do
  print(string.format("tp=%d pp=%d  %7.1f GB of %5.0f GB  %s", r.tp, r.pp, r.total_gb, r.capacity_gb, r.fits and "fits" or "does not fit"))
end
