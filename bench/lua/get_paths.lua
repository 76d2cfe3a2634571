-- wrk script: GET random paths from the file named by DCC_BENCH_PATHS (one per line).
local paths = {}
local auth = os.getenv("DCC_BENCH_AUTH")
for line in io.lines(os.getenv("DCC_BENCH_PATHS")) do paths[#paths + 1] = line end

function init(args)
  wrk.headers["Authorization"] = "Basic " .. auth
  math.randomseed(os.time() + math.floor(os.clock() * 1000000))
end

request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end

response = function(status, headers, body)
  if status ~= 200 then io.stderr:write("GET failed: " .. status .. "\n") end
end
