-- wrk script: POST biosamples with unique aliases spread over 10 labs. Aliases carry the
-- run number (DCC_BENCH_RUN) and the thread id, so repeated timed runs never collide.
local counter = 0
local auth = os.getenv("DCC_BENCH_AUTH")
local run = os.getenv("DCC_BENCH_RUN") or "0"
local next_id = 0

function setup(thread)
  thread:set("thread_id", next_id)
  next_id = next_id + 1
end

function init(args)
  wrk.headers["Authorization"] = "Basic " .. auth
  wrk.headers["Content-Type"] = "application/json"
end

request = function()
  counter = counter + 1
  local lab = "bench-lab-" .. ((counter + thread_id) % 10)
  local body = string.format(
    '{"lab":"%s","award":"BENCH","organism":"human","source":"atcc",' ..
    '"biosample_ontology":"cell_line_EFO_0002067","aliases":["%s:bs-%s-%d-%d"],' ..
    '"passage_number":%d,"description":"bench biosample %d"}',
    lab, lab, run, thread_id, counter, counter % 50, counter)
  return wrk.format("POST", "/biosample", nil, body)
end

response = function(status, headers, body)
  if status ~= 201 then
    io.stderr:write("POST failed: " .. status .. " " .. body:sub(1, 300) .. "\n")
  end
end
