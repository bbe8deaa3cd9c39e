-- Validates Amalgam's iteration simulator against Narayanan et al., "Efficient
-- Large-Scale Language Model Training on GPU Clusters Using Megatron-LM", SC'21
-- (arXiv 2104.04473), Tables 1 and 2 (PTD-P rows): per-GPU TFLOP/s on A100 80GB.
--
-- The paper counts FLOPs with the recompute forward pass (96·B·s·l·h²·(1 + s/6h + V/16lh)),
-- so predictions are counted the same way: m:flops_per_token{ recompute = "full" }.
-- Runs are set up as the paper ran them: Megatron's rank layout (strategy "uniform"),
-- fp16 with full recomputation, no ZeRO, gradients all-reduced after the backward.
--
-- Usage: amalgam scripts/validate_megatron.lua [csv_path] [max_gpus]
--   csv_path  the published table ("-" or absent:  ../shared/reference/published/megatron_sc21_table1.csv,
--             falling back to the test fixture copy)
--   max_gpus  skip rows with more GPUs (default: all) -- the tests use a small value
-- Writes megatron_validation.csv: table, params_b, gpus, tp, pp, dp, published_tflops,
-- predicted_tflops, error_pct.
local am = require "amalgam"

local function exists(path) local f = io.open(path) if f then f:close() return true end return false end
local path = (arg[1] ~= nil and arg[1] ~= "-") and arg[1] or "../shared/reference/published/megatron_sc21_table1.csv"
if (arg[1] == nil or arg[1] == "-") and not exists(path) then path = "Tests/AmalgamCoreTests/Fixtures/megatron_sc21_table1.csv" end
local max_gpus = tonumber(arg[2] or "") or math.huge

local published = am.csv.read(path)
local out = {}
for _, row in ipairs(published) do
  if row.scheme == "PTD-P" and row.gpus <= max_gpus then
    -- The 175B shape of Table 2 is GPT-3's with Megatron's 51,200-token vocabulary.
    local model
    if row.params_B == 174.6 then
      model = am.model{ name = "megatron-175b", layers = 96, hidden = 12288, ffn_hidden = 4 * 12288, heads = 96,
                        vocab = 51200, seq_len = 2048, ffn = "gelu", position = "learned", norm = "layernorm",
                        bias = true, dropout = true, tied_embeddings = true }
    elseif row.params_B == 1008 then
      model = am.model "megatron-1t"
    else
      model = am.model(string.format("megatron-%gb", row.params_B))
    end
    local v = tonumber(row.interleave_chunks_per_stage) or 1
    local schedule = v > 1 and "interleaved_1f1b" or "1f1b"
    local cluster = am.cluster{ name = "selene",
      sites = { { name = "selene", nodes = { { chip = "nvidia_a100_sxm4_80g", count = row.gpus } } } } }
    local plan = am.plan{ cluster = cluster, model = model, strategy = "uniform", tp = row.tp, pp = row.pp,
                          global_batch = row.global_batch, micro_batch = row.micro_batch, zero = 0,
                          recompute = "full", schedule = schedule, virtual_stages = v }
    local r = am.simulate{ plan = plan, schedule = schedule, virtual_stages = v, overlap_grad_reduce = false }
    local flops = model:flops_per_token{ recompute = "full" } * row.global_batch * model.seq_len
    local predicted = flops / row.gpus / r.iteration_s / 1e12
    local err = (predicted / row.tflops_per_gpu - 1) * 100
    out[#out + 1] = { table = row.table, params_b = row.params_B, gpus = row.gpus, tp = row.tp, pp = row.pp,
                      dp = row.dp, published_tflops = row.tflops_per_gpu, predicted_tflops = predicted, error_pct = err }
    io.stderr:write(string.format("table %d  %7.1fB  %5d GPUs  tp %d pp %3d dp %3d  published %5.1f  predicted %6.1f TFLOP/s  (%+.1f%%)\n",
      row.table, row.params_B, row.gpus, row.tp, row.pp, row.dp, row.tflops_per_gpu, predicted, err))
  end
end
am.csv.write("megatron_validation.csv", out, { columns = { "table", "params_b", "gpus", "tp", "pp", "dp",
  "published_tflops", "predicted_tflops", "error_pct" } })
