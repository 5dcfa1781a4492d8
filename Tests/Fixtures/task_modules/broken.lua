-- A task module whose chunk raises: loading it fails in every state.
error("broken on purpose")
