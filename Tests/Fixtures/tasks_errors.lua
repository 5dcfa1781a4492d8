--! options: --virtual-time
-- What cannot be transferred is refused where it is given, naming the offending value's path; a task whose results
-- cannot be transferred fails; bad module paths, a module that returns no table and a second module of the same name
-- are refused with the module named. No other job is lost.
local calc = tasks("task_modules/calc.lua")
local function try(...) print(select(2, pcall(...))) end
local cycle = {}
cycle.self = cycle
try(submit, 1, calc.square, {args = {callback = print}})
try(submit, 1, calc.square, {args = {n = {deep = {coroutine.create(print)}}}})
try(submit, 1, calc.square, {args = {["two words"] = {io.stdout}}})
try(submit, 1, calc.square, {args = {c = cycle}})
try(submit, 1, calc.square, {args = setmetatable({}, {})})
try(submit, 1, calc.square, {args = {[{}] = 1}})
try(submit, 1, calc.square, {args = {[1.5] = print}})
local deep = {}
local t = deep
for _ = 1, 101 do t.next = {}; t = t.next end
try(submit, 1, calc.square, {args = deep})
try(tasks, "task_modules/missing.lua")
try(tasks, "task_modules/not_a_table.lua")
-- The message gives the first module's absolute path; the folder above task_modules/ depends on the checkout.
print((select(2, pcall(tasks, "task_modules/other/calc.lua")):gsub("from /.*/task_modules/", "from <dir>/task_modules/")))
try(tasks)
local bad = submit(1, calc.bad_result, {name = "bad"})
local failing = submit(1, calc.fail, {args = "x"})
local fine = submit(2, calc.square, {args = {n = 4}})
print(pcall(bad.await, bad))
print(bad.status, bad.error)
print(pcall(failing.await, failing))
print("still runs", fine:await())
