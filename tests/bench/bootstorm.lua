-- wrk script of the boot-storm benchmark (tests/bench/bench_bootstorm.py):
--   wrk -t<T> -c<N> -d<secs> -s tests/bench/bootstorm.lua --latency <url> -- <requests.tsv> <T>
-- requests.tsv holds one request a line, phone by phone in the order each phone asks:
--   <phone index> TAB <path> TAB <User-Agent or empty> TAB <macaddress header or empty>
-- Thread k takes the phones whose index modulo T is k (so a phone's files come from one thread) and
-- cycles through its share until wrk's duration ends. done() prints one "BENCH {json}" line.

local counter = 0

function setup(thread)
  thread:set("id", counter)
  counter = counter + 1
end

local queue = {}
local position = 0

function init(args)
  local list, threads = args[1], tonumber(args[2])
  for line in io.lines(list) do
    local phone, path, agent, mac = line:match("^(%d+)\t([^\t]*)\t([^\t]*)\t([^\t]*)$")
    if phone and tonumber(phone) % threads == id then
      local headers = {}
      if agent ~= "" then headers["User-Agent"] = agent end
      if mac ~= "" then headers["macaddress"] = mac end
      queue[#queue + 1] = wrk.format("GET", path, headers)
    end
  end
  if #queue == 0 then
    error("no request for thread " .. id .. " in " .. list)
  end
end

function request()
  position = position % #queue + 1
  return queue[position]
end

function done(summary, latency, requests)
  local errors = summary.errors
  io.write(string.format(
    'BENCH {"requests": %d, "duration_us": %d, "bytes": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "p50_us": %d, "p90_us": %d, "p99_us": %d, "max_us": %d}\n',
    summary.requests, summary.duration, summary.bytes, errors.connect, errors.read, errors.write,
    errors.status, errors.timeout, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max))
end
