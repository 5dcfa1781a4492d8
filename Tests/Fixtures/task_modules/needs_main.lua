-- Loads only where the global READY is set: the main state sets it, worker states do not.
assert(READY, "this module needs READY")
return {answer = function(job) return job.args * 2 end}
