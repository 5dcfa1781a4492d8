--! options: --virtual-time
-- Task jobs (SPEC §8): a function of a task module is a task, named <module>.<field>; opts.args is deep-copied at
-- submit and the body sees the copy as job.args; return values are copied back; closure jobs may take args too.
local calc = tasks("task_modules/calc.lua")
print("same table again:", tasks("./task_modules/calc.lua") == calc, "loaded", calc.loads)
local args = {list = {"original"}}
local square = submit(1, calc.square, {args = {n = 7}, name = "square"})
local mutate = submit(2, calc.mutate, {args = args})
local pair = submit(3, calc.pair, {args = {a = "A", b = 2^53}})
local closure = submit(4, function(job) return job.args.k, job.task end, {args = {k = "v"}})
local plain = submit(5, function(job) return job.args, job.task end)
print(square.task, mutate.task, closure.task, square.args.n, square.name)
print("square", square:await())
print("mutate", mutate:await(), "submitter keeps", args.list[1], "job.args is a copy", mutate.args ~= args)
local a, t = pair:await()
print("pair", a, t.x, math.type(t.x), t.nested[1], math.type(t.nested[1]), t.nested[2], t.nested[3], t.nested[4])
print("closure", closure:await())
print("plain", plain:await())
-- The functions stay ordinary functions.
print("direct call", calc.square({args = {n = 3}}))
-- A value that appears twice is copied twice.
local shared = {1}
local echo = submit(1, calc.echo, {args = {shared, shared}})
local copy = echo:await()
print("copied twice", copy[1] ~= copy[2], copy[1][1], copy[2][1])
-- A big table, array and hash parts and a sparse key, comes back whole.
local big = {name = "x", [5000] = "sparse"}
for i = 1, 1000 do big[i] = i * 0.5 end
local back = submit(1, calc.echo, {args = big}):await()
local same = #back == 1000 and back.name == "x" and back[5000] == "sparse"
for i = 1, 1000 do same = same and back[i] == i * 0.5 and math.type(back[i]) == "float" end
print("big table copied whole", same)
