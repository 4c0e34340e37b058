"""Target setting (pure): variable targets for units, requirement trajectories,
partner alignment, rate targets and what-if.  See ``docs/target-setting.md``."""
