-- ardour_meter.lua: run by ardour7-lua (Ardour 7's headless Lua session
-- interpreter) from ardour_meter.sh. A new session on the dummy backend, whose
-- "Sine Wave" device feeds the system capture ports a -18 dBFS sine; one
-- track per plugin (urn:emovox:meter, urn:emovox:meter-midi on mono tracks,
-- urn:emovox:meter-stereo on a stereo track), monitoring its
-- input, the plugin first in the chain. After 3 s of processing, the eight
-- emotion outputs must be finite, in 0..1 and sum to 1 (1e-3); a sine is not
-- speech (issue 20), so speech must be off, dominant None (8) and the outputs
-- still uniform; the track's post-fader meter must still read the sine (the
-- meter passes audio through).
-- Environment: EVX_ARDOUR_SESSION (a new, not yet existing directory).
-- Prints "EMOVOX-ARDOUR: PASS" last on success; raises an error otherwise.

local session_dir = assert(os.getenv("EVX_ARDOUR_SESSION"), "EVX_ARDOUR_SESSION not set")
local emotions = { "angry", "calm", "disgust", "fear", "happy", "neutral", "sad", "surprised" }
local uris = { "urn:emovox:meter", "urn:emovox:meter-midi", "urn:emovox:meter-stereo" }
local failures = {}
local function fail(msg) failures[#failures + 1] = msg; print("FAIL: " .. msg) end

local backend = AudioEngine:set_backend("None (Dummy)", "", "")
assert(backend and not backend:isnil(), "no dummy backend")
backend:set_device_name("Sine Wave")
local s = create_session(session_dir, "emovox", 48000)
assert(s and Session, "create_session failed")
print("session rate", Session:nominal_sample_rate(), "engine running", AudioEngine:running())

-- output control name (lower case) -> plugin parameter index, for get_processor_param
local function outputs_of(proc)
  local pl = proc:to_insert():plugin(0)
  local idx = {}
  for i = 0, pl:parameter_count() - 1 do
    local n = pl:nth_parameter(i, false)
    if pl:parameter_is_control(n) and pl:parameter_is_output(n) then
      idx[string.lower(pl:parameter_label(n))] = i
    end
  end
  return idx
end

local hosted = {}
for _, uri in ipairs(uris) do
  local proc = ARDOUR.LuaAPI.new_plugin(Session, uri, ARDOUR.PluginType.LV2, "")
  if proc:isnil() then
    fail(uri .. ": Ardour did not find the plugin (LV2_PATH=" .. tostring(os.getenv("LV2_PATH")) .. ")")
  else
    -- the stereo variant on a stereo track (two inputs), the others on mono tracks
    local inputs = uri:find("stereo") and 2 or 1
    local tr = Session:new_audio_track(inputs, 2, nil, 1, uri, -1, ARDOUR.TrackMode.Normal, true):front()
    if tr:add_processor_by_index(proc, 0, nil, true) ~= 0 then
      fail(uri .. ": add_processor_by_index failed")
    else
      tr:monitoring_control():set_value(ARDOUR.MonitorChoice.MonitorInput,
                                        PBD.GroupControlDisposition.NoGroup)
      local idx = outputs_of(proc)
      for _, name in ipairs(emotions) do
        if not idx[name] then fail(uri .. ": no output control '" .. name .. "'") end
      end
      hosted[#hosted + 1] = { uri = uri, proc = proc, track = tr, idx = idx, moved = false }
    end
  end
end

local function param(h, name) return ARDOUR.LuaAPI.get_processor_param(h.proc, h.idx[name], true) end

local function check(h, final)
  local sum, row = 0, {}
  for _, name in ipairs(emotions) do
    local v = param(h, name)
    row[#row + 1] = string.format("%s %.4f", name, v)
    if v ~= v or v == math.huge or v == -math.huge then fail(h.uri .. ": " .. name .. " not finite") end
    if not (v >= 0 and v <= 1) then fail(string.format("%s: %s = %g outside 0..1", h.uri, name, v)) end
    if math.abs(v - 0.125) > 1e-3 then h.moved = true end
    sum = sum + v
  end
  if not (math.abs(sum - 1) <= 1e-3) then fail(string.format("%s: probabilities sum to %.6f", h.uri, sum)) end
  if final then
    print(h.uri .. ": " .. table.concat(row, ", ") .. string.format(", sum %.6f", sum))
    print(string.format("%s: dominant %g confidence %.4f speech %g arousal %.4f valence %.4f", h.uri,
                        param(h, "dominant"), param(h, "confidence"), param(h, "speech"),
                        param(h, "arousal"), param(h, "valence")))
  end
end

if #failures == 0 then
  -- 3 s of processing (six updates), checked every 0.25 s
  for k = 1, 12 do
    ARDOUR.LuaAPI.usleep(250000)
    for _, h in ipairs(hosted) do check(h, false) end
  end
  for _, h in ipairs(hosted) do
    check(h, true)
    if h.moved then fail(h.uri .. ": a sine moved the probabilities (judged as speech)") end
    if param(h, "speech") ~= 0 then fail(h.uri .. ": speech is on with a -18 dBFS sine at the input") end
    local d = param(h, "dominant")
    if d ~= 8 then fail(h.uri .. ": dominant " .. d .. " with a sine at the input (expected None, 8)") end
    local c = param(h, "confidence")
    if not (c >= 0 and c <= 1) then fail(h.uri .. ": confidence " .. c) end
    -- the peak meter lists MIDI channels first (meter-midi adds one)
    local pm = h.track:peak_meter()
    local db = pm:meter_level(pm:input_streams():n_midi(), ARDOUR.MeterType.MeterPeak)
    print(string.format("%s: track meter %.3f dBFS", h.uri, db))
    if not (math.abs(db + 18) < 0.5) then
      fail(string.format("%s: track meter %.3f dBFS, expected the -18 dBFS sine passed through", h.uri, db))
    end
    if h.uri:find("stereo") then   -- the right channel passes through too
      local dbr = pm:meter_level(pm:input_streams():n_midi() + 1, ARDOUR.MeterType.MeterPeak)
      print(string.format("%s: track meter right %.3f dBFS", h.uri, dbr))
      if not (math.abs(dbr + 18) < 0.5) then
        fail(string.format("%s: right track meter %.3f dBFS, expected the sine", h.uri, dbr))
      end
    end
  end
end

close_session()
if #failures > 0 then error(#failures .. " check(s) failed: " .. failures[1]) end
print("EMOVOX-ARDOUR: PASS")
