{{ config(pre_hook=["set local enable_mergejoin = off"]) }}
-- Rule 5, in order, for part 1 of 2 of the interaction components (macro
-- decide_orphans, which explains the decider; D47).
{{ decide_orphans(part=0, parts=2) }}
