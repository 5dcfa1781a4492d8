// Runtime files follow.
