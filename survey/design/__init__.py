"""A study before anyone takes it: the study file, composition, the cue audit and publishing."""
