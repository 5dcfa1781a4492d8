-- A task module for the tasks_* fixtures: each function field is a task.
local calc = {}
calc.loads = (calc.loads or 0) + 1

function calc.square(job) return job.args.n * job.args.n end

-- Gives back what it received, to show what a transfer keeps.
function calc.echo(job) return job.args end

function calc.pair(job) return job.args.a, {x = job.args.b, nested = {1, 2.5, "s", true}} end

-- Returns a function inside a table: the result cannot be transferred.
function calc.bad_result() return 1, {callback = print} end

-- Changes its copy of the arguments; the submitter's table stays as it was.
function calc.mutate(job) job.args.list[1] = "changed"; return job.args.list[1] end

function calc.fail(job) error("failed on " .. tostring(job.args)) end

return calc
