-- wrk script: a POST with a unique id and MSISDN per request (wrk alone repeats one request, which
-- the simulator would answer as a duplicate and the gateway as an idempotent replay).
-- BENCH_KIND=simulator: rest-json POST /topups {externalId, msisdn, amount, currency}, X-API-Key.
-- BENCH_KIND=gateway:   POST /v1/recharges {msisdn, amount, currency}, Bearer key, Idempotency-Key.
-- done() prints one JSON line with the latency percentiles (microseconds), which bench/load.ts reads.

local kind = os.getenv("BENCH_KIND") or "simulator"
-- BENCH_KEYS: comma-separated; the gateway requests use them in turn (one per API client)
local keys = {}
for k in string.gmatch(os.getenv("BENCH_KEYS") or "", "[^,]+") do table.insert(keys, k) end
local prefix = os.getenv("BENCH_PREFIX") or "+9377"
local amount = os.getenv("BENCH_AMOUNT") or "100"
local currency = os.getenv("BENCH_CURRENCY") or "AFN"
local seed = os.getenv("BENCH_SEED") or "wrk"

local threads = {}
local next_id = 0

function setup(thread)
  thread:set("tid", next_id)
  next_id = next_id + 1
  table.insert(threads, thread)
end

local counter = 0

function init(args)
  -- tid is set by setup() before init runs in the thread
  counter = 0
end

-- the last three digits stay below 900: never one of the simulator's fault suffixes
local function msisdn(n)
  local tail = n % 900
  local block = math.floor(n / 900) % 10000
  return string.format("%s%04d%03d", prefix, block, tail)
end

function request()
  -- threads interleave: thread t takes t, t + 16, t + 32, ... (up to 16 threads)
  local n = counter * 16 + tid
  counter = counter + 1
  local id = seed .. "-" .. tid .. "-" .. counter
  if kind == "gateway" then
    local body = string.format('{"msisdn":"%s","amount":"%s","currency":"%s"}', msisdn(n), amount, currency)
    return wrk.format("POST", "/v1/recharges", {
      ["Content-Type"] = "application/json",
      ["Authorization"] = "Bearer " .. keys[(n % #keys) + 1],
      ["Idempotency-Key"] = id,
    }, body)
  end
  local body = string.format('{"externalId":"%s","msisdn":"%s","amount":"%s","currency":"%s"}', id, msisdn(n), amount, currency)
  return wrk.format("POST", "/topups", {
    ["Content-Type"] = "application/json",
    ["X-API-Key"] = keys[1],
  }, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    '{"requests":%d,"durationUs":%d,"errors":{"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d},' ..
    '"latencyUs":{"p50":%d,"p90":%d,"p99":%d,"p999":%d,"max":%d,"mean":%.1f}}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency:percentile(99.9),
    latency.max, latency.mean))
end
